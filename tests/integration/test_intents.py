"""Intents as a user meets them: replies, buttons and the state they leave behind.

These run against a real SQLite file seeded with the bundled catalog (see conftest).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.actions import ListName, MovieAction, MovieOp, PageAction, RateAction, decode, encode
from bot.bootstrap import Runtime
from bot.reply import Awaiting, Reply, plain_text
from bot.screens import full_text
from bot.services import Requester
from domain.errors import DomainError, Forbidden, InvalidInput, InvalidRating, NotFound, StaleAction
from domain.models import Platform
from tests.conftest import FakeClock
from tests.driver import Driver, driver_over


def text_of(reply: Reply) -> str:
    return "\n".join(plain_text(line) for line in full_text(reply))


def labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def press_label(reply: Reply, label: str) -> str:
    for row in reply.buttons:
        for button in row:
            if button.label.startswith(label):
                assert button.payload is not None
                return button.payload
    raise AssertionError(f"no button {label!r} in {labels(reply)}")


async def matrix_id(bot: Driver, who: Requester) -> int:
    reply = await bot.movie(who, "the matrix 1999")
    assert reply.card is not None
    return reply.card.movie_id


async def test_favorite_twice_is_idempotent_and_says_so(movie_bot: Driver, alice: Requester) -> None:
    first = await movie_bot.fav(alice, "The Matrix 1999")
    second = await movie_bot.fav(alice, "the matrix (1999)")
    assert "Added to your favorites" in text_of(first)
    assert "Already in your favorites" in text_of(second)
    favorites = await movie_bot.favorites(alice)
    assert "Your favorites (1)" in text_of(favorites)


async def test_removing_what_is_not_there_says_so(movie_bot: Driver, alice: Requester) -> None:
    reply = await movie_bot.unfav(alice, "Heat 1995")
    assert "It wasn't in your favorites" in text_of(reply)
    history = await movie_bot.history(alice)
    assert "Activity (0)" in text_of(history)


async def test_an_ambiguous_title_offers_a_choice_with_years_that_acts(movie_bot: Driver, alice: Requester) -> None:
    choice = await movie_bot.fav(alice, "titanic")
    assert "Which one?" in text_of(choice)
    assert labels(choice)[:2] == ["Titanic (1953)", "Titanic (1997)"]
    assert "Your favorites (0)" in text_of(await movie_bot.favorites(alice))
    done = await movie_bot.press(alice, press_label(choice, "Titanic (1997)"))
    assert done.card is not None
    assert done.card.favorite
    assert done.card.year == 1997
    assert done.toast == "❤ Added to your favorites."


async def test_titles_with_a_number_at_the_end_still_resolve(movie_bot: Driver, alice: Requester) -> None:
    reply = await movie_bot.movie(alice, "Terminator 2")
    assert reply.card is not None
    assert reply.card.title.startswith("Terminator 2")


@pytest.mark.parametrize("args", ["matrix 0", "matrix 6", "matrix five", "matrix -1", "matrix 4.5"])
async def test_bad_stars_get_a_clear_answer_and_write_nothing(movie_bot: Driver, alice: Requester, args: str) -> None:
    with pytest.raises(InvalidRating) as err:
        await movie_bot.rate(alice, args)
    assert "1" in err.value.message
    assert "5" in err.value.message
    assert "Activity (0)" in text_of(await movie_bot.history(alice))


async def test_rate_then_review_then_read_reviews(movie_bot: Driver, alice: Requester, bob: Requester) -> None:
    rated = await movie_bot.rate(alice, "the matrix 1999 4")
    assert rated.card is not None
    assert rated.card.your_stars == 4
    assert rated.awaiting is Awaiting.REVIEW
    assert rated.awaiting_movie == rated.card.movie_id
    await movie_bot.rate(bob, "the matrix 1999 5")
    reviewed = await movie_bot.review_movie(alice, rated.card.movie_id, "Mind-bending <b>classic</b> & more")
    assert reviewed.card is not None
    assert reviewed.card.your_review == "Mind-bending <b>classic</b> & more"
    reviews = await movie_bot.reviews(bob, "the matrix 1999")
    shown = text_of(reviews)
    assert "4.5/5 from 2 rating(s)" in shown
    assert "Alice" in shown
    assert "Mind-bending <b>classic</b> & more" in shown


async def test_rerating_replaces_the_stars(movie_bot: Driver, alice: Requester) -> None:
    await movie_bot.rate(alice, "heat 1995 2")
    again = await movie_bot.rate(alice, "heat 1995 5")
    assert again.card is not None
    assert (again.card.your_stars, again.card.ratings) == (5, 1)


async def test_review_limits(movie_bot: Driver, alice: Requester) -> None:
    movie = await matrix_id(movie_bot, alice)
    with pytest.raises(InvalidInput, match="Rate it first"):
        await movie_bot.review_movie(alice, movie, "great")
    await movie_bot.rate_movie(alice, movie, 4)
    with pytest.raises(InvalidInput, match="at most 500"):
        await movie_bot.review_movie(alice, movie, "x" * 501)
    with pytest.raises(InvalidInput, match="empty"):
        await movie_bot.review_movie(alice, movie, "   \x00 ")
    with pytest.raises(InvalidInput, match=r"\|"):
        await movie_bot.review(alice, "matrix great film")
    ok = await movie_bot.review(alice, "the matrix 1999 | 🎬 שלום great")
    assert ok.card is not None
    assert ok.card.your_review == "🎬 שלום great"


async def test_card_buttons_follow_the_state(movie_bot: Driver, alice: Requester) -> None:
    card = await movie_bot.movie(alice, "the matrix 1999")
    assert labels(card)[:3] == ["❤ Favorite", "➕ Watchlist", "👁 Watched"]
    faved = await movie_bot.press(alice, press_label(card, "❤ Favorite"))
    assert faved.edit
    assert labels(faved)[0] == "💔 Unfavorite"
    picker = await movie_bot.press(alice, press_label(faved, "⭐ Rate"))
    assert [b.label for b in picker.buttons[-1]] == ["★", "★★", "★★★", "★★★★", "★★★★★"]
    rated = await movie_bot.press(alice, press_label(picker, "★★★★"))
    assert rated.card is not None
    assert rated.card.your_stars == 4
    assert rated.toast == "Rated ★★★★☆."
    prompt = await movie_bot.press(alice, press_label(rated, "✍ Review"))
    assert prompt.awaiting is Awaiting.REVIEW


async def test_buttons_act_for_whoever_presses_them(movie_bot: Driver, alice: Requester, bob: Requester) -> None:
    bobs_card = await movie_bot.movie(bob, "the matrix 1999")
    await movie_bot.press(alice, press_label(bobs_card, "❤ Favorite"))
    assert "Your favorites (1)" in text_of(await movie_bot.favorites(alice))
    assert "Your favorites (0)" in text_of(await movie_bot.favorites(bob))


async def test_double_taps_at_once_add_once(movie_bot: Driver, alice: Requester) -> None:
    movie = await matrix_id(movie_bot, alice)
    payload = encode(MovieAction(MovieOp.FAVORITE, movie))
    replies = await asyncio.gather(*(movie_bot.press(alice, payload) for _ in range(10)))
    toasts = [r.toast for r in replies]
    assert toasts.count("❤ Added to your favorites.") == 1
    assert toasts.count("Already in your favorites.") == 9
    assert "Activity (1)" in text_of(await movie_bot.history(alice))


@pytest.mark.parametrize(
    "payload", ["v1:fa:", "v1:fa:12x", "v9:fa:1", "garbage", "", "v1:r:1:9", "v1:p:s:1:AAAAAAAAAA"]
)
async def test_forged_and_stale_buttons_answer_that_they_expired(
    movie_bot: Driver, alice: Requester, payload: str
) -> None:
    with pytest.raises(StaleAction) as err:
        await movie_bot.press(alice, payload)
    assert "expired" in err.value.message


async def test_buttons_for_unknown_movies_say_so(movie_bot: Driver, alice: Requester) -> None:
    with pytest.raises(NotFound, match="no longer in the catalog"):
        await movie_bot.press(alice, encode(MovieAction(MovieOp.FAVORITE, 2_000_000_000)))
    with pytest.raises(NotFound):
        await movie_bot.movie(alice, "#999999999")
    with pytest.raises(NotFound):
        await movie_bot.movie(alice, "tmdb:424242")


async def test_search_pages_forward_and_back(movie_bot: Driver, alice: Requester) -> None:
    first = await movie_bot.search(alice, "love")
    assert "Page 1 of" in text_of(first)
    assert labels(first)[-1] == "Next ›"
    second = await movie_bot.press(alice, press_label(first, "Next ›"))
    assert second.edit
    assert "Page 2 of" in text_of(second)
    assert labels(second)[-2:] == ["‹ Previous", "Next ›"]
    back = await movie_bot.press(alice, press_label(second, "‹ Previous"))
    assert text_of(back) == text_of(first)


async def test_page_buttons_carry_the_query_by_token_only(movie_bot: Driver, alice: Requester) -> None:
    reply = await movie_bot.search(alice, "genre:comedy 1990-1999")
    payload = press_label(reply, "Next ›")
    action = decode(payload)
    assert isinstance(action, PageAction)
    assert action.list is ListName.SEARCH
    assert action.token
    assert "comedy" not in payload
    assert len(payload) <= 64


@pytest.mark.parametrize(
    "query", ["🎬🍿" * 50, "שלום עולם", "مرحبا", "'; DROP TABLE movies; --", "<b>bold</b>", "**x** _y_ `z`"]
)
async def test_odd_searches_answer_without_breaking(movie_bot: Driver, alice: Requester, query: str) -> None:
    try:
        reply = await movie_bot.search(alice, query)
    except InvalidInput as err:
        assert err.message
    else:
        assert "Results" in text_of(reply)
    assert (await movie_bot.trending(alice)).text  # the catalog is intact


@pytest.mark.parametrize("method", ["search", "fav", "movie", "watch", "rate", "reviews", "favorites", "settings"])
async def test_five_thousand_character_arguments_are_refused_briefly(
    movie_bot: Driver, alice: Requester, method: str
) -> None:
    with pytest.raises(DomainError) as err:
        await getattr(movie_bot, method)(alice, "x" * 5000)
    assert len(err.value.message) < 200


async def test_history_shows_recently_added_and_removed(movie_bot: Driver, alice: Requester, clock: FakeClock) -> None:
    await movie_bot.fav(alice, "the matrix 1999")
    clock.advance(minutes=5)
    await movie_bot.fav(alice, "heat 1995")
    clock.advance(minutes=5)
    await movie_bot.unfav(alice, "the matrix 1999")
    clock.advance(hours=2)
    history = text_of(await movie_bot.history(alice))
    added, removed = history.split("Recently removed")
    assert "Heat (1995)" in added
    assert "The Matrix (1999)" not in added
    assert "The Matrix (1999) · 2 h ago" in removed.split("Activity")[0]
    await movie_bot.fav(alice, "the matrix 1999")
    again = text_of(await movie_bot.history(alice)).split("Recently removed")[1].split("Activity")[0]
    assert "Nothing removed." in again


async def test_watchlist_watched_and_profile(movie_bot: Driver, alice: Requester) -> None:
    await movie_bot.watch(alice, "heat 1995 | with Sam")
    await movie_bot.watch(alice, "toy story 1995")
    await movie_bot.watched(alice, "toy story 1995")
    await movie_bot.rate(alice, "toy story 1995 5")
    await movie_bot.fav(alice, "toy story 1995")
    watchlist = await movie_bot.watchlist(alice)
    assert "Your watchlist (1)" in text_of(watchlist)
    assert "👁 Watched (1)" in labels(watchlist)
    watched = await movie_bot.press(alice, press_label(watchlist, "👁 Watched"))
    assert "Watched (1)" in text_of(watched)
    assert "Toy Story" in text_of(watched)
    profile = text_of(await movie_bot.profile(alice))
    assert "Favorites: 1" in profile
    assert "1 to watch, 1 watched" in profile
    assert "Ratings: 1 (average given 5.0)" in profile
    assert "Top genres: Adventure, Animation, Comedy" in profile


async def test_settings_validate_and_toggle(movie_bot: Driver, alice: Requester) -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        await movie_bot.settings(alice, "timezone ../../etc/passwd")
    with pytest.raises(InvalidInput):
        await movie_bot.settings(alice, "region Germany")
    saved = await movie_bot.settings(alice, "timezone Europe/Berlin")
    assert "Timezone: Europe/Berlin" in text_of(saved)
    toggled = await movie_bot.press(alice, press_label(saved, "🎬 Releases: off"))
    assert "Release-day reminders: on" in text_of(toggled)
    assert "Release-day reminders: on" in text_of(await movie_bot.settings(alice))
    with pytest.raises(InvalidInput, match="hour from 0 to 23"):
        await movie_bot.settings(alice, "hour 25")
    with pytest.raises(InvalidInput, match="quiet 22-8"):
        await movie_bot.settings(alice, "quiet late")
    picker = await movie_bot.press(alice, press_label(toggled, "📅 Fri"))
    sunday = await movie_bot.press(alice, press_label(picker, "Sun"))
    assert "Weekly picks: off — Sundays at 18:00" in text_of(sunday)
    quiet = await movie_bot.press(alice, press_label(sunday, "🌙"))
    assert "• 22:00–08:00" in labels(quiet)  # the current choice is marked
    assert "Quiet hours: off" in text_of(await movie_bot.press(alice, press_label(quiet, "off")))


async def test_start_deep_link_opens_a_card_and_bad_links_welcome(movie_bot: Driver, alice: Requester) -> None:
    movie = await matrix_id(movie_bot, alice)
    card = await movie_bot.start(alice, f"m_{movie}")
    assert card.card is not None
    assert card.card.movie_id == movie
    welcome = await movie_bot.start(alice, "m_abc")
    assert "movie companion" in text_of(welcome)


def picked_titles(reply: Reply) -> list[str]:
    """Titles of the numbered picks (not the reason lines under them)."""
    return [line.split(". ", 1)[1].split(" · ")[0] for line in text_of(reply).splitlines() if line[:1].isdigit()]


async def test_new_users_pick_favorites_before_their_first_picks(movie_bot: Driver, alice: Requester) -> None:
    onboarding = await movie_bot.recommend(alice)
    assert "Tap three or more movies you like (0 picked)" in text_of(onboarding)
    first_choice = onboarding.buttons[0][0]
    assert first_choice.label.startswith("♡ ")
    picked = await movie_bot.press(alice, first_choice.payload)
    assert picked.edit
    assert "(1 picked)" in text_of(picked)
    assert picked.buttons[0][0].label.startswith("❤ ")
    assert "Your favorites (1)" in text_of(await movie_bot.favorites(alice))
    picks = await movie_bot.press(alice, press_label(picked, "✨ Show my picks"))
    assert "Picks for you" in text_of(picks)
    assert len(picked_titles(picks)) == 5


async def test_picks_explain_themselves_and_skip_what_you_have(movie_bot: Driver, alice: Requester) -> None:
    for title in ("toy story 1995", "finding nemo", "monsters, inc."):
        await movie_bot.fav(alice, title)
    await movie_bot.watch(alice, "shrek 2001")
    reply = await movie_bot.recommend(alice)
    titles = picked_titles(reply)
    assert len(titles) == 5
    assert not {"Toy Story (1995)", "Finding Nemo (2003)", "Shrek (2001)"} & set(titles)
    assert "↳ because you liked" in text_of(reply)
    assert sum("Animation" in line for line in text_of(reply).splitlines() if line[:1].isdigit()) >= 3
    more = await movie_bot.press(alice, press_label(reply, "More ›"))
    assert more.edit
    assert not set(picked_titles(more)) & set(titles)


async def test_not_interested_is_never_shown_again(movie_bot: Driver, alice: Requester) -> None:
    await movie_bot.fav(alice, "the matrix 1999")
    first = await movie_bot.recommend(alice)
    top = first.buttons[0][0]
    card = await movie_bot.press(alice, top.payload)
    dismissed = await movie_bot.press(alice, press_label(card, "🚫 Not interested"))
    assert dismissed.toast == "Got it: I won't suggest it again."
    again = await movie_bot.recommend(alice)
    assert top.label.split(". ", 1)[1] not in " ".join(picked_titles(again))


async def test_a_new_rating_changes_the_next_picks_without_a_refit(movie_bot: Driver, alice: Requester) -> None:
    await movie_bot.fav(alice, "toy story 1995")
    before = picked_titles(await movie_bot.recommend(alice))
    for title in ("saving private ryan", "full metal jacket", "apocalypse now", "platoon"):
        await movie_bot.rate(alice, f"{title} 5")
    after = await movie_bot.recommend(alice)
    assert picked_titles(after) != before
    assert sum("War" in line for line in text_of(after).splitlines() if line[:1].isdigit()) >= 2


async def test_more_like_this_finds_similar_movies(movie_bot: Driver, alice: Requester) -> None:
    card = await movie_bot.movie(alice, "the matrix 1999")
    similar = await movie_bot.press(alice, press_label(card, "🎯 More like this"))
    shown = text_of(similar)
    assert "More like The Matrix (1999)" in shown
    assert sum("Science Fiction" in line for line in shown.splitlines() if line[:1].isdigit()) >= 3


async def test_new_users_get_reachable_again_when_they_write(movie_bot: Driver) -> None:
    carol = Requester(Platform.TELEGRAM, "3003", "Carol")
    await movie_bot.start(carol)
    await movie_bot.mark_unreachable(carol)
    assert not await movie_bot.is_reachable(carol)
    await movie_bot.press(carol, encode(RateAction(1, 3)))  # a write intent for a returning user
    assert await movie_bot.is_reachable(carol)


@pytest.mark.parametrize("intent", ["profile", "recommend", "history", "favorites", "settings"])
async def test_a_first_message_can_be_any_command(movie_bot: Driver, intent: str) -> None:
    stranger = Requester(Platform.DISCORD, "first-contact", "Stranger")
    reply = await getattr(movie_bot, intent)(stranger)
    assert reply.text


async def test_inline_cards_never_show_the_senders_own_state(
    movie_bot: Driver, alice: Requester, bob: Requester
) -> None:
    await movie_bot.rate(alice, "the matrix 1999 5")
    await movie_bot.review(alice, "the matrix 1999 | my secret opinion")
    await movie_bot.fav(alice, "the matrix 1999")
    [card, *_rest] = await movie_bot.inline_cards(alice, "the matrix")
    assert card.card is not None
    assert card.card.title == "The Matrix"
    assert (card.card.your_stars, card.card.your_review, card.card.favorite) == (None, None, False)
    assert card.card.ratings == 1  # public facts stay
    assert "secret" not in text_of(card)


async def test_suggestions_for_autocomplete(movie_bot: Driver, alice: Requester) -> None:
    popular = await movie_bot.suggest(alice, "m")
    assert len(popular) == 25
    matrix = await movie_bot.suggest(alice, "matrix")
    assert matrix[0].label == "The Matrix (1999)"
    assert matrix[0].value.startswith("#")
    assert await movie_bot.suggest(alice, "genre:nonsense") == []
    found = await movie_bot.movie(alice, matrix[0].value)
    assert found.card is not None
    assert found.card.title == "The Matrix"


async def test_admins_see_usage_analytics_and_nobody_else_does(
    runtime: Runtime, alice: Requester, bob: Requester
) -> None:
    bot = driver_over(runtime.uow, clock=runtime.core.services.clock, admins=frozenset({"telegram:1001"}))
    for who in (alice, bob):
        await bot.fav(who, "the matrix 1999")
    await bot.fav(bob, "heat 1995")
    await bot.rate(bob, "heat 1995 5")
    stats = text_of(await bot.stats(alice))
    assert "Users: 2 · active in the period: 2" in stats
    assert "1. The Matrix (1999) · ❤ 2" in stats
    assert stats.index("Bob · 3 actions") < stats.index("Alice · 1 actions")
    assert "1. Action ·" in stats
    with pytest.raises(Forbidden):
        await bot.stats(bob)
    assert "/stats" not in text_of(await bot.help(alice))
