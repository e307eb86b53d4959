"""TmdbCatalog against a fake TMDb on 127.0.0.1: mapping, caching, coalescing, retries, breaker, secrecy."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

import pytest

from adapters.tmdb.catalog import TmdbCatalog
from adapters.tmdb.resilience import BreakerState
from domain.catalog import CatalogUnavailable, RemoteCatalog
from tests.integration.tmdb.conftest import CatalogFactory, ManualClock, SleepLog
from tests.integration.tmdb.fake_tmdb import API_KEY, TOKEN, FakeTmdb, Fault


def test_tmdb_catalog_satisfies_the_port(catalog: TmdbCatalog) -> None:
    port: RemoteCatalog = catalog
    assert port.name == "TMDb"


async def test_search_maps_results_and_a_repeat_is_served_from_cache(catalog: TmdbCatalog, fake: FakeTmdb) -> None:
    page = await catalog.search("fight club")
    again = await catalog.search("  Fight   CLUB ")  # TMDb search ignores case and spacing: one cache entry

    assert again == page
    assert fake.calls["/search/movie"] == 1
    assert catalog.stats.cache_hits >= 1
    fight = page.items[0]
    assert (fight.tmdb_id, fight.title, fight.year, fight.release_date) == (
        550,
        "Fight Club",
        1999,
        dt.date(1999, 10, 15),
    )
    assert fight.genres == ("Drama", "Thriller", "Comedy")
    assert catalog.poster_url(fight.poster_path) == "https://image.fake/t/p/w342/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg"


async def test_repeated_search_within_ttl_makes_zero_upstream_calls(catalog: TmdbCatalog, fake: FakeTmdb) -> None:
    await catalog.search("heat", year=1995, page=2)
    before = fake.total
    for _ in range(5):
        await catalog.search("heat", year=1995, page=2)
    assert fake.total == before
    query = fake.requests[-1][1]
    assert (query["query"], query["year"], query["page"], query["include_adult"]) == ("heat", "1995", "2", "false")


async def test_two_hundred_concurrent_identical_searches_make_one_upstream_call(
    catalog: TmdbCatalog, fake: FakeTmdb
) -> None:
    fake.latency = 0.05
    pages = await asyncio.gather(*(catalog.search("alien") for _ in range(200)))
    assert fake.calls["/search/movie"] == 1
    assert len({p.items for p in pages}) == 1
    assert catalog.flight.coalesced == 199


async def test_details_reads_appended_keywords_release_dates_and_imdb_id(catalog: TmdbCatalog, fake: FakeTmdb) -> None:
    draft = await catalog.details(550)
    assert draft is not None
    assert (draft.imdb_id, draft.runtime, draft.keywords) == ("tt0137523", 139, ("support group", "dual identity"))
    assert draft.genres == ("Drama", "Thriller", "Comedy")
    assert fake.requests[-1][1]["append_to_response"] == "keywords,release_dates,watch/providers"

    providers = await catalog.watch_providers(550, "us")
    assert fake.calls["/movie/550"] == 1  # where-to-watch comes from the cached details call
    assert (providers.region, providers.flatrate, providers.rent, providers.buy) == (
        "US",
        ("fuboTV", "Hulu"),
        ("Amazon Video",),
        ("Apple TV",),
    )
    assert providers.link
    assert "JustWatch" in providers.credit
    assert (await catalog.watch_providers(550, "DE")).empty


async def test_null_poster_and_empty_release_date_are_handled(catalog: TmdbCatalog) -> None:
    draft = await catalog.details(999001)
    assert draft is not None
    assert (draft.poster_path, draft.year, draft.imdb_id, draft.runtime, draft.overview) == (
        None,
        1999,
        None,
        None,
        None,
    )
    assert catalog.poster_url(draft.poster_path) is None


async def test_unknown_id_is_none_and_404s_are_not_cached(catalog: TmdbCatalog, fake: FakeTmdb) -> None:
    assert await catalog.details(4242) is None
    assert await catalog.details(4242) is None
    assert fake.calls["/movie/4242"] == 2
    assert (await catalog.watch_providers(4242, "US")).empty
    assert catalog.resilient.breaker.state is BreakerState.CLOSED


async def test_lists_send_the_documented_parameters(catalog: TmdbCatalog, fake: FakeTmdb) -> None:
    week = await catalog.trending("week")
    assert {d.tmdb_id for d in week.items} == {550, 999001}
    await catalog.discover(["sci-fi", "Comedy"], (1990, 1999), page=2)
    query = fake.requests[-1][1]
    sent = (query["with_genres"], query["primary_release_date.gte"], query["primary_release_date.lte"], query["page"])
    assert sent == ("878,35", "1990-01-01", "1999-12-31", "2")
    before = fake.total
    assert (await catalog.discover(["Film Noir"])).items == ()  # TMDb has no such genre: nothing can match
    assert fake.total == before
    upcoming = await catalog.upcoming("de")
    assert fake.requests[-1][1]["region"] == "DE"
    assert upcoming.items[0].tmdb_id == 999001
    with pytest.raises(ValueError, match="trending window"):
        await catalog.trending("month")  # type: ignore[arg-type]


async def test_429_is_retried_after_the_servers_retry_after(
    catalog: TmdbCatalog, fake: FakeTmdb, sleeps: SleepLog
) -> None:
    fake.fail(Fault(429, retry_after="2"))
    page = await catalog.search("fight club")
    assert page.items
    assert fake.calls["/search/movie"] == 2
    assert sleeps.waits == [2.0]


async def test_5xx_are_retried_with_jittered_backoff(catalog: TmdbCatalog, fake: FakeTmdb, sleeps: SleepLog) -> None:
    fake.fail(Fault(500), Fault(503))
    assert await catalog.details(550) is not None
    assert fake.calls["/movie/550"] == 3
    assert len(sleeps.waits) == 2
    assert 0 <= sleeps.waits[0] <= 0.01
    assert 0 <= sleeps.waits[1] <= 0.02


async def test_persistent_failure_raises_catalog_unavailable_and_is_never_cached(
    catalog: TmdbCatalog, fake: FakeTmdb
) -> None:
    fake.fail(*[Fault(503)] * 3)
    with pytest.raises(CatalogUnavailable) as raised:
        await catalog.search("fight club")
    assert "offline catalog" in raised.value.message
    assert fake.calls["/search/movie"] == 3
    assert (await catalog.search("fight club")).items  # the error was not cached
    assert fake.calls["/search/movie"] == 4


async def test_a_too_long_retry_after_gives_up_at_once(catalog: TmdbCatalog, fake: FakeTmdb, sleeps: SleepLog) -> None:
    fake.fail(Fault(429, retry_after="120"))
    with pytest.raises(CatalogUnavailable):
        await catalog.search("fight club")
    assert fake.calls["/search/movie"] == 1
    assert sleeps.waits == []


async def test_rejected_token_is_not_retried_and_logged_for_admins(
    make_catalog: CatalogFactory, fake: FakeTmdb, caplog: pytest.LogCaptureFixture
) -> None:
    catalog = make_catalog(token="a-revoked-token-xyz")
    with caplog.at_level(logging.ERROR, logger="moviebot.tmdb"), pytest.raises(CatalogUnavailable):
        await catalog.search("fight club")
    assert fake.calls["/search/movie"] == 1
    assert "HTTP 401 (TMDb status_code 7)" in caplog.text
    assert "a-revoked-token-xyz" not in caplog.text


async def test_slow_answers_time_out_quickly_without_retry(make_catalog: CatalogFactory, fake: FakeTmdb) -> None:
    catalog = make_catalog(timeout=0.3)
    fake.fail(Fault(200, delay=5))
    started = time.perf_counter()
    with pytest.raises(CatalogUnavailable):
        await catalog.details(550)
    assert time.perf_counter() - started < 1.5
    assert fake.calls["/movie/550"] == 1


async def test_malformed_json_is_a_failure_and_not_cached(catalog: TmdbCatalog, fake: FakeTmdb) -> None:
    fake.fail(Fault(200, raw='{"page": 1, "results": [{"id": 55'))
    with pytest.raises(CatalogUnavailable):
        await catalog.search("fight club")
    assert (await catalog.search("fight club")).items


async def test_breaker_opens_after_repeated_failures_and_recovers_after_cool_down(
    catalog: TmdbCatalog, fake: FakeTmdb, breaker_clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake.down = Fault(500)
    with caplog.at_level(logging.ERROR, logger="moviebot.tmdb"):
        for query in ("a1", "a2", "a3"):
            with pytest.raises(CatalogUnavailable):
                await catalog.search(query)
    assert catalog.resilient.breaker.state is BreakerState.OPEN
    assert "circuit open after 3 consecutive failures" in caplog.text
    sent = fake.total
    with pytest.raises(CatalogUnavailable):
        await catalog.search("a4")
    assert fake.total == sent  # open: straight to the fallback, TMDb is left alone

    breaker_clock.now += 31
    with pytest.raises(CatalogUnavailable):
        await catalog.search("a5")  # the half-open probe fails: open again
    assert catalog.resilient.breaker.state is BreakerState.OPEN

    fake.down = None
    breaker_clock.now += 31
    assert (await catalog.search("fight club")).items
    assert catalog.resilient.breaker.state is BreakerState.CLOSED


async def test_credentials_never_reach_logs_reprs_or_cache_keys(
    make_catalog: CatalogFactory, fake: FakeTmdb, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # httpx logs every request URL at INFO, which carries the api_key: the adapter holds it at WARNING.
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING

    bearer = make_catalog(token=TOKEN)
    by_key = make_catalog(token=None, api_key=API_KEY)
    fake.fail(Fault(500), Fault(429, retry_after="1"), Fault(401))
    for catalog in (bearer, by_key):
        await catalog.start()
        await catalog.search("fight club")
        await catalog.details(550)
        await catalog.details(4242)
    fake.down = Fault(503)
    with pytest.raises(CatalogUnavailable):
        await by_key.search("down")

    with_header = [q for _, q, h in fake.requests if h.get("Authorization") == f"Bearer {TOKEN}"]
    with_key = [q for _, q, h in fake.requests if q.get("api_key") == API_KEY]
    assert with_header
    assert all("api_key" not in q for q in with_header)
    assert with_key
    assert len(with_header) + len(with_key) == len(fake.requests)
    for secret in (TOKEN, API_KEY):
        assert secret not in caplog.text
        assert secret not in repr(by_key)
        assert secret not in repr(bearer)
        for catalog in (bearer, by_key):
            keys = [k for cache in catalog.cache._caches.values() for k in cache]  # type: ignore[attr-defined]
            assert keys
            assert not any(secret in k for k in keys)


async def test_start_survives_tmdb_being_down_and_defaults_serve_meanwhile(
    make_catalog: CatalogFactory, fake: FakeTmdb
) -> None:
    fake.down = Fault(503)
    catalog = make_catalog()
    await catalog.start()  # logs, does not raise: the bot must start without TMDb
    assert catalog.poster_url("/x.jpg") == "https://image.tmdb.org/t/p/w342/x.jpg"
    fake.down = None
    page = await catalog.search("fight club")
    assert page.items[0].genres == ("Drama", "Thriller", "Comedy")  # the built-in genre table
