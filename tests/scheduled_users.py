"""Many opted-in users in one go, for the broadcast bench and the crash test (SQL, not one /start each)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select, text, update

from storage.database import Database
from storage.schema import FavoriteRow, IdentityRow, MovieRow, UserRow

BATCH = 5000


async def seed_opted_in(url: str, users: int, first_chat: int, now: dt.datetime) -> None:
    """`users` Telegram users (chats first_chat…) with weekly picks on for today at this hour, UTC, one favorite each.

    Their run is not due yet: `make_due` starts the broadcast.
    """
    database = Database(url)
    try:
        async with database.writer.begin() as conn:
            by_popularity = select(MovieRow.id).order_by(MovieRow.popularity.desc()).limit(300)
            popular = list((await conn.execute(by_popularity)).scalars())
            first_id = ((await conn.execute(select(UserRow.id).order_by(UserRow.id.desc()).limit(1))).scalar() or 0) + 1
            rng = random.Random(7)
            for start in range(0, users, BATCH):
                chunk = range(start, min(users, start + BATCH))
                await conn.execute(
                    insert(UserRow.__table__),
                    [
                        {
                            "id": first_id + i,
                            "display_name": f"Broadcast {i}",
                            "language": "en",
                            "timezone": "UTC",
                            "region": "US",
                            "weekly_picks": True,
                            "release_reminders": False,
                            "nudges": False,
                            "weekly_day": now.weekday(),
                            "send_hour": now.hour,
                            "quiet_start": None,
                            "quiet_end": None,
                            "next_run_at": None,
                            "reachable": True,
                            "created_at": now,
                        }
                        for i in chunk
                    ],
                )
                await conn.execute(
                    insert(IdentityRow.__table__),
                    [
                        {"user_id": first_id + i, "platform": "telegram", "external_id": str(first_chat + i)}
                        for i in chunk
                    ],
                )
                await conn.execute(
                    insert(FavoriteRow.__table__),
                    [{"user_id": first_id + i, "movie_id": rng.choice(popular), "added_at": now} for i in chunk],
                )
            if conn.dialect.name == "postgresql":  # ids given explicitly: move the sequence past them
                await conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users"))
    finally:
        await database.dispose()


async def make_due(url: str, now: dt.datetime) -> None:
    """Everyone seeded by `seed_opted_in` is due now."""
    database = Database(url)
    try:
        async with database.writer.begin() as conn:
            await conn.execute(update(UserRow).where(UserRow.display_name.like("Broadcast %")).values(next_run_at=now))
    finally:
        await database.dispose()
