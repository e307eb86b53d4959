"""Fixtures for the TMDb adapter: a running fake TMDb and catalogs wired to it with test-speed resilience."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.tmdb.cache import JsonCache, MemoryCache
from adapters.tmdb.catalog import TmdbCatalog
from adapters.tmdb.client import TmdbClient
from adapters.tmdb.resilience import CircuitBreaker, Resilient, RetryPolicy
from bot.bootstrap import Runtime, build
from bot.config import load_config
from tests.integration.tmdb.fake_tmdb import TOKEN, FakeTmdb


class ManualClock:
    """A monotonic clock for the circuit breaker that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SleepLog:
    """Stands in for asyncio.sleep in retries: records the waits, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTmdb]:
    server = FakeTmdb()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def breaker_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


CatalogFactory = Callable[..., TmdbCatalog]


@pytest.fixture
async def make_catalog(fake: FakeTmdb, breaker_clock: ManualClock, sleeps: SleepLog) -> AsyncIterator[CatalogFactory]:
    """Build catalogs against the fake: 0.5 s time budget, 3 attempts, breaker opening after 3 failures."""
    made: list[TmdbCatalog] = []

    def build(
        *, token: str | None = TOKEN, api_key: str | None = None, cache: JsonCache | None = None, timeout: float = 0.5
    ) -> TmdbCatalog:
        client = TmdbClient(fake.base_url, token=token, api_key=api_key, timeout=timeout)
        resilient = Resilient(
            RetryPolicy(attempts=3, base_delay=0.01),
            CircuitBreaker(threshold=3, cooldown=30, clock=breaker_clock),
            sleep=sleeps,
        )
        catalog = TmdbCatalog(client, cache or MemoryCache(), resilient=resilient)
        made.append(catalog)
        return catalog

    yield build
    for catalog in made:
        await catalog.aclose()


@pytest.fixture
async def catalog(make_catalog: CatalogFactory) -> TmdbCatalog:
    """A catalog whose configuration and genre list are already loaded (as after start-up)."""
    built = make_catalog()
    await built.start()
    return built


@pytest.fixture
async def tmdb_runtime(sqlite_url: str, fake: FakeTmdb, clock: object) -> AsyncIterator[Runtime]:
    """The whole bot built from configuration with TMDb pointing at the fake, on a fresh SQLite catalog."""
    config = load_config(env={"DATABASE_URL": sqlite_url, "TMDB_API_TOKEN": TOKEN, "TMDB_API_BASE_URL": fake.base_url})
    runtime = await build(config, clock=clock)  # type: ignore[arg-type]
    yield runtime
    await runtime.close()
