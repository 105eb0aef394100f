"""The clock is injected so simulated time (SimCord in tests) drives every rule that depends on "now"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Aware UTC now; the composition root replaces it with ``discord.utils.utcnow`` for the running bot."""
    return datetime.now(UTC)
