"""Alembic environment.

The bot passes its own open connection (``config.attributes["connection"]``) so migrations run inside its
event loop. Run as plain ``alembic upgrade head``, the URL comes from ``load_settings()``.
"""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.models import Base

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    from bot.config import load_settings
    from bot.db.engine import create_engine

    engine = create_engine(load_settings().database.url)
    async with engine.begin() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    asyncio.run(run_standalone())
