"""Genre and year searches use TMDb's discover; /upcoming lists TMDb's coming releases in the user's region."""

from __future__ import annotations

from bot.bootstrap import Runtime
from bot.reply import Reply, plain_text
from bot.services import Requester
from tests.driver import Driver
from tests.integration.tmdb.fake_tmdb import FakeTmdb, Fault


def _text(reply: Reply) -> str:
    return "\n".join(plain_text(nodes) for nodes in reply.text)


def _last_query(fake: FakeTmdb, path: str) -> dict[str, str]:
    return [query for seen, query, _headers in fake.requests if seen == path][-1]


async def test_genre_and_year_searches_discover_on_tmdb(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    reply = await Driver(tmdb_runtime.core).search(alice, "genre:drama 1999")
    assert fake.calls["/discover/movie"] == 1
    assert fake.calls["/search/movie"] == 0
    assert "1. Fight Club (1999)" in _text(reply)
    params = _last_query(fake, "/discover/movie")
    assert params.get("with_genres")
    assert "1999" in str(params)


async def test_title_plus_genre_stays_local_and_discover_failure_falls_back(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    local = await Driver(tmdb_runtime.core).search(alice, "heat genre:crime")
    assert fake.calls["/search/movie"] == 0
    assert fake.calls["/discover/movie"] == 0
    assert "1. Heat (1995)" in _text(local)
    fake.down = Fault(503)
    fallback = await Driver(tmdb_runtime.core).search(alice, "genre:comedy 1995")
    text = _text(fallback)
    assert "TMDb is not answering right now" in text
    assert "1. " in text


async def test_upcoming_lists_tmdbs_coming_releases_for_the_users_region(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    await Driver(tmdb_runtime.core).settings(alice, "region DE")
    reply = await Driver(tmdb_runtime.core).upcoming(alice)
    assert "Coming soon (DE)" in _text(reply)
    assert "Untitled Wachowski Project" in _text(reply)
    assert _last_query(fake, "/movie/upcoming").get("region") == "DE"


async def test_upcoming_without_tmdb_says_it_needs_live_data(movie_bot: Driver, alice: Requester) -> None:
    reply = await movie_bot.upcoming(alice)
    assert "need live data from TMDb" in _text(reply)
