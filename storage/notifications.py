"""The scheduled-message ledger and who may receive scheduled messages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import delete, select, update

from domain.models import Identity, Platform, Recipient
from storage.schema import IdentityRow, NotificationRow, UserRow
from storage.sql import SqlSession, upsert_insert

_SETTING = {"reminder": UserRow.reminders, "weekly": UserRow.weekly_picks}


class SqlNotificationRepository:
    """NotificationRepository on SQLAlchemy."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    async def recipients(self, kind: str) -> list[Recipient]:
        """Reachable users who want this kind of message, with their platform identities."""
        rows = await self._session.execute(
            select(UserRow.id, UserRow.display_name, UserRow.timezone, IdentityRow.platform, IdentityRow.external_id)
            .join(IdentityRow, IdentityRow.user_id == UserRow.id)
            .where(UserRow.reachable.is_(True), _SETTING[kind].is_(True))
            .order_by(UserRow.id, IdentityRow.id)
        )
        identities: dict[int, list[Identity]] = defaultdict(list)
        facts: dict[int, tuple[str, str]] = {}
        for user_id, name, timezone, platform, external_id in rows:
            identities[user_id].append(Identity(Platform(platform), external_id))
            facts[user_id] = (name, timezone)
        return [
            Recipient(user_id, facts[user_id][0], facts[user_id][1], tuple(ids)) for user_id, ids in identities.items()
        ]

    async def claim(self, user_id: int, kind: str, period: str, now: dt.datetime) -> bool:
        """Reserve the right to send; False when someone already did (or is doing) it."""
        stmt = (
            upsert_insert(self._session, NotificationRow.__table__)
            .values(user_id=user_id, kind=kind, period=period, status="sending", at=now)
            .on_conflict_do_nothing()
            .returning(NotificationRow.user_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def settle(self, user_id: int, kind: str, period: str, status: str) -> None:
        await self._session.execute(
            update(NotificationRow)
            .where(NotificationRow.user_id == user_id, NotificationRow.kind == kind, NotificationRow.period == period)
            .values(status=status)
        )

    async def release(self, user_id: int, kind: str, period: str) -> None:
        """Give a claim back after a temporary failure, so a later run tries again."""
        await self._session.execute(
            delete(NotificationRow).where(
                NotificationRow.user_id == user_id, NotificationRow.kind == kind, NotificationRow.period == period
            )
        )
