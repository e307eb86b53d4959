"""The conversation (bot.core) over in-memory fakes of the ports: what a message means, on each platform.

These specify the rules without a database; tests/e2e drive the same rules
through the real platform libraries and storage.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.actions import MovieAction, MovieOp, RateAction, encode
from bot.core import PROMPT_TTL, Chat, Core
from bot.reply import Reply, plain_text
from bot.screens import full_text
from bot.services import Requester, Services
from domain.errors import InvalidInput, NotFound, ReviewTooLong
from domain.models import Movie, Platform
from tests.conftest import FakeClock
from tests.fakes import FakeUnitOfWorkFactory

CATALOG = (
    Movie(id=1, title="Heat", year=1995, genres=("Crime",), popularity=104),
    Movie(id=2, title="The Heat", year=2013, genres=("Comedy",), popularity=3),
    Movie(id=3, title="Titanic", year=1997, genres=("Drama",), popularity=164),
    Movie(id=4, title="Titanic", year=1953, genres=("Drama",), popularity=12),
    Movie(id=5, title="The Godfather", year=1972, genres=("Crime",), popularity=200),
    Movie(id=6, title="The Godfather: Part II", year=1974, genres=("Crime",), popularity=150),
    Movie(id=7, title="Joker", year=2012, genres=("Drama",), popularity=1),
)
CONSOLE = Requester(Platform.CONSOLE, "ann", "Ann")
TELEGRAM = Requester(Platform.TELEGRAM, "42", "Tom")
OTHER = Requester(Platform.TELEGRAM, "43", "Bob")
PRIVATE, GROUP = Chat("42"), Chat("-100", shared=True)


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory(CATALOG)


@pytest.fixture
def core(uow: FakeUnitOfWorkFactory, clock: FakeClock) -> Core:
    return Core(Services.over(uow, clock=clock))  # type: ignore[arg-type]


def text(reply: Reply | None) -> str:
    assert reply is not None
    return "\n".join(plain_text(line) for line in full_text(reply))


def reviews_of(uow: FakeUnitOfWorkFactory, movie_id: int) -> list[str | None]:
    return [r[1] for (_u, m), r in uow.store.ratings.items() if m == movie_id]


async def test_console_the_line_right_after_the_prompt_is_the_review(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    chat = Chat("console")
    await core.handle_message(CONSOLE, chat, "/rate heat 1995 4")
    saved = await core.handle_message(CONSOLE, chat, "Tense and beautiful")
    assert "Review saved for Heat (1995)" in text(saved)
    assert reviews_of(uow, 1) == ["Tense and beautiful"]
    assert uow.store.prompts == {}


async def test_console_any_other_line_or_press_closes_the_prompt(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    chat = Chat("console")
    await core.handle_message(CONSOLE, chat, "/rate heat 1995 4")
    assert "I don't know /frobnicate" in text(await core.handle_message(CONSOLE, chat, "/frobnicate"))
    await core.handle_message(CONSOLE, chat, "heat")
    await core.handle_message(CONSOLE, chat, "/rate the heat 2013 3")
    await core.handle_press(CONSOLE, chat, encode(MovieAction(MovieOp.OPEN, 1)))
    await core.handle_message(CONSOLE, chat, "what a film")
    assert reviews_of(uow, 1) == [None]
    assert reviews_of(uow, 2) == [None]


async def test_telegram_only_a_reply_to_the_prompt_is_the_review(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 4")
    searched = await core.handle_message(TELEGRAM, PRIVATE, "Tense and beautiful")
    assert "Results" in text(searched)
    assert reviews_of(uow, 1) == [None]
    wrong_movie = await core.handle_message(TELEGRAM, PRIVATE, "Tense", answers=2)
    assert "That question has expired" in text(wrong_movie)
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 4")
    saved = await core.handle_message(TELEGRAM, PRIVATE, "Tense and beautiful", answers=1)
    assert "Review saved" in text(saved)
    assert reviews_of(uow, 1) == ["Tense and beautiful"]


async def test_a_prompt_expires(core: Core, uow: FakeUnitOfWorkFactory, clock: FakeClock) -> None:
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 4")
    clock.advance(seconds=PROMPT_TTL.total_seconds() + 1)
    late = await core.handle_message(TELEGRAM, PRIVATE, "Tense and beautiful", answers=1)
    assert "That question has expired" in text(late)
    assert reviews_of(uow, 1) == [None]


async def test_cancel_says_whether_there_was_anything(core: Core) -> None:
    assert text(await core.handle_message(TELEGRAM, PRIVATE, "/cancel")) == "Nothing to cancel."
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 4")
    assert text(await core.handle_message(TELEGRAM, PRIVATE, "/cancel")) == "Cancelled."
    assert "expired" in text(await core.handle_message(TELEGRAM, PRIVATE, "great", answers=1))


async def test_a_too_long_answer_keeps_the_prompt_open(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 4")
    with pytest.raises(ReviewTooLong, match="at most 500 characters"):
        await core.handle_message(TELEGRAM, PRIVATE, "x" * 600, answers=1)
    saved = await core.handle_message(TELEGRAM, PRIVATE, "Shorter.", answers=1)
    assert "Review saved" in text(saved)


async def test_group_chatter_is_not_for_us_and_commands_for_other_bots_are_ignored(core: Core) -> None:
    assert await core.handle_message(TELEGRAM, GROUP, "anyone up for a film?") is None
    assert await core.handle_message(TELEGRAM, GROUP, "/fav@other_bot heat", bot_username="moviebot") is None
    assert "Heat (1995)" in text(
        await core.handle_message(TELEGRAM, GROUP, "/fav@MovieBot heat", bot_username="moviebot")
    )


async def test_a_shared_card_shows_public_facts_only(core: Core) -> None:
    await core.handle_message(TELEGRAM, PRIVATE, "/fav heat")
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 5")
    mine = await core.handle_message(TELEGRAM, PRIVATE, "/movie heat")
    shared = await core.handle_message(TELEGRAM, GROUP, "/movie heat")
    assert mine is not None
    assert mine.card is not None
    assert mine.card.favorite
    assert mine.card.your_stars == 5
    assert shared is not None
    assert shared.card is not None
    assert not shared.card.personal
    assert not shared.card.favorite
    assert shared.card.your_stars is None
    assert shared.card.average == 5
    labels = [b.label for row in shared.buttons for b in row]
    assert "❤ Favorite" in labels
    assert "💔 Unfavorite" not in labels
    assert "⭐ Rate" in labels


async def test_a_press_on_a_shared_card_tells_only_the_presser(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    pressed = await core.handle_press(OTHER, GROUP, encode(RateAction(1, 4)))
    assert pressed.toast == "Rated ★★★★☆."
    assert pressed.card is not None
    assert pressed.card.your_stars is None
    assert pressed.card.ratings == 1


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("heat", "Heat (1995)"), ("HEAT", "Heat (1995)"), ("the heat", "The Heat (2013)"), ("heat 1995", "Heat (1995)")],
)
async def test_an_exact_title_wins(core: Core, typed: str, meant: str) -> None:
    reply = await core.handle_message(TELEGRAM, PRIVATE, f"/watch {typed}")
    assert f"Added to your watchlist. {meant}" in text(reply)


async def test_remakes_and_unclear_titles_ask_and_a_wrong_year_names_the_years(
    core: Core, uow: FakeUnitOfWorkFactory
) -> None:
    remakes = await core.handle_message(TELEGRAM, PRIVATE, "/fav titanic")
    assert "Several movies are called “Titanic”. Which one?" in text(remakes)
    assert remakes is not None
    assert [b.label for b in remakes.buttons[0]] == ["Titanic (1953)", "Titanic (1997)"]
    assert "Did you mean one of these for “godfather”?" in text(
        await core.handle_message(TELEGRAM, PRIVATE, "/fav godfather")
    )
    with pytest.raises(NotFound, match=r"No “joker” from 2019; I have Joker \(2012\)\."):
        await core.handle_message(TELEGRAM, PRIVATE, "/fav joker 2019")
    assert uow.store.favorites == {}


async def test_a_bare_number_after_a_list_command_is_its_page(core: Core, clock: FakeClock) -> None:
    for name in ("heat 1995", "the heat", "titanic 1997", "titanic 1953", "the godfather", "joker"):
        await core.handle_message(TELEGRAM, PRIVATE, f"/fav {name}")
        clock.advance(seconds=1)
    page_two = await core.handle_message(TELEGRAM, PRIVATE, "/favorites 2")
    assert "Page 2 of 2" in text(page_two)


async def test_unwatch_keeps_the_watched_record(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    await core.handle_message(TELEGRAM, PRIVATE, "/watched heat")
    kept = await core.handle_message(TELEGRAM, PRIVATE, "/unwatch heat")
    assert "You've watched it, so it stays in your watched films." in text(kept)
    assert next(iter(uow.store.watchlist.values())).watched_at == dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


async def test_two_answers_at_once_save_one_review_and_lose_nothing(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    await core.handle_message(TELEGRAM, PRIVATE, "/rate heat 1995 4")
    first, second = await asyncio.gather(
        core.handle_message(TELEGRAM, PRIVATE, "First words", answers=1),
        core.handle_message(TELEGRAM, PRIVATE, "Second words", answers=1),
    )
    assert "Review saved" in text(first) or "Review saved" in text(second)
    assert reviews_of(uow, 1)[0] in ("First words", "Second words")
    assert uow.store.prompts == {}


async def test_an_empty_line_is_no_review_and_the_question_stays(core: Core, uow: FakeUnitOfWorkFactory) -> None:
    chat = Chat("console")
    await core.handle_message(CONSOLE, chat, "/rate heat 1995 4")
    with pytest.raises(InvalidInput, match="The review is empty"):
        await core.handle_message(CONSOLE, chat, "   ")
    assert "Review saved" in text(await core.handle_message(CONSOLE, chat, "Tense 🎬 und schön"))
    assert reviews_of(uow, 1) == ["Tense 🎬 und schön"]
