"""Alembic migrations on a SQLite file and on PostgreSQL: up, down, up again, and a schema equal to the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, inspect
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
