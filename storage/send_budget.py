"""The per-bot send budget shared by every instance: one PostgreSQL row or one Redis key per budget name.

Each reservation is one atomic step on the shared store that applies
domain.pacing's rule, `tat = max(tat, now) + cost` (for a scheduled message only
once its slot is within the lookahead), with the store's clock as `now`, so
instances on different machines agree on time without trusting their own
clocks. The store answers the new tat and its clock; the slot follows from them
(`domain.pacing.send_in`).

Within one process scheduled callers queue on an asyncio.Lock and only the head
of the queue asks for a slot (see bot.pacing for why), which also keeps the
store's load at about two statements per message and instance instead of one per
waiting reminder.

When the store fails or does not answer within `timeout`, messages must still go
out: with a `fallback` budget (the in-process one) they are paced by it, and the
store is asked again only every few seconds (each try may cost a timeout); a
warning says so once. Without a fallback the error propagates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import (
    Float,
    Interval,
    Select,
    cast,
    extract,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.pacing import Pace, Priority, ask_again_in, send_in
from domain.ports import SendBudget
from storage.schema import SendBudgetRow

log = logging.getLogger(__name__)

NAME_LIMIT = 32
MIN_RETRY_SECONDS = 0.001  # a stale snapshot may say "now": do not spin on it
STORE_TIMEOUT_SECONDS = 1.0  # a reservation normally takes a millisecond or two; a hung store must not stall sends
STORE_RETRY_SECONDS = 5.0  # after a failure, ask the store again only this much later: each try may cost a timeout

send_budget = SendBudgetRow.__table__  # migration 0006


def _epoch(value: Any) -> Any:
    return cast(extract("epoch", value), Float)


class _SharedBudget:
    """What the PostgreSQL and Redis budgets share: the per-process queue, the pacing and the fallback."""

    _errors: tuple[type[BaseException], ...] = (OSError, TimeoutError)

    def __init__(self, name: str, pace: Pace | None, fallback: SendBudget | None, timeout: float) -> None:
        if not 0 < len(name) <= NAME_LIMIT:
            raise ValueError(f"a budget name has 1 to {NAME_LIMIT} characters, not {len(name)}")
        self.name = name
        self.pace = pace or Pace()
        self._fallback, self._timeout = fallback, timeout
        self._scheduled = asyncio.Lock()
        self._healthy = True
        self._store_back_at = 0.0  # after a failure, the fallback paces alone until then (monotonic)

    async def _advance(self, cost: float, lookahead: float | None) -> tuple[bool, float | None, float]:
        """Move the shared tat by `cost` unless it is more than `lookahead` ahead of the store's clock.

        Returns whether it moved, the tat (the new one, or the one that was too far
        ahead, None if unknown) and the store's now, in epoch seconds.
        """
        raise NotImplementedError

    async def take(self, priority: Priority) -> None:
        """Return when one message of this priority may be sent."""
        if priority is Priority.INTERACTIVE:
            await self._take(priority)
            return
        async with self._scheduled:
            await self._take(priority)

    async def _take(self, priority: Priority) -> None:
        cost = self.pace.cost(priority)
        lookahead = None if priority is Priority.INTERACTIVE else self.pace.lookahead
        while True:
            if self._fallback is not None and time.monotonic() < self._store_back_at:
                await self._fallback.take(priority)
                return
            try:
                async with asyncio.timeout(self._timeout):
                    granted, tat, now = await self._advance(cost, lookahead)
            except self._errors as exc:
                if self._fallback is None:
                    raise
                if self._healthy:
                    log.warning(
                        "send budget %s unavailable (%s); pacing in this process only until it answers",
                        self.name,
                        type(exc).__name__,
                    )
                self._healthy = False
                self._store_back_at = time.monotonic() + STORE_RETRY_SECONDS
                continue
            if not self._healthy:
                log.info("send budget %s answers again", self.name)
                self._healthy = True
            if granted:
                assert tat is not None
                wait = send_in(tat, now, priority, self.pace)
                if wait > 0:
                    await asyncio.sleep(wait)
                return
            # Someone else holds the next slots: come back when the one after them is due.
            again = cost if tat is None else ask_again_in(tat, now, self.pace)
            await asyncio.sleep(max(again, MIN_RETRY_SECONDS))


class PostgresSendBudget(_SharedBudget):
    """The `SendBudget` port on one row of `send_budget`, with PostgreSQL's clock_timestamp() as the clock.

    One autocommit statement per attempt: INSERT … ON CONFLICT DO UPDATE takes
    the row lock, so concurrent reservations from any number of instances
    serialize on the row and each sees the tat the previous one left. The
    condition (scheduled only) is evaluated on that locked row too; when it
    fails, the tat from the statement's snapshot says when to ask again (it may
    be a little old, which only means asking again a little early).
    """

    _errors = (SQLAlchemyError, OSError, TimeoutError)

    def __init__(
        self,
        engine: AsyncEngine,
        name: str,
        pace: Pace | None = None,
        *,
        fallback: SendBudget | None = None,
        timeout: float = STORE_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(name, pace, fallback, timeout)
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    def statement(self, cost: float, lookahead: float | None) -> Select[float | None, float | None, float]:
        """The one statement of a reservation (public so the migration's reviewers can print it)."""
        step = literal(dt.timedelta(seconds=cost), Interval)
        row = send_budget.c
        upsert = insert(send_budget).values(name=self.name, tat=func.clock_timestamp() + step)
        taken = (
            upsert.on_conflict_do_update(
                index_elements=[row.name],
                set_={"tat": func.greatest(row.tat, func.clock_timestamp()) + step},
                where=None
                if lookahead is None
                else row.tat <= func.clock_timestamp() + literal(dt.timedelta(seconds=lookahead), Interval),
            )
            .returning(row.tat)
            .cte("taken")
        )
        prior = select(row.tat).where(row.name == self.name).scalar_subquery()
        return select(_epoch(select(taken.c.tat).scalar_subquery()), _epoch(prior), _epoch(func.clock_timestamp()))

    async def _advance(self, cost: float, lookahead: float | None) -> tuple[bool, float | None, float]:
        async with self._engine.connect() as conn:
            taken, prior, now = (await conn.execute(self.statement(cost, lookahead))).one()
        if taken is not None:
            return True, float(taken), float(now)
        return False, None if prior is None else float(prior), float(now)


# KEYS[1] the budget's key; ARGV[1] the cost in seconds, ARGV[2] the lookahead ('inf': always reserve). Redis
# TIME is the clock (scripts may call it since Redis 5 replicates their effects, not the script). The key
# expires a second after its tat: an expired key and a tat in the past mean the same thing. Numbers go back as
# strings: Redis would truncate a Lua float to an integer.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if ARGV[2] ~= 'inf' and tat - now > tonumber(ARGV[2]) then
    return {0, string.format('%.6f', tat), string.format('%.6f', now)}
end
tat = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
return {1, string.format('%.6f', tat), string.format('%.6f', now)}
"""


class RedisSendBudget(_SharedBudget):
    """The `SendBudget` port on one Redis key (`prefix + name`), reserved by a Lua script using Redis TIME."""

    _errors = (RedisError, OSError, TimeoutError)

    def __init__(
        self,
        client: aioredis.Redis,
        name: str,
        pace: Pace | None = None,
        *,
        prefix: str = "moviebot:send_budget:",
        fallback: SendBudget | None = None,
        timeout: float = STORE_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(name, pace, fallback, timeout)
        self.key = prefix + name
        self._script = client.register_script(_RESERVE)

    async def _advance(self, cost: float, lookahead: float | None) -> tuple[bool, float | None, float]:
        args = [repr(cost), "inf" if lookahead is None else repr(lookahead)]
        granted, tat, now = await self._script(keys=[self.key], args=args)
        return bool(granted), float(tat), float(now)


def shared_send_budget(
    name: str, *, redis_url: str | None, engine: AsyncEngine | None, fallback: SendBudget
) -> SendBudget:
    """The deployment's shared budget: Redis when configured, else the PostgreSQL database, else `fallback`.

    `engine` is the PostgreSQL engine (None on SQLite, where one process is the
    deployment and the in-process budget is the whole truth).
    """
    if redis_url:
        return RedisSendBudget(aioredis.from_url(redis_url), name, fallback=fallback)
    if engine is not None:
        return PostgresSendBudget(engine, name, fallback=fallback)
    return fallback
