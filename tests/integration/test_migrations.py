"""Alembic migrations on a SQLite file and on PostgreSQL: up, down, up again, and a schema equal to the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.models import Base

APP_TABLES = {"fabrique", "audit", "guild_config"}
MODEL_TABLES = set(Base.metadata.tables)


def head_revision() -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert head is not None
    return head


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(context, Base.metadata)


def test_the_models_include_the_first_tables() -> None:
    assert APP_TABLES <= MODEL_TABLES


async def test_upgrade_creates_the_tables_and_records_head(engine: AsyncEngine) -> None:
    assert await migrate.current_revision(engine) is None
    await migrate.upgrade(engine)
    assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
    assert await migrate.current_revision(engine) == head_revision()


async def test_downgrade_to_base_removes_the_tables_and_upgrade_works_again(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    await migrate.downgrade(engine, "base")
    assert await table_names(engine) == {"alembic_version"}  # Alembic keeps its own bookkeeping table
    assert await migrate.current_revision(engine) is None

    await migrate.upgrade(engine)
    assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
    assert await migrate.current_revision(engine) == head_revision()


async def test_upgrade_twice_is_harmless(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == head_revision()


async def test_the_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        found = await connection.run_sync(differences)
    assert found == [], "migrations and bot/db/models.py disagree; generate a migration:\n" + "\n".join(
        map(repr, found)
    )


async def test_the_comparison_does_notice_a_difference(engine: AsyncEngine) -> None:
    """Guards the test above against passing vacuously: a column the migrations never created is reported."""
    await migrate.upgrade(engine)
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["fabrique"].append_column(Column("not_migrated", Integer, nullable=True))

    def compare(connection: Connection) -> list[Any]:
        return compare_metadata(MigrationContext.configure(connection), changed)

    async with engine.connect() as connection:
        found = await connection.run_sync(compare)
    assert [(diff[0], diff[3].name) for diff in found] == [("add_column", "not_migrated")]


async def test_the_single_coorganizer_becomes_the_first_of_several_and_comes_back_on_downgrade(
    engine: AsyncEngine,
) -> None:
    """0012 moves ``fabrique.coorganizer_id`` into the ``coorganizer`` table; going back keeps the first one."""
    await migrate.upgrade(engine, "0008")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO fabrique (guild_id, organizer_id, coorganizer_id, format, parcours, duration_minutes, "
                "title, description, speaker, needs, state, revision, created_at, updated_at, kind, capacity) VALUES "
                "(1, 11, 22, 'atelier', 'classique', 120, 'T', 'D', '', '', 'approved', 1, :now, :now, "
                "'fabrique', 0), (1, 33, NULL, 'atelier', 'classique', 120, 'U', 'D', '', '', 'approved', 1, :now, "
                ":now, 'fabrique', 0)"
            ),
            {"now": datetime(2027, 1, 1, tzinfo=UTC)},
        )
    await migrate.upgrade(engine)
    async with engine.begin() as connection:
        moved = (await connection.execute(text("SELECT fabrique_id, user_id FROM coorganizer"))).all()
        assert [tuple(row) for row in moved] == [(1, 22)]
        await connection.execute(text("INSERT INTO coorganizer (fabrique_id, user_id) VALUES (1, 44), (2, 55)"))
    await migrate.downgrade(engine, "0008")
    async with engine.connect() as connection:
        back = (await connection.execute(text("SELECT id, coorganizer_id FROM fabrique ORDER BY id"))).all()
    assert [tuple(row) for row in back] == [(1, 22), (2, 55)]


async def test_rows_pointing_at_a_fabrique_survive_every_migration_that_rebuilds_its_table(
    engine: AsyncEngine,
) -> None:
    """On SQLite, batch mode rebuilds ``fabrique`` (0010, 0011, …): with foreign keys on while it ran, dropping the
    old table would have deleted every registration and audit row. The same holds going back down."""
    await migrate.upgrade(engine, "0008")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO fabrique (guild_id, organizer_id, format, parcours, duration_minutes, title, description, "
                "speaker, needs, state, revision, created_at, updated_at, kind, capacity) VALUES "
                "(1, 11, 'atelier', 'classique', 120, 'T', 'D', '', '', 'announced', 1, :now, :now, 'fabrique', 0)"
            ),
            {"now": now},
        )
        await connection.execute(
            text(
                "INSERT INTO registration (fabrique_id, user_id, status, source, created_at, dm_failed) VALUES "
                "(1, 501, 'confirmed', 'reaction', :now, false), (1, 502, 'waitlisted', 'button', :now, false)"
            ),
            {"now": now},
        )

    async def registrations() -> list[tuple[Any, ...]]:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT fabrique_id, user_id FROM registration ORDER BY id"))
            return [tuple(row) for row in rows]

    await migrate.upgrade(engine)
    assert await registrations() == [(1, 501), (1, 502)]
    await migrate.downgrade(engine, "0008")
    assert await registrations() == [(1, 501), (1, 502)]
