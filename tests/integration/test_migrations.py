"""Alembic owns the schema: migrations must produce exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.schema import Base


async def test_migrated_database_matches_the_models(any_db_url: str) -> None:
    db = Database(any_db_url)

    def diff(conn: Connection) -> list[object]:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)

    try:
        async with db.reader.connect() as conn:
            differences = await conn.run_sync(diff)
    finally:
        await db.dispose()
    assert differences == []
