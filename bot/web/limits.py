"""How often one upload link may be tried: a sliding window per link, in memory (one bot, one process)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

ATTEMPTS = 5
WINDOW_SECONDS = 60.0
MAX_KEYS = 10_000  # links tried in the last window; beyond, new ones wait (memory stays bounded under a flood)


class AttemptLimiter:
    """At most ``limit`` attempts per key in any ``window`` seconds. Keys are token hashes, never tokens."""

    def __init__(
        self,
        limit: int = ATTEMPTS,
        window: float = WINDOW_SECONDS,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window
        self._max_keys = max_keys
        self._clock = clock
        self._attempts: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count an attempt; False (not counted) when the key has had its share of the window."""
        now = self._clock()
        attempts = self._attempts.get(key)
        if attempts is None:
            if len(self._attempts) >= self._max_keys:
                self._forget_quiet(now)
                if len(self._attempts) >= self._max_keys:
                    return False
            attempts = self._attempts[key] = deque()
        while attempts and attempts[0] <= now - self._window:
            attempts.popleft()
        if len(attempts) >= self._limit:
            return False
        attempts.append(now)
        return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` may try again (at least 1)."""
        attempts = self._attempts.get(key)
        if not attempts:
            return 1
        return max(1, math.ceil(attempts[0] + self._window - self._clock()))

    def _forget_quiet(self, now: float) -> None:
        for key in [
            key for key, attempts in self._attempts.items() if not attempts or attempts[-1] <= now - self._window
        ]:
            del self._attempts[key]
