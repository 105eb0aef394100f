"""Work nobody waits for (website, mailing list, DMs after a burst of reactions), kept until it is done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """Holds the tasks it starts: asyncio keeps only weak references, and a task nobody holds may vanish."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("background work failed", exc_info=error)

    async def settle(self) -> None:
        """Wait for what is running now (tests, and closing the bot)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
