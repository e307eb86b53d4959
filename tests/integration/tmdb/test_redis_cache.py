"""The Redis-backed cache against the real Redis at 127.0.0.1:6379: shared between instances, credential-free keys.

Skipped with a reason when no Redis answers. Each test uses its own key prefix
and deletes its keys, so it can share the server with anyone.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from adapters.tmdb.cache import MAX_TTL, CachePolicy, RedisCache
from adapters.tmdb.catalog import TmdbCatalog
from domain.catalog import CatalogUnavailable
from tests.budgets import REDIS_HOST, REDIS_PORT, redis_unreachable
from tests.integration.tmdb.conftest import CatalogFactory
from tests.integration.tmdb.fake_tmdb import API_KEY, TOKEN, FakeTmdb, Fault


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    reason = redis_unreachable("Redis cache")
    if reason:
        pytest.skip(reason)
    name = f"moviebot-test:{uuid.uuid4().hex[:12]}:"
    yield name
    client = aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    keys = [k async for k in client.scan_iter(match=f"{name}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def _cache(prefix: str) -> RedisCache:
    return RedisCache(aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT), prefix=prefix)


async def _keys(prefix: str) -> dict[str, int]:
    client = aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT, decode_responses=True)
    try:
        return {k: await client.ttl(k) async for k in client.scan_iter(match=f"{prefix}*")}
    finally:
        await client.aclose()


async def test_two_instances_share_one_cache(make_catalog: CatalogFactory, fake: FakeTmdb, prefix: str) -> None:
    first, second = make_catalog(cache=_cache(prefix)), make_catalog(token=None, api_key=API_KEY, cache=_cache(prefix))
    page = await first.search("fight club")
    draft = await first.details(550)
    sent = fake.total

    assert await second.search("fight club") == page
    assert await second.details(550) == draft
    assert fake.total == sent  # the second instance (other credentials, same data) asked Redis, not TMDb

    keys = await _keys(prefix)
    assert any(k.endswith("/search/movie?include_adult=false&language=en-US&page=1&query=fight+club") for k in keys)
    assert not any(TOKEN in k or API_KEY in k or "api_key" in k for k in keys)
    assert all(0 < ttl <= MAX_TTL for ttl in keys.values())


async def test_errors_are_never_stored(make_catalog: CatalogFactory, fake: FakeTmdb, prefix: str) -> None:
    catalog = make_catalog(cache=_cache(prefix))
    fake.fail(*[Fault(503)] * 3)
    with pytest.raises(CatalogUnavailable):
        await catalog.search("fight club")
    assert await catalog.details(4242) is None
    assert not any("/search/" in k or "/movie/4242" in k for k in await _keys(prefix))


async def test_ttls_are_capped_at_six_months(prefix: str) -> None:
    cache = RedisCache(
        aioredis.Redis(host=REDIS_HOST, port=REDIS_PORT),
        {"static": CachePolicy(ttl=10 * 365 * 86400, maxsize=1)},
        prefix=prefix,
    )
    await cache.set("static", "/configuration", {"images": {}})
    await cache.aclose()
    (ttl,) = (await _keys(prefix)).values()
    assert MAX_TTL - 5 <= ttl <= MAX_TTL


async def test_an_unreachable_redis_degrades_to_no_cache(
    make_catalog: CatalogFactory, fake: FakeTmdb, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caplog.set_level(logging.DEBUG)
    catalog: TmdbCatalog = make_catalog(cache=RedisCache.from_url(f"redis://:hunter2@127.0.0.1:{port}/0"))
    assert (await catalog.search("fight club")).items
    assert (await catalog.search("fight club")).items
    assert fake.calls["/search/movie"] == 2
    assert "Redis cache unavailable" in caplog.text
    assert "hunter2" not in caplog.text
