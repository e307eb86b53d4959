"""The scheduled-message ledger, whose runs are due, and what a run has to say."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, or_, select, update

from domain.models import (
    ClaimedMessage,
    Identity,
    MessageKind,
    MessageStatus,
    PlannedMessage,
    Platform,
    Recipient,
    ScheduledUser,
)
from storage.schema import IdentityRow, MovieRow, ReleaseDateRow, ScheduledMessageRow, UserRow, WatchlistRow
from storage.sql import SqlSession, dialect_of, upsert_insert
from storage.users import to_user

_OPEN = (MessageStatus.QUEUED, MessageStatus.CLAIMED, MessageStatus.SENDING)
_FINAL = [s.value for s in MessageStatus if s not in _OPEN]
_QUEUED, _CLAIMED, _SENDING = (s.value for s in _OPEN)
_LEDGER = ScheduledMessageRow.__table__.c


class SqlNotificationRepository:
    """NotificationRepository on SQLAlchemy; every query here is served by an index on the ledger or users."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    async def due_users(self, now: dt.datetime, limit: int) -> list[ScheduledUser]:
        rows = await self._session.execute(
            select(UserRow).where(UserRow.next_run_at <= now).order_by(UserRow.next_run_at).limit(limit)
        )
        result = []
        for row in rows.scalars():
            user = to_user(row)
            assert row.next_run_at is not None
            result.append(ScheduledUser(user.id, user.settings, row.next_run_at, user.reachable))
        return result

    async def advance(self, user_id: int, expected: dt.datetime, next_run_at: dt.datetime | None) -> bool:
        # Compare-and-set: of two planners that read the same due run, only one moves it on (and plans it).
        result = await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.next_run_at == expected)
            .values(next_run_at=next_run_at)
            .returning(UserRow.id)
        )
        return result.first() is not None

    async def plan(self, messages: Sequence[PlannedMessage], now: dt.datetime) -> int:
        if not messages:
            return 0
        stmt = (
            upsert_insert(self._session, ScheduledMessageRow.__table__)
            .values(
                [
                    {
                        "user_id": m.user_id,
                        "kind": m.kind.value,
                        "period": m.period,
                        "movie_id": m.movie_id,
                        "status": _QUEUED,
                        "due_at": m.due_at,
                        "window_end": m.window_end,
                        "next_attempt_at": m.due_at,
                        "attempts": 0,
                        "updated_at": now,
                    }
                    for m in messages
                ]
            )
            .on_conflict_do_nothing()
            .returning(_LEDGER.id)
        )
        return len((await self._session.execute(stmt)).all())

    async def releases_on(self, user_id: int, day: dt.date, region: str) -> list[int]:
        start_of_day = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        regional = ReleaseDateRow.__table__.c
        rows = await self._session.execute(
            select(WatchlistRow.movie_id)
            .join(MovieRow, MovieRow.id == WatchlistRow.movie_id)
            .outerjoin(ReleaseDateRow, and_(regional.movie_id == MovieRow.id, regional.region == region))
            .where(
                WatchlistRow.user_id == user_id,
                WatchlistRow.watched_at.is_(None),
                func.coalesce(regional.release_date, MovieRow.release_date) == day,
                WatchlistRow.added_at < start_of_day,
            )
            .order_by(WatchlistRow.added_at)
        )
        return list(rows.scalars())

    async def nudge_candidate(self, user_id: int, added_before: dt.datetime, now: dt.datetime) -> int | None:
        row = await self._session.execute(
            select(WatchlistRow.movie_id)
            .where(
                WatchlistRow.user_id == user_id,
                WatchlistRow.watched_at.is_(None),
                WatchlistRow.added_at <= added_before,
                or_(
                    # Snoozed: due again when the snooze ends ("remind me in two weeks")...
                    and_(WatchlistRow.snoozed_until.is_not(None), WatchlistRow.snoozed_until <= now),
                    # ...otherwise once per waiting period.
                    and_(
                        WatchlistRow.snoozed_until.is_(None),
                        or_(WatchlistRow.nudged_at.is_(None), WatchlistRow.nudged_at <= added_before),
                    ),
                ),
            )
            .order_by(WatchlistRow.added_at, WatchlistRow.movie_id)
            .limit(1)
        )
        return row.scalar_one_or_none()

    async def mark_nudged(self, user_id: int, movie_id: int, now: dt.datetime) -> None:
        await self._session.execute(
            update(WatchlistRow)
            .where(WatchlistRow.user_id == user_id, WatchlistRow.movie_id == movie_id)
            .values(nudged_at=now, snoozed_until=None)
        )

    async def claim_next(self, now: dt.datetime, lease_until: dt.datetime) -> ClaimedMessage | None:
        oldest_due = (
            select(_LEDGER.id)
            .where(_LEDGER.status == _QUEUED, _LEDGER.next_attempt_at <= now)
            .order_by(_LEDGER.next_attempt_at, _LEDGER.id)
            .limit(1)
        )
        if dialect_of(self._session) == "postgresql":
            oldest_due = oldest_due.with_for_update(skip_locked=True)  # concurrent claimers take different rows
        # The status check is repeated outside the subquery: PostgreSQL re-reads it on the row it locks.
        claimed = (
            await self._session.execute(
                update(ScheduledMessageRow)
                .where(_LEDGER.id == oldest_due.scalar_subquery(), _LEDGER.status == _QUEUED)
                .values(status=_CLAIMED, lease_until=lease_until, attempts=_LEDGER.attempts + 1, updated_at=now)
                .returning(
                    _LEDGER.id, _LEDGER.user_id, _LEDGER.kind, _LEDGER.movie_id, _LEDGER.attempts, _LEDGER.window_end
                )
            )
        ).first()
        if claimed is None:
            return None
        recipient = await self._recipient(claimed.user_id)
        return ClaimedMessage(
            claimed.id,
            MessageKind(claimed.kind),
            claimed.movie_id or None,
            claimed.attempts,
            claimed.window_end,
            recipient,
        )

    async def _recipient(self, user_id: int) -> Recipient:
        user_row = await self._session.get(UserRow, user_id)
        assert user_row is not None  # the ledger row's foreign key cascades
        user = to_user(user_row)
        identities = await self._session.execute(
            select(IdentityRow.platform, IdentityRow.external_id)
            .where(IdentityRow.user_id == user_id)
            .order_by(IdentityRow.id)
        )
        return Recipient(
            user.id,
            user.display_name,
            user.settings,
            tuple(Identity(Platform(p), e) for p, e in identities),
            user.reachable,
        )

    async def mark_sending(self, message_id: int, now: dt.datetime) -> None:
        await self._session.execute(
            update(ScheduledMessageRow)
            .where(_LEDGER.id == message_id, _LEDGER.status == _CLAIMED)
            .values(status=_SENDING, updated_at=now)
        )

    async def settle(self, message_id: int, status: MessageStatus, now: dt.datetime) -> None:
        await self._session.execute(
            update(ScheduledMessageRow)
            .where(_LEDGER.id == message_id)
            .values(status=status.value, lease_until=None, updated_at=now)
        )

    async def retry_at(self, message_id: int, at: dt.datetime, now: dt.datetime) -> None:
        await self._session.execute(
            update(ScheduledMessageRow)
            .where(_LEDGER.id == message_id, _LEDGER.status.in_((_CLAIMED, _SENDING)))
            .values(status=_QUEUED, next_attempt_at=at, lease_until=None, updated_at=now)
        )

    async def expire(self, now: dt.datetime) -> int:
        result = await self._session.execute(
            update(ScheduledMessageRow)
            .where(_LEDGER.status == _QUEUED, _LEDGER.window_end <= now)
            .values(status=MessageStatus.EXPIRED.value, updated_at=now)
            .returning(_LEDGER.id)
        )
        return len(result.all())

    async def take_over(self, now: dt.datetime) -> int:
        await self._session.execute(  # composed but never handed over: safe to send
            update(ScheduledMessageRow)
            .where(_LEDGER.status == _CLAIMED, _LEDGER.lease_until <= now)
            .values(status=_QUEUED, lease_until=None, updated_at=now)
        )
        result = await self._session.execute(
            update(ScheduledMessageRow)
            .where(_LEDGER.status == _SENDING, _LEDGER.lease_until <= now)
            .values(status=MessageStatus.UNKNOWN.value, lease_until=None, updated_at=now)
            .returning(_LEDGER.id)
        )
        return len(result.all())

    async def prune(self, before: dt.datetime) -> int:
        result = await self._session.execute(
            delete(ScheduledMessageRow)
            .where(_LEDGER.updated_at < before, _LEDGER.status.in_(_FINAL))
            .returning(_LEDGER.id)
        )
        return len(result.all())

    async def counts(self, since: dt.datetime) -> dict[MessageStatus, int]:
        rows = await self._session.execute(
            select(_LEDGER.status, func.count()).where(_LEDGER.updated_at >= since).group_by(_LEDGER.status)
        )
        return {MessageStatus(status): n for status, n in rows.all()}
