"""Migrations 0017 and 0020: the indexes the state queries, the slots to come and ``/equipe suivi`` read by, up and
down on SQLite and PostgreSQL, and (SQLite, whose planner needs no statistics) the queries really reading by them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
SUIVI = {("fabrique", "ix_fabrique_guild_state_kind_end"), ("fabrique", "ix_fabrique_guild_attended_start")}


def indexes(connection: Connection) -> set[tuple[str, str]]:
    inspector = inspect(connection)
    return {
        (table, index["name"])
        for table in ("fabrique", "slot", "session_copy")
        for index in inspector.get_indexes(table)
    }


async def found(engine: AsyncEngine) -> set[tuple[str, str]]:
    async with engine.connect() as connection:
        return await connection.run_sync(indexes) & (NEW | SUIVI)


async def test_0017_adds_the_indexes_and_takes_them_back(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "0016")
    assert await found(engine) == set()
    await migrate.upgrade(engine, "0017")
    assert await found(engine) == NEW
    await migrate.downgrade(engine, "0016")
    assert await found(engine) == set()
    await migrate.upgrade(engine, "0017")
    assert await found(engine) == NEW


async def test_0020_adds_the_dashboard_s_indexes_and_takes_them_back(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "0019")
    assert await found(engine) == NEW
    await migrate.upgrade(engine, "0020")
    assert await found(engine) == NEW | SUIVI
    await migrate.downgrade(engine, "0019")
    assert await found(engine) == NEW


async def plan_of(tmp_path: Path, read: Callable[[FabriqueRepository], Awaitable[object]]) -> list[str]:
    """How SQLite runs the first statement ``read`` sends about Fabriques (EXPLAIN QUERY PLAN's details)."""
    engine = create_engine(sqlite_url(tmp_path))
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    try:
        await migrate.upgrade(engine)
        event.listen(engine.sync_engine, "before_cursor_execute", capture)
        async with AsyncSession(engine) as session:
            await read(FabriqueRepository(session))
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
        statement, parameters = next((s, p) for s, p in sent if "FROM fabrique" in s)
        async with engine.connect() as connection:
            plan = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
        return [row[-1] for row in plan]
    finally:
        await engine.dispose()


async def test_the_agenda_query_reads_by_the_new_index_on_sqlite(tmp_path: Path) -> None:
    """The statement ``in_states`` sends for the agenda: a search in the index on guild, state and start, where it
    used to read every Fabrique of the guild and sort them."""
    details = await plan_of(
        tmp_path,
        lambda fabriques: fabriques.in_states(
            GUILD_ID, {State.ANNOUNCED.value}, starting_after=datetime(2027, 1, 1, tzinfo=UTC)
        ),
    )
    wanted = "USING INDEX ix_fabrique_guild_state_start (guild_id=? AND state=? AND starts_at>?)"
    assert any(wanted in detail for detail in details), details


async def test_the_dashboard_reads_the_owed_and_the_attended_by_their_indexes_on_sqlite(tmp_path: Path) -> None:
    """``/equipe suivi``'s documentations owed: each state searched in end order (no sort of every session never
    documented); its attendance: the sessions Zoom counted, newest first (no scan of the sessions it did not)."""
    owed = {State.HELD.value, State.DOCUMENTATION_DUE.value, State.DOCUMENTING.value}
    details = await plan_of(tmp_path / "owed", lambda fabriques: fabriques.owing(GUILD_ID, owed, 5))
    searched = [d for d in details if "ix_fabrique_guild_state_kind_end (guild_id=? AND state=? AND kind=?" in d]
    assert len(searched) == len(owed), details
    details = await plan_of(tmp_path / "attended", lambda fabriques: fabriques.with_attendance(GUILD_ID, 5))
    assert any("USING INDEX ix_fabrique_guild_attended_start (guild_id=?)" in d for d in details), details
    assert not any("TEMP B-TREE" in detail for detail in details), details
