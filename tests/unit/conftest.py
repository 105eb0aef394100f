"""Services on a real database (SQLite file and PostgreSQL), migrated exactly as the bot does at start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.services import Services
from tests.conftest import make_settings
from tests.ports import services_on


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def told() -> list[datetime]:
    """The wake-ups the services asked of the scheduler: when new due work falls due, earliest first."""
    return []


@pytest.fixture
async def services(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime], told: list[datetime]
) -> Services:
    await migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url)
    return services_on(engine, settings, clock, wake=told.append)
