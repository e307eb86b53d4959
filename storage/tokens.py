"""Free text kept server-side behind short tokens, for button payloads."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from cachetools import LRUCache
from sqlalchemy import delete, select, update

from storage.schema import TokenRow
from storage.sql import SqlSession, upsert_insert

TOKEN_TTL = dt.timedelta(days=30)
REFRESH_AFTER = dt.timedelta(days=1)  # re-stamp a token at most daily, so repeated searches stay read-only
MEMO_SIZE = 10_000


def token_for(text: str) -> str:
    """A stable 10-character token for a text: the same query always gets the same token.

    Tokens carry no authority (anyone may search anything), so being derivable
    from the text is harmless and lets repeated searches share one row.
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest)[:10].decode("ascii").replace("-", "x").replace("_", "y")


class TokenMemo:
    """The tokens this process has seen stored, with when each was last stamped.

    A token always names the same text (it is derived from it), and stamps only
    move forward, so remembering them is safe across instances. Paging through
    results ("Next ›") and repeating a search then need no query at all.
    """

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._entries: LRUCache[str, tuple[str, dt.datetime]] = LRUCache(maxsize=size)

    def get(self, token: str) -> tuple[str, dt.datetime] | None:
        return self._entries.get(token)

    def remember(self, token: str, text: str, stamped_at: dt.datetime) -> None:
        known = self._entries.get(token)
        if known is None or known[1] < stamped_at:
            self._entries[token] = (text, stamped_at)


class SqlTokenRepository:
    """TokenRepository on SQLAlchemy; tokens expire after TOKEN_TTL."""

    def __init__(self, session: SqlSession, memo: TokenMemo | None = None, *, writable: bool = False) -> None:
        self._session = session
        self._memo = memo or TokenMemo()
        self._writable = writable
        self.stamped: list[
            tuple[str, str, dt.datetime]
        ] = []  # seen inside a write transaction: remembered once committed

    def remember_committed(self) -> None:
        for token, text, stamped_at in self.stamped:
            self._memo.remember(token, text, stamped_at)
        self.stamped.clear()

    async def _stamp(self, token: str, since: dt.datetime) -> tuple[str, dt.datetime] | None:
        """The token's text and stamp; the database is asked unless this process knows a stamp from `since` on."""
        known = self._memo.get(token)
        if known is None or known[1] < since:
            row = (
                await self._session.execute(select(TokenRow.text, TokenRow.created_at).where(TokenRow.token == token))
            ).first()
            if row is None:
                return None
            known = (row[0], row[1])
            if self._writable:
                self.stamped.append((token, *known))
            else:
                self._memo.remember(token, *known)
        return known

    async def put(self, text: str, now: dt.datetime) -> str:
        token = token_for(text)
        self.stamped.append((token, text, now))
        await self._session.execute(
            upsert_insert(self._session, TokenRow.__table__)
            .values(token=token, text=text, created_at=now)
            .on_conflict_do_nothing()
        )
        await self._session.execute(update(TokenRow).where(TokenRow.token == token).values(created_at=now))
        await self._session.execute(delete(TokenRow).where(TokenRow.created_at < now - TOKEN_TTL))
        return token

    async def fresh(self, text: str, now: dt.datetime) -> str | None:
        """The text's token if it exists and was refreshed within a day (so no write is needed)."""
        token = token_for(text)
        known = await self._stamp(token, now - REFRESH_AFTER)
        return token if known is not None and known[1] >= now - REFRESH_AFTER else None

    async def get(self, token: str, now: dt.datetime) -> str | None:
        known = await self._stamp(token, now - TOKEN_TTL)
        if known is None or known[1] < now - TOKEN_TTL:
            return None
        return known[0]
