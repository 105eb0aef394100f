"""The checks behind ``/sante``, as plain callables the composition root builds from what it owns.

Each answers True (healthy) or False; one that raises or takes longer than ``CHECK_SECONDS`` counts as False.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, system_clock
from bot.db import migrate
from bot.health import STALE_AFTER, silence

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[bool] | bool]
CHECK_SECONDS = 5.0


def database_answers(engine: AsyncEngine) -> HealthCheck:
    """The database answers a read (its migration revision)."""

    async def check() -> bool:
        await migrate.current_revision(engine)
        return True

    return check


def scheduler_alive(heartbeat: Path, started_at: datetime, clock: Clock = system_clock) -> HealthCheck:
    """The scheduler reached the database lately: its heartbeat file (``bot.health``) is fresh — or the bot
    started less than one staleness period ago, before its first sweep could beat."""

    def check() -> bool:
        now = clock()
        quiet = silence(heartbeat, now)
        return (quiet is not None and quiet <= STALE_AFTER) or now - started_at <= STALE_AFTER

    return check


async def run_checks(checks: Mapping[str, HealthCheck]) -> dict[str, bool]:
    """Every check at once, each bounded in time; their names and answers."""
    names = list(checks)
    answers = await asyncio.gather(*(_bounded(name, checks[name]) for name in names))
    return dict(zip(names, answers, strict=True))


async def _bounded(name: str, check: HealthCheck) -> bool:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            answer = check()
            if inspect.isawaitable(answer):
                answer = await answer
        return bool(answer)
    except Exception as error:  # a check that fails is an unhealthy answer, not a crash of the health page
        log.warning("health check %s failed: %s", name, type(error).__name__)
        return False
