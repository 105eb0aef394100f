"""APScheduler wiring. The database holds every due item; the scheduler only decides when to look.

It wakes the dispatcher at the next due time and sweeps at a regular interval as a safety net. Delays are
computed against the bot's clock (SimCord's in tests) and then armed in real time, so a simulated clock far from
the real one never makes APScheduler fire early.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.health import beat

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
WAKE_JOB = "wake"


class DueWorkScheduler:
    def __init__(
        self,
        run: Callable[[], Awaitable[int]],
        next_due: Callable[[], Awaitable[datetime | None]],
        clock: Clock,
        sweep_seconds: float = SWEEP_SECONDS,
        heartbeat: Path | None = None,
    ) -> None:
        self._run = run
        self._heartbeat = heartbeat  # touched after each dispatch that reached the database (see bot.health)
        self._next_due = next_due
        self._clock = clock
        self._sweep_seconds = sweep_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._wake_at: datetime | None = None  # real time of the armed wake-up
        self._running: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start in a fresh context: the scheduler's timers are real time, whatever the caller's task carries.

        (A simulated Discord in tests tracks work started from the bot's own tasks and runs it on its virtual
        clock; a 60 s sweep on that clock would run a million times across a simulated month.)
        """
        self._scheduler.add_job(
            self._tick, IntervalTrigger(seconds=self._sweep_seconds), id="sweep", coalesce=True, max_instances=1
        )
        contextvars.Context().run(self._scheduler.start)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def wake_at(self, due: datetime) -> None:
        """Make sure the dispatcher runs by ``due`` (bot clock); an earlier wake-up already armed is kept.

        Work already due runs right away as a task of the caller (the bot), not through APScheduler.
        """
        delay = (due - self._clock()).total_seconds()
        if delay <= 0:
            task = asyncio.create_task(self._tick())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            return
        when = datetime.now(UTC) + timedelta(seconds=delay)
        if self._wake_at is not None and self._wake_at <= when and self._scheduler.get_job(WAKE_JOB):
            return
        self._wake_at = when
        contextvars.Context().run(
            self._scheduler.add_job, self._tick, DateTrigger(when), id=WAKE_JOB, replace_existing=True
        )

    async def rearm(self) -> None:
        due = await self._next_due()
        if due is not None:
            self._wake_at = None
            self.wake_at(due)

    async def _tick(self) -> None:
        try:
            ran = await self._run()
            if ran:
                log.info("dispatched %s due item(s)", ran)
            await self.rearm()
            if self._heartbeat is not None:
                beat(self._heartbeat)
        except Exception:
            log.exception("due work dispatch failed; the next sweep will try again")
