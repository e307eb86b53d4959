"""TMDb's six-month limit: stored TMDb movies are stamped, refreshed when old, stripped when TMDb drops them.

The refresh runs months after the movies were stored, so it gets its own
catalog (an empty cache, as the bot's would be by then) against the same fake,
and the fake's per-path counters show exactly which movies were fetched again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from bot.bootstrap import Runtime
from bot.catalog_refresh import refresh_stale_tmdb
from bot.reply import plain_text
from bot.services import Requester
from domain.models import Movie
from storage.database import Database, alembic_config
from tests.conftest import FakeClock
from tests.driver import Driver
from tests.integration.tmdb import fake_tmdb
from tests.integration.tmdb.conftest import CatalogFactory
from tests.integration.tmdb.fake_tmdb import FakeTmdb, Fault

DAYS_150 = dt.timedelta(days=150)


async def _stored(runtime: Runtime, tmdb_id: int) -> Movie:
    async with runtime.uow() as uow:
        movie = await uow.movies.get_by_tmdb(tmdb_id)
    assert movie is not None
    return movie


async def _stale(runtime: Runtime, now: dt.datetime) -> list[int | None]:
    async with runtime.uow() as uow:
        return [m.tmdb_id for m in await uow.movies.stale_tmdb(now - DAYS_150, 10)]


async def test_refresh_refetches_stale_movies_and_leaves_fresh_ones_alone(
    tmdb_runtime: Runtime,
    fake: FakeTmdb,
    make_catalog: CatalogFactory,
    alice: Requester,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await Driver(tmdb_runtime.core).fav(alice, "tmdb:550")
    clock.advance(days=100)
    await Driver(tmdb_runtime.core).fav(alice, "tmdb:999001")
    clock.advance(days=51)  # 550 is 151 days old, 999001 only 51
    assert await _stale(tmdb_runtime, clock.now) == [550]
    monkeypatch.setitem(fake_tmdb.FIGHT_CLUB, "overview", "Rewritten on TMDb since.")
    monkeypatch.setitem(fake_tmdb.FIGHT_CLUB, "poster_path", None)  # removed on TMDb: ours must go too, not linger
    before = fake.calls.copy()

    refreshed = await refresh_stale_tmdb(tmdb_runtime.uow, make_catalog(), clock.now)

    assert refreshed == 1
    assert fake.calls["/movie/550"] - before["/movie/550"] == 1
    assert fake.calls["/movie/999001"] == before["/movie/999001"]
    refetched = await _stored(tmdb_runtime, 550)
    assert (refetched.overview, refetched.poster_path, refetched.keywords) == (
        "Rewritten on TMDb since.",
        None,
        ("support group", "dual identity"),
    )
    assert await _stale(tmdb_runtime, clock.now) == []
    again = fake.total
    assert await refresh_stale_tmdb(tmdb_runtime.uow, make_catalog(), clock.now) == 0
    assert fake.total == again


async def test_refresh_strips_tmdb_content_of_movies_tmdb_no_longer_has(
    tmdb_runtime: Runtime,
    make_catalog: CatalogFactory,
    alice: Requester,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await Driver(tmdb_runtime.core).fav(alice, "tmdb:550")
    full = await _stored(tmdb_runtime, 550)
    assert full.overview
    assert full.poster_path
    assert full.keywords
    clock.advance(days=151)
    monkeypatch.setattr(
        fake_tmdb, "MOVIES", {k: v for k, v in fake_tmdb.MOVIES.items() if k != 550}
    )  # TMDb answers 404 now

    assert await refresh_stale_tmdb(tmdb_runtime.uow, make_catalog(), clock.now) == 0

    gone = await _stored(tmdb_runtime, 550)
    assert (gone.overview, gone.poster_path, gone.keywords) == (None, None, ())
    assert (gone.id, gone.title, gone.year, gone.genres) == (full.id, full.title, full.year, full.genres)
    assert await _stale(tmdb_runtime, clock.now) == []  # nothing from TMDb left to refresh
    favorites = await Driver(tmdb_runtime.core).favorites(alice)
    assert any("Fight Club" in plain_text(nodes) for nodes in favorites.text)  # users' lists keep the movie


async def test_refresh_stops_when_tmdb_is_down_and_keeps_the_rest_stale(
    tmdb_runtime: Runtime, fake: FakeTmdb, make_catalog: CatalogFactory, alice: Requester, clock: FakeClock
) -> None:
    await Driver(tmdb_runtime.core).fav(alice, "tmdb:550")
    clock.advance(days=1)
    await Driver(tmdb_runtime.core).fav(alice, "tmdb:999001")
    clock.advance(days=200)
    fake.down = Fault(503)

    assert await refresh_stale_tmdb(tmdb_runtime.uow, make_catalog(), clock.now) == 0

    assert fake.calls["/movie/999001"] == 1  # fetched once, when added; the run stopped at the first (oldest) failure
    assert await _stale(tmdb_runtime, clock.now) == [550, 999001]
    assert (await _stored(tmdb_runtime, 550)).overview  # an outage is not a 404: nothing is stripped


async def test_search_hits_do_not_make_older_keywords_look_fresh(
    tmdb_runtime: Runtime, alice: Requester, clock: FakeClock
) -> None:
    await Driver(tmdb_runtime.core).fav(alice, "tmdb:550")  # full details: keywords
    clock.advance(days=151)
    await Driver(tmdb_runtime.core).search(
        alice, "fight club"
    )  # a list result: no keywords, so the old ones stay dated
    assert await _stale(tmdb_runtime, clock.now) == [550]


async def test_migration_dates_content_tmdb_supplied_before_the_column_existed(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    when = "2026-01-02 03:04:05.000000"
    columns = "title, norm_title, norm_core, norm_all, popularity, updated_at"
    try:
        async with db.writer.connect() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0003"))
            for tmdb_id, overview in ((550, "'A story'"), (551, "NULL"), ("NULL", "'No id'")):
                values = f"'m', 'm', 'm', 'm', 0, '{when}'"
                await conn.execute(
                    text(
                        f"INSERT INTO movies (tmdb_id, overview, keywords, {columns}) "
                        f"VALUES ({tmdb_id}, {overview}, '', {values})"
                    )
                )
            await conn.commit()
        await db.upgrade()
        async with db.reader.connect() as conn:
            rows = (await conn.execute(text("SELECT tmdb_id, tmdb_fetched_at FROM movies ORDER BY id"))).all()
    finally:
        await db.dispose()
    assert [(r[0], r[1] is not None) for r in rows] == [(550, True), (551, False), (None, False)]
    assert str(rows[0][1]).startswith("2026-01-02 03:04:05")


async def test_the_daily_upkeep_job_is_scheduled_only_with_tmdb(tmdb_runtime: Runtime, runtime: Runtime) -> None:
    from bot.bootstrap import _scheduler

    assert _scheduler(tmdb_runtime, []).job_ids == {"refit", "upkeep"}
    assert _scheduler(runtime, []).job_ids == {"refit"}
