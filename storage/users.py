"""Users, their platform identities and settings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Identity, User, UserSettings
from storage.schema import IdentityRow, UserRow
from storage.sql import upsert_insert


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        display_name=row.display_name,
        settings=UserSettings(
            language=row.language,
            timezone=row.timezone,
            region=row.region,
            reminders=row.reminders,
            weekly_picks=row.weekly_picks,
        ),
        created_at=row.created_at,
        reachable=row.reachable,
    )


class SqlUserRepository:
    """UserRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, identity: Identity) -> User | None:
        row = (
            await self._session.execute(
                select(UserRow)
                .join(IdentityRow, IdentityRow.user_id == UserRow.id)
                .where(IdentityRow.platform == identity.platform.value, IdentityRow.external_id == identity.external_id)
            )
        ).scalar_one_or_none()
        return to_user(row) if row else None

    async def get(self, user_id: int) -> User | None:
        row = await self._session.get(UserRow, user_id)
        return to_user(row) if row else None

    async def get_or_create(self, identity: Identity, display_name: str, now: dt.datetime) -> User:
        """Find the identity's user or create both; safe when two first messages race.

        The identity's unique constraint decides the race: the loser's fresh user
        row is removed and the winner's user returned.
        """
        existing = await self.find(identity)
        if existing is not None:
            return existing
        user = UserRow(display_name=display_name[:120] or "movie fan", created_at=now)
        self._session.add(user)
        await self._session.flush()
        won = (
            await self._session.execute(
                upsert_insert(self._session, IdentityRow.__table__)
                .values(user_id=user.id, platform=identity.platform.value, external_id=identity.external_id)
                .on_conflict_do_nothing()
                .returning(IdentityRow.id)
            )
        ).first()
        if won is None:
            await self._session.delete(user)
            await self._session.flush()
            winner = await self.find(identity)
            assert winner is not None
            return winner
        return to_user(user)

    async def update_settings(self, user_id: int, settings: UserSettings) -> None:
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(
                language=settings.language,
                timezone=settings.timezone,
                region=settings.region,
                reminders=settings.reminders,
                weekly_picks=settings.weekly_picks,
            )
        )

    async def set_reachable(self, user_id: int, reachable: bool) -> None:
        await self._session.execute(update(UserRow).where(UserRow.id == user_id).values(reachable=reachable))
