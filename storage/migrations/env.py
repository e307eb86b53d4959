"""Alembic environment: runs on a connection we hand it (the app and tests), or on DATABASE_URL.

The application shares its own connection through `config.attributes["connection"]`
so migrations run inside the running event loop (Alembic's asyncio cookbook).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.database import async_url
from storage.schema import Base

target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_from_url(url: str) -> None:
    engine = create_async_engine(async_url(url))
    async with engine.connect() as conn:
        await conn.run_sync(_migrate)
        await conn.commit()
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _migrate(connection)
else:
    asyncio.run(_migrate_from_url(os.environ.get("DATABASE_URL", "sqlite:///data/moviebot.sqlite3")))
