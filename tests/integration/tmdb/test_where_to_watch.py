"""Where to watch on a card: TMDb's providers for the user's region, credited to JustWatch, omitted when TMDb fails."""

from __future__ import annotations

from bot.bootstrap import Runtime
from bot.reply import Reply, plain_text
from bot.screens import full_text
from bot.services import Requester
from tests.driver import Driver
from tests.integration.tmdb.fake_tmdb import FakeTmdb, Fault


def _text(reply: Reply) -> str:
    return "\n".join(plain_text(nodes) for nodes in full_text(reply))


def _urls(reply: Reply) -> list[str]:
    return [b.url for row in reply.buttons for b in row if b.url]


async def test_card_shows_providers_for_the_users_region_with_the_justwatch_credit(
    tmdb_runtime: Runtime, alice: Requester
) -> None:
    reply = await Driver(tmdb_runtime.core).movie(alice, "tmdb:550")
    assert reply.card is not None
    assert reply.card.where_to_watch == (
        "fuboTV",
        "Hulu",
        "Amazon Video (rent)",
        "Apple TV (buy)",
    )  # streaming first, by TMDb's priority
    assert (
        "📺 Where to watch (US): fuboTV, Hulu, Amazon Video (rent), Apple TV (buy) — Streaming data by JustWatch"
        in _text(reply)
    )
    assert _urls(reply) == ["https://www.themoviedb.org/movie/550-fight-club/watch?locale=US"]

    await Driver(tmdb_runtime.core).settings(alice, "region DE")  # the fake knows providers in the US only
    german = await Driver(tmdb_runtime.core).movie(alice, "tmdb:550")
    assert german.card is not None
    assert german.card.where_to_watch == ()
    assert "Where to watch" not in _text(german)
    assert _urls(german) == []


async def test_where_to_watch_is_left_out_when_tmdb_is_down(
    tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester
) -> None:
    await Driver(tmdb_runtime.core).search(
        alice, "fight club"
    )  # stored locally; its details (and providers) not fetched yet
    async with tmdb_runtime.uow() as uow:
        stored = await uow.movies.get_by_tmdb(550)
    assert stored is not None
    fake.down = Fault(503)

    reply = await Driver(tmdb_runtime.core).open_movie(alice, stored.id)

    assert fake.calls["/movie/550"] > 0  # it asked, and TMDb failed
    assert reply.card is not None
    assert reply.card.title == "Fight Club"
    assert reply.card.where_to_watch == ()
    assert "Where to watch" not in _text(reply)
    assert "JustWatch" not in _text(reply)
    assert _urls(reply) == []
    assert reply.buttons  # the card's own buttons are all there


async def test_cards_without_a_tmdb_id_do_not_ask_tmdb(tmdb_runtime: Runtime, fake: FakeTmdb, alice: Requester) -> None:
    reply = await Driver(tmdb_runtime.core).movie(alice, "Toy Story 1995")  # bundled: no TMDb id
    assert reply.card is not None
    assert reply.card.tmdb_id is None
    assert reply.card.where_to_watch == ()
    assert not [path for path in fake.calls if path.startswith("/movie/")]
