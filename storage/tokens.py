"""Free text kept server-side behind short tokens, for button payloads."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.schema import TokenRow
from storage.sql import upsert_insert

TOKEN_TTL = dt.timedelta(days=30)
REFRESH_AFTER = dt.timedelta(days=1)  # re-stamp a token at most daily, so repeated searches stay read-only


def token_for(text: str) -> str:
    """A stable 10-character token for a text: the same query always gets the same token.

    Tokens carry no authority (anyone may search anything), so being derivable
    from the text is harmless and lets repeated searches share one row.
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest)[:10].decode("ascii").replace("-", "x").replace("_", "y")


class SqlTokenRepository:
    """TokenRepository on SQLAlchemy; tokens expire after TOKEN_TTL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, text: str, now: dt.datetime) -> str:
        token = token_for(text)
        await self._session.execute(
            upsert_insert(self._session, TokenRow.__table__).values(token=token, text=text, created_at=now).on_conflict_do_nothing()
        )
        await self._session.execute(update(TokenRow).where(TokenRow.token == token).values(created_at=now))
        await self._session.execute(delete(TokenRow).where(TokenRow.created_at < now - TOKEN_TTL))
        return token

    async def fresh(self, text: str, now: dt.datetime) -> str | None:
        """The text's token if it exists and was refreshed within a day (so no write is needed)."""
        token = token_for(text)
        row = (await self._session.execute(select(TokenRow.created_at).where(TokenRow.token == token))).first()
        return token if row is not None and row[0] >= now - REFRESH_AFTER else None

    async def get(self, token: str, now: dt.datetime) -> str | None:
        row = (await self._session.execute(select(TokenRow).where(TokenRow.token == token))).scalar_one_or_none()
        if row is None or row.created_at < now - TOKEN_TTL:
            return None
        return row.text
