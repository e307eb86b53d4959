"""Shared fixtures: real databases seeded with the bundled catalog, and a clock tests control.

Seeding 9,000 movies takes a couple of seconds, so it happens once per session
into a template (a SQLite file; a PostgreSQL template database) that each test
copies. PostgreSQL tests skip with a visible reason when no server answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.bootstrap import Runtime, build
from bot.config import load_config
from bot.services import Requester
from domain.models import Platform
from tests.budgets import MakeBudget, postgres_budgets
from tests.budgets import redis_budgets as redis_store_budgets
from tests.driver import Driver

# No per-example deadline (a loaded machine is not a bug); in CI, the same examples every run.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = os.environ.get("MOVIEBOT_TEST_PG", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test")


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def config_for(url: str) -> object:
    return load_config(env={"DATABASE_URL": url})


async def _seed(url: str) -> None:
    runtime = await build(config_for(url))  # type: ignore[arg-type]
    await runtime.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_seed(f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite file with the bundled catalog, for this test only."""
    target = tmp_path / "moviebot.sqlite3"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


def _pg_reachable() -> str | None:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return None
    except OSError as exc:
        return f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} ({exc}); PostgreSQL tests skipped"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


_pg_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    name = f"moviebot_tmpl_{os.getpid()}"
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name}"))
    asyncio.run(_pg_admin(f"CREATE DATABASE {name}"))
    asyncio.run(_seed(f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"))
    yield name
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def pg_url(pg_template: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database cloned from the seeded template, for this test only."""
    name = f"moviebot_t{os.getpid()}_{next(_pg_counter)}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    yield f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"
    await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on a SQLite file and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
async def runtime(sqlite_url: str, clock: FakeClock) -> AsyncIterator[Runtime]:
    rt = await build(config_for(sqlite_url), clock=clock)  # type: ignore[arg-type]
    yield rt
    await rt.close()


@pytest.fixture
def movie_bot(runtime: Runtime) -> Driver:
    return Driver(runtime.core)


@pytest.fixture
def alice() -> Requester:
    return Requester(Platform.TELEGRAM, "1001", "Alice")


@pytest.fixture
def bob() -> Requester:
    return Requester(Platform.DISCORD, "2002", "Bob")


@pytest.fixture
async def pg_budgets(pg_url: str) -> AsyncIterator[MakeBudget]:
    """Make instances of one send budget on a fresh PostgreSQL database, each on its own engine."""
    async with postgres_budgets(pg_url) as make:
        yield make


@pytest.fixture
async def redis_budgets() -> AsyncIterator[MakeBudget]:
    """Make instances of one send budget on the local Redis, each with its own client."""
    async with redis_store_budgets() as make:
        yield make


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "redis"])
def shared_budgets(request: pytest.FixtureRequest) -> MakeBudget:
    """Run the test on a PostgreSQL-backed and on a Redis-backed shared send budget."""
    return request.getfixturevalue({"postgres": "pg_budgets", "redis": "redis_budgets"}[request.param])  # type: ignore[no-any-return]
