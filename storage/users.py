"""Users, their platform identities and settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update

from domain import schedule
from domain.models import Identity, User, UserSettings
from storage.read_cache import MISSING, CacheReader
from storage.schema import IdentityRow, UserRow
from storage.sql import SqlSession, upsert_insert

# Built once: a statement object memoizes its cache key, so each lookup skips rebuilding and re-keying it.
_FIND = (
    select(UserRow)
    .join(IdentityRow, IdentityRow.user_id == UserRow.id)
    .where(IdentityRow.platform == bindparam("platform"), IdentityRow.external_id == bindparam("external_id"))
)


def to_user(row: UserRow | Row[Any]) -> User:
    return User(
        id=row.id,
        display_name=row.display_name,
        settings=UserSettings(
            language=row.language,
            timezone=row.timezone,
            region=row.region,
            weekly_picks=row.weekly_picks,
            release_reminders=row.release_reminders,
            nudges=row.nudges,
            weekly_day=row.weekly_day,
            hour=row.send_hour,
            quiet_start=row.quiet_start,
            quiet_end=row.quiet_end,
        ),
        created_at=row.created_at,
        reachable=row.reachable,
    )


def settings_values(settings: UserSettings, now: dt.datetime) -> dict[str, object]:
    """Column values for a user's settings, with the next scheduled run they give."""
    return {
        "language": settings.language,
        "timezone": settings.timezone,
        "region": settings.region,
        "weekly_picks": settings.weekly_picks,
        "release_reminders": settings.release_reminders,
        "nudges": settings.nudges,
        "weekly_day": settings.weekly_day,
        "send_hour": settings.hour,
        "quiet_start": settings.quiet_start,
        "quiet_end": settings.quiet_end,
        "next_run_at": schedule.next_run(settings, now),
    }


class SqlUserRepository:
    """UserRepository on SQLAlchemy.

    Every chat message starts with `find`, so read-only units of work answer it
    from a short-lived cache (see `storage.read_cache`). Writes record which
    users they changed, so the unit of work can drop those entries after commit.
    """

    def __init__(self, session: SqlSession, cache: CacheReader | None = None) -> None:
        """`cache` only for read-only units of work: a write transaction may still roll back."""
        self._session = session
        self._cache = cache
        self.changed: set[int] = set()  # ids of users this unit of work changed

    async def find(self, identity: Identity) -> User | None:
        if self._cache is not None:
            cached: User | None = self._cache.get(identity)
            if cached is not MISSING:
                return cached
        row = (
            await self._session.execute(
                _FIND, {"platform": identity.platform.value, "external_id": identity.external_id}
            )
        ).scalar_one_or_none()
        user = to_user(row) if row else None
        if user is not None and self._cache is not None:  # unknown identities are not remembered: they register next
            self._cache.put(identity, user)
        return user

    async def get(self, user_id: int) -> User | None:
        row = await self._session.get(UserRow, user_id)
        return to_user(row) if row else None

    async def get_or_create(self, identity: Identity, display_name: str, now: dt.datetime) -> User:
        """Create the identity's user, or return the one it already has; safe when two first messages race.

        Callers come here after a lookup found nothing, so this inserts first:
        a newcomer costs two statements inside the single writer's transaction.
        The identity's unique constraint decides a race: the loser's fresh user
        row is removed and the winner's user returned.
        """
        users = UserRow.__table__
        created = (
            await self._session.execute(
                insert(users).values(display_name=display_name[:120] or "movie fan", created_at=now).returning(*users.c)
            )
        ).one()
        won = (
            await self._session.execute(
                upsert_insert(self._session, IdentityRow.__table__)
                .values(user_id=created.id, platform=identity.platform.value, external_id=identity.external_id)
                .on_conflict_do_nothing()
                .returning(IdentityRow.id)
            )
        ).first()
        if won is not None:
            return to_user(created)
        await self._session.execute(delete(UserRow).where(UserRow.id == created.id))
        winner = await self.find(identity)
        assert winner is not None
        return winner

    async def update_settings(self, user_id: int, settings: UserSettings, now: dt.datetime) -> None:
        self.changed.add(user_id)
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(**settings_values(settings, now))
        )

    async def set_reachable(self, user_id: int, reachable: bool) -> None:
        self.changed.add(user_id)
        await self._session.execute(update(UserRow).where(UserRow.id == user_id).values(reachable=reachable))
