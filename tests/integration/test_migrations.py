"""Alembic owns the schema: migrations must produce exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import Database, alembic_config
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


async def test_existing_users_are_moved_to_opt_in_and_nobody_is_assumed_to_live_in_utc(tmp_path: Path) -> None:
    """0006: nobody chose the old defaults (on, UTC), and nothing recorded who did, so everyone starts off."""
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        async with db.writer.connect() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0005"))
            await conn.execute(
                text(
                    "INSERT INTO users (display_name, language, timezone, region, reminders, weekly_picks, reachable,"
                    " created_at) VALUES ('Old', 'en', 'UTC', 'US', 1, 1, 1, '2026-01-01 00:00:00'),"
                    " ('Kenji', 'en', 'Asia/Tokyo', 'JP', 1, 1, 1, '2026-01-01 00:00:00')"
                )
            )
            await conn.commit()
        await db.upgrade()
        async with db.reader.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT display_name, timezone, weekly_picks, release_reminders, nudges, next_run_at"
                        " FROM users ORDER BY id"
                    )
                )
            ).all()
    finally:
        await db.dispose()
    assert [tuple(r) for r in rows] == [("Old", None, 0, 0, 0, None), ("Kenji", "Asia/Tokyo", 0, 0, 0, None)]
