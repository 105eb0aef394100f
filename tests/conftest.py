"""Shared fixtures: settings on a temporary SQLite file, and a real PostgreSQL when the test command started one."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import DatabaseSettings, DiscordSettings, GeneralSettings, Settings
from bot.db.engine import create_engine
from tests.integration.wordpress_server import WordPressSite, running_wordpress

GUILD_ID = 424242424242424242
POSTGRES_ENV = "TEST_POSTGRES_URL"


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'fabrique.db'}"


# A developer without PostgreSQL still runs every SQLite variant; scripts/test always sets the URL, so CI runs both.
ON_POSTGRES = pytest.param(
    "postgresql",
    marks=pytest.mark.skipif(
        not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set (scripts/test starts a PostgreSQL)"
    ),
)


async def reset_postgres(url: str) -> None:
    """Start each PostgreSQL test from an empty schema, as a fresh SQLite file does."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", ON_POSTGRES])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on a SQLite file and once on the real PostgreSQL server."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url = os.environ[POSTGRES_ENV]  # set, or ON_POSTGRES skipped this variant
    await reset_postgres(url)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def make_settings(tmp_path: Path, url: str | None = None, **sections: object) -> Settings:
    """Test settings; any section given by name (``discord=DiscordSettings(...)``) replaces the default one."""
    defaults: dict[str, object] = {
        "general": GeneralSettings(data_dir=tmp_path),
        "discord": DiscordSettings(guild_id=GUILD_ID),
        "database": DatabaseSettings(url=url or sqlite_url(tmp_path)),
    }
    return Settings(**{**defaults, **sections})  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    """A real WordPress (Debian's package, MariaDB, php -S) on 127.0.0.1, shared by the whole session."""
    with running_wordpress() as site:
        yield site
