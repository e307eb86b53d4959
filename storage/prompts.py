"""Pending prompts on SQLAlchemy: one row per (user, chat), replaced by each new question."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from domain.models import PendingPrompt, PromptKind
from storage.schema import PromptRow
from storage.sql import SqlSession, upsert_insert

PROMPT_SWEEP_AFTER = dt.timedelta(days=1)  # expired prompts older than this go whenever a new one is asked


class SqlPromptRepository:
    """PromptRepository: never cached, since another instance may have asked or answered a moment ago."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    async def get(self, user_id: int, chat: str, now: dt.datetime) -> PendingPrompt | None:
        stmt = select(PromptRow).where(PromptRow.user_id == user_id, PromptRow.chat == chat, PromptRow.expires_at > now)
        row = (await self._session.execute(stmt)).scalar_one_or_none()
        if row is None:
            return None
        return PendingPrompt(row.user_id, row.chat, PromptKind(row.kind), row.movie_id, row.expires_at)

    async def put(self, prompt: PendingPrompt) -> None:
        values = {
            "user_id": prompt.user_id,
            "chat": prompt.chat,
            "kind": prompt.kind.value,
            "movie_id": prompt.movie_id,
            "expires_at": prompt.expires_at,
        }
        insert = upsert_insert(self._session, PromptRow.__table__).values(**values)
        update = {k: insert.excluded[k] for k in ("kind", "movie_id", "expires_at")}
        await self._session.execute(insert.on_conflict_do_update(index_elements=["user_id", "chat"], set_=update))
        # Expired questions of anyone go with each new one, so the table stays the size of the live conversations.
        await self._session.execute(
            delete(PromptRow).where(PromptRow.expires_at <= prompt.expires_at - PROMPT_SWEEP_AFTER)
        )

    async def clear(self, user_id: int, chat: str) -> bool:
        stmt = (
            delete(PromptRow).where(PromptRow.user_id == user_id, PromptRow.chat == chat).returning(PromptRow.user_id)
        )
        return (await self._session.execute(stmt)).first() is not None
