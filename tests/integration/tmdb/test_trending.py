"""/trending from TMDb (week by default, or today), stored locally for the buttons.

With an offline fallback and a notice when TMDb is down.
"""

from __future__ import annotations

from bot.actions import ListName, MovieAction, PageAction, decode, encode
from bot.bootstrap import Runtime
from bot.reply import Reply, plain_text
from bot.services import Requester
from tests.conftest import FakeClock
from tests.driver import Driver
from tests.integration.tmdb.fake_tmdb import FakeTmdb, Fault


def _text(reply: Reply) -> str:
    return "\n".join(plain_text(nodes) for nodes in reply.text)


def _opened(reply: Reply) -> list[int]:
    return [
        a.movie_id
        for a in map(decode, (b.payload for row in reply.buttons for b in row if b.payload))
        if isinstance(a, MovieAction)
    ]


async def test_trending_shows_tmdbs_week_and_its_buttons_open_stored_movies(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    reply = await Driver(tmdb_runtime.core).trending(alice)

    assert fake.calls["/trending/movie/week"] == 1
    assert fake.calls["/trending/movie/day"] == 0
    text = _text(reply)
    assert "Trending this week" in text
    assert "From TMDb" in text
    assert "1. Fight Club (1999)" in text
    assert "2. Untitled Wachowski Project" in text
    async with tmdb_runtime.uow() as uow:
        stored = [await uow.movies.get_by_tmdb(tmdb_id) for tmdb_id in (550, 999001)]
    assert _opened(reply) == [m.id for m in stored if m is not None]
    assert len(_opened(reply)) == 2


async def test_trending_day_from_the_command_and_from_a_page_button(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester, clock: FakeClock
) -> None:
    reply = await Driver(tmdb_runtime.core).say(alice, "/trending day")
    assert reply is not None
    assert "Trending today" in _text(reply)
    assert fake.calls["/trending/movie/day"] == 1
    assert fake.calls["/trending/movie/week"] == 0

    async with tmdb_runtime.uow(write=True) as uow:  # what a page button of a longer "today" list carries
        token = await uow.tokens.put("day", clock.now)
        await uow.commit()
    paged = await Driver(tmdb_runtime.core).press(alice, encode(PageAction(ListName.TRENDING, 1, token)))
    assert "Trending today" in _text(paged)
    assert fake.calls["/trending/movie/week"] == 0


async def test_trending_falls_back_to_local_popularity_with_a_notice(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    async with tmdb_runtime.uow() as uow:
        most_popular = (await uow.movies.popular(1, 1)).items[0]
    fake.down = Fault(503)

    reply = await Driver(tmdb_runtime.core).trending(alice)

    assert fake.calls["/trending/movie/week"] > 0
    text = _text(reply)
    assert "Popular now" in text
    assert "TMDb is not answering right now" in text
    assert f"1. {most_popular.label}" in text
    assert _opened(reply)[0] == most_popular.id


async def test_trending_without_tmdb_is_local_popularity(movie_bot: Driver, alice: Requester) -> None:
    reply = await movie_bot.trending(alice, window="day")
    text = _text(reply)
    assert "Popular now" in text
    assert "From the bundled offline catalog" in text
