"""The bot wired to TMDb (fake): live search, id-only adds stored locally, fallback with a notice, /about's source."""

from __future__ import annotations

from bot.bootstrap import Runtime
from bot.reply import plain_text
from bot.services import Requester
from tests.driver import Driver
from tests.integration.tmdb.fake_tmdb import FakeTmdb, Fault


def _text(reply: object) -> str:
    return "\n".join(plain_text(node) for node in reply.text)  # type: ignore[attr-defined]


async def test_id_only_add_fetches_and_stores_the_movie(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    reply = await Driver(tmdb_runtime.core).fav(alice, "tmdb:999001")
    assert reply.card is not None
    assert reply.card.title == "Untitled Wachowski Project"
    async with tmdb_runtime.uow() as uow:
        stored = await uow.movies.get_by_tmdb(999001)
    assert stored is not None
    assert stored.genres == ("Science Fiction",)
    fake.down = Fault(503)
    again = await Driver(tmdb_runtime.core).fav(alice, "tmdb:999001")  # local now: works with TMDb down
    assert again.card is not None
    assert again.card.movie_id == stored.id


async def test_search_uses_tmdb_and_falls_back_with_a_notice(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    live = await Driver(tmdb_runtime.core).search(alice, "fight club")
    assert "Fight Club" in _text(live)
    assert fake.calls["/search/movie"] == 1
    fake.down = Fault(503)
    offline = await Driver(tmdb_runtime.core).search(alice, "matrix")
    assert "offline catalog" in _text(offline)
    assert "Matrix" in _text(offline)


async def test_about_names_tmdb_and_cards_get_posters(tmdb_runtime: Runtime, alice: Requester) -> None:
    assert "TMDb" in _text(await Driver(tmdb_runtime.core).about(alice))
    card = (await Driver(tmdb_runtime.core).movie(alice, "tmdb:550")).card
    assert card is not None
    assert card.poster_url is None or card.poster_url.startswith("https://image.fake/t/p/w342/")


async def test_a_bundled_movie_found_on_tmdb_gains_its_id_instead_of_a_duplicate(
    tmdb_runtime: Runtime, alice: Requester
) -> None:
    async with tmdb_runtime.uow() as uow:
        before = await uow.movies.count()
        [bundled] = await uow.movies.find_by_title("Fight Club", 1999)
    assert bundled.tmdb_id is None
    assert bundled.movielens_id == 2959

    reply = await Driver(tmdb_runtime.core).search(alice, "fight club")
    assert "1. Fight Club (1999)" in "\n".join(plain_text(line) for line in reply.text)

    async with tmdb_runtime.uow() as uow:
        merged = await uow.movies.get_by_tmdb(550)
        assert await uow.movies.count() == before
    assert merged is not None
    assert merged.id == bundled.id
    assert merged.movielens_id == 2959
