"""Alembic, driven from inside the running event loop (at bot start) or from the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on the engine's own connection (no second event loop)."""
    async with _migrating(engine) as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with _migrating(engine) as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


@asynccontextmanager
async def _migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One transaction for the whole migration. On SQLite, with foreign keys off while it runs: batch mode rebuilds
    a table (copy, drop the original, rename), and dropping ``fabrique`` with foreign keys on would first delete
    every row pointing at it — registrations, audit, documentation. SQLite's own procedure for such changes is to
    switch them off (which only works outside a transaction) and to check every reference before committing."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        if sqlite:
            await _pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                yield connection
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"the migration would leave {len(broken)} broken reference(s): {broken[:3]}")
        finally:
            if sqlite:
                await _pragma(connection, "PRAGMA foreign_keys=ON")


async def _pragma(connection: AsyncConnection, statement: str) -> None:
    """Straight to the driver: through SQLAlchemy the statement would open a transaction (BEGIN IMMEDIATE, see
    ``bot.db.engine``), inside which SQLite ignores ``foreign_keys``."""
    raw = await connection.get_raw_connection()
    await raw.driver_connection.execute(statement)  # type: ignore[union-attr]


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
