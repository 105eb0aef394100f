"""Migration 0017: the indexes the state queries and the slots to come read by, up and down on SQLite and
PostgreSQL, and (SQLite, whose planner needs no statistics) the agenda's query really reading by them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.repositories import FabriqueRepository
from bot.domain.lifecycle import State
from tests.conftest import GUILD_ID, sqlite_url

NEW = {
    ("fabrique", "ix_fabrique_guild_state_start"),
    ("slot", "ix_slot_guild_start"),
    ("session_copy", "ix_session_copy_status"),
}


def indexes(connection: Connection) -> set[tuple[str, str]]:
    inspector = inspect(connection)
    return {
        (table, index["name"])
        for table in ("fabrique", "slot", "session_copy")
        for index in inspector.get_indexes(table)
    }


async def found(engine: AsyncEngine) -> set[tuple[str, str]]:
    async with engine.connect() as connection:
        return await connection.run_sync(indexes) & NEW


async def test_0017_adds_the_indexes_and_takes_them_back(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "0016")
    assert await found(engine) == set()
    await migrate.upgrade(engine, "0017")
    assert await found(engine) == NEW
    await migrate.downgrade(engine, "0016")
    assert await found(engine) == set()
    await migrate.upgrade(engine, "0017")
    assert await found(engine) == NEW


async def test_the_agenda_query_reads_by_the_new_index_on_sqlite(tmp_path: Path) -> None:
    """The statement ``in_states`` sends for the agenda, explained by SQLite: a search in the new index on guild,
    state and start, where it used to read every Fabrique of the guild and sort them."""
    engine = create_engine(sqlite_url(tmp_path))
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    try:
        await migrate.upgrade(engine)
        event.listen(engine.sync_engine, "before_cursor_execute", capture)
        async with AsyncSession(engine) as session:
            await FabriqueRepository(session).in_states(
                GUILD_ID, {State.ANNOUNCED.value}, starting_after=datetime(2027, 1, 1, tzinfo=UTC)
            )
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
        statement, parameters = next((s, p) for s, p in sent if "FROM fabrique" in s)
        async with engine.connect() as connection:
            plan = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
        details = [row[-1] for row in plan]
        wanted = "USING INDEX ix_fabrique_guild_state_start (guild_id=? AND state=? AND starts_at>?)"
        assert any(wanted in detail for detail in details), details
    finally:
        await engine.dispose()
