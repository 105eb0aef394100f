"""Migration 0014 (series) on a database the bot made before it: ``tests/fixtures/schema_0013.db``.

That file was written by the bot at commit 508341c (schema 0013) through its own services: a proposal waiting for
the team; an announced session with two places, two people seated, one waiting and one who left (a departure);
a held session whose documentation job is queued, with its chasers due; a cancelled session; copies on Zoom and the
website, one of them failed. On SQLite the test upgrades a copy of the file itself; on PostgreSQL it first copies
every row of it into a database migrated to 0013, as an operator moving to PostgreSQL would. Every row must come
through unchanged, the bot must keep working on it, and going back down must keep what the older bot can read.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import create_engine
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.registration import Source, Status
from bot.domain.timeline import Work
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.builders import ALICE, DRAFT, TEAM, add_slot, series_of
from tests.unit.conftest import FakeClock

MADE_BY_0013 = Path(__file__).parent.parent / "fixtures" / "schema_0013.db"
KEPT = ("fabrique", "registration", "departure", "due_work", "documentation", "session_copy", "audit", "slot")
ANNOUNCED, DOCUMENTING = 2, 3  # the numbers of the announced session and of the documented one in that file


async def rows_of(engine: AsyncEngine, table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` (the columns the 0013 schema had), in id order, times as text-free values."""
    async with engine.connect() as connection:
        reflected = await connection.run_sync(lambda sync: Table(table, MetaData(), autoload_with=sync))
        rows = (await connection.execute(select(reflected).order_by(reflected.c.id))).mappings().all()
    return [dict(row) for row in rows]


async def load_into(engine: AsyncEngine) -> None:
    """A database migrated to 0013 receives every row of the file, in the order foreign keys need."""
    source = create_engine(f"sqlite+aiosqlite:///{MADE_BY_0013}")
    await migrate.upgrade(engine, "0013")
    async with source.connect() as reading, engine.begin() as writing:
        tables = await reading.run_sync(lambda sync: _sorted_tables(sync))
        targets = {table.name: table for table in await writing.run_sync(lambda sync: _sorted_tables(sync))}
        for table in tables:
            rows = [_aware(dict(row)) for row in (await reading.execute(select(table))).mappings().all()]
            if rows:
                await writing.execute(targets[table.name].insert(), rows)
            if "id" in table.c and rows:  # PostgreSQL's sequences start after the copied ids, as after a dump
                await writing.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :last)"),
                    {"last": max(row["id"] for row in rows)},
                )
    await source.dispose()


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite gives back the UTC times the bot stored without their zone; PostgreSQL's columns keep it."""
    return {key: value.replace(tzinfo=UTC) if isinstance(value, datetime) else value for key, value in row.items()}


def _sorted_tables(sync: Any) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(sync)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


async def database_made_by_0013(database_url: str, engine: AsyncEngine) -> None:
    assert MADE_BY_0013.stat().st_size > 100_000, "the database made by 0013 is missing (committed, never ignored)"
    if database_url.startswith("sqlite"):
        shutil.copyfile(MADE_BY_0013, database_url.split("///", 1)[1])
    else:
        await load_into(engine)


async def test_every_row_made_before_series_survives_the_upgrade_and_the_bot_works_on_it(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    await database_made_by_0013(database_url, engine)
    before = {table: await rows_of(engine, table) for table in KEPT}
    assert len(before["registration"]) == 4 and before["documentation"] and before["session_copy"]

    await migrate.upgrade(engine)

    for table in KEPT:
        after = await rows_of(engine, table)
        assert [{key: row[key] for key in old} for row, old in zip(after, before[table], strict=True)] == before[
            table
        ], table
    async with engine.connect() as connection:
        shapes = (await connection.execute(text("SELECT series_id, series_rank, series_size FROM fabrique"))).all()
    assert {tuple(shape) for shape in shapes} == {(None, 1, 1)}  # every Fabrique made before is a single session

    clock = FakeClock()
    services = services_on(engine, make_settings(tmp_path, database_url), clock)
    late = await services.registrations.register(GUILD_ID, ANNOUNCED, Actor(800000000000000199), Source.BUTTON)
    assert late.status is Status.WAITLISTED  # two places, both still taken: the copied registrations count
    registered = await services.registrations.registrant_ids(ANNOUNCED)
    assert set(registered) == {800000000000000111, 800000000000000112, 800000000000000113, 800000000000000199}
    clock.now = clock.now.replace(
        month=4, day=14, hour=12, minute=30
    )  # the 24 h reminders of the announced session fall due
    due = await services.timeline.claim_due()
    reminded = {item.user_id for item in due if item.fabrique_id == ANNOUNCED and item.kind is Work.REMINDER}
    assert reminded == {800000000000000111, 800000000000000112}  # those seated, planned by the bot of 0013
    follow_up = await services.timeline.follow_up(GUILD_ID)
    assert follow_up.counts[State.DOCUMENTING] == 1


async def test_a_series_made_after_the_upgrade_goes_back_down_as_single_sessions(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    """Downgrade: the later sessions of a series become Fabriques of their own, each with the series' registrants
    except those who said they would miss that date; nothing made before the series changes."""
    await database_made_by_0013(database_url, engine)
    await migrate.upgrade(engine)
    clock = FakeClock()
    services = services_on(engine, make_settings(tmp_path, database_url), clock)
    home = await services.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await services.proposals.decide(GUILD_ID, home.id, TEAM, Action.APPROVE)
    numbers = await series_of(engine, home.id, 3)
    slot = await add_slot(services, "22/03/2027", "14:00", 180)
    await services.slots.book(GUILD_ID, home.id, slot.id, ALICE)
    await services.sessions.mark_announced(GUILD_ID, home.id, TEAM, 1, 900000000000000009, None)
    for n in (31, 32):
        await services.registrations.register(GUILD_ID, home.id, Actor(800000000000000100 + n), Source.BUTTON)
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO absence (fabrique_id, user_id, at) VALUES (:f, :u, :at)"),
            {"f": numbers[2], "u": 800000000000000132, "at": clock()},
        )
    before = await rows_of(engine, "registration")

    await migrate.downgrade(engine, "0013")

    after = await rows_of(engine, "registration")
    assert after[: len(before)] == before
    added = {(row["fabrique_id"], row["user_id"]) for row in after[len(before) :]}
    assert added == {
        (numbers[1], 800000000000000131),
        (numbers[1], 800000000000000132),
        (numbers[2], 800000000000000131),
    }
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(text("fabrique"))) == 4 + 3
    await migrate.upgrade(engine)  # and up again: the single sessions stay single
    async with engine.connect() as connection:
        series = await connection.scalar(text("SELECT count(*) FROM fabrique WHERE series_id IS NOT NULL"))
    assert series == 0
