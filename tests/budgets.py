"""Shared send budgets for tests: instances of one PostgreSQL or Redis budget, each with its own connections.

Each instance is what one bot process would build: its own engine or Redis
connection pool and its own `SendBudget`; only the row or the key is shared.
Redis tests skip with a reason when no Redis answers (PostgreSQL's skip comes
from the `pg_url` fixture).
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from domain.ports import SendBudget
from storage.database import async_url
from storage.send_budget import PostgresSendBudget, RedisSendBudget

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379

MakeBudget = Callable[[], SendBudget]


def redis_unreachable(what: str = "Redis send budget") -> str | None:
    """Why `what`'s tests must skip (the local Redis does not answer), or None."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return None
    except OSError as exc:
        return f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT} ({exc}); {what} tests skipped"


@contextlib.asynccontextmanager
async def postgres_budgets(url: str) -> AsyncIterator[MakeBudget]:
    """Instances of one budget on the migrated PostgreSQL database at `url`."""
    engines: list[AsyncEngine] = []
    name = f"telegram:{uuid.uuid4().hex[:8]}"

    def make() -> SendBudget:
        engine = create_async_engine(async_url(url))
        engines.append(engine)
        return PostgresSendBudget(engine, name)

    try:
        yield make
    finally:
        for engine in engines:
            await engine.dispose()


@contextlib.asynccontextmanager
async def redis_budgets() -> AsyncIterator[MakeBudget]:
    """Instances of one budget on the local Redis, under a key no other test uses."""
    reason = redis_unreachable()
    if reason:
        pytest.skip(reason)
    clients: list[aioredis.Redis] = []
    prefix = f"moviebot:test:{uuid.uuid4().hex[:8]}:"

    def make() -> SendBudget:
        client = aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT)
        clients.append(client)
        return RedisSendBudget(client, "telegram:1", prefix=prefix)

    try:
        yield make
    finally:
        for client in clients:
            await client.delete(f"{prefix}telegram:1")
            await client.aclose()
