"""Engine creation. SQLite gets WAL and a busy timeout so the bot and a CLI command can share the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; for a SQLite file, its folder is created and WAL is switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: commits survive a crash of the bot; no fsync per commit
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # The driver would only BEGIN before the first write, after our reads: two moderators could then both read
    # "proposed" and both decide. We begin ourselves instead (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    # SQLite has no SELECT … FOR UPDATE: taking the write lock when the transaction starts is what makes a
    # read-check-write sequence (decide, book) atomic, as the row lock does on PostgreSQL.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    # expire_on_commit=False: services hand out plain records built before commit; nothing lazy-loads later.
    return async_sessionmaker(engine, expire_on_commit=False)
