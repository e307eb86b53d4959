"""A user's session on Discord, end to end through the real discord.py and the fake Discord.

Mirrors the Telegram scenario: welcome, autocomplete, a movie card, favorites,
rating with the review modal, lists with paging and a select menu, personal
screens, sharing, settings. Assertions read what Discord would show (callbacks,
embeds, components, flags) and the bot's end state through its intents.
"""

from __future__ import annotations

from typing import Any

from adapters.discord.client import MovieClient
from tests.driver import Driver
from tests.e2e.discord.fake_discord import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    UPDATE_MESSAGE,
    FakeDiscord,
    button_labels,
    select_options,
)
from tests.e2e.discord.helpers import embed, fields, is_ephemeral, reply_text, requester


async def matrix_ref(fake: FakeDiscord, user: dict[str, Any]) -> str:
    """Pick The Matrix (1999) from autocomplete, the way a user would."""
    typed = await fake.autocomplete("movie", user, value="matrix")
    return next(c["value"] for c in typed.choices if c["name"] == "The Matrix (1999)")


async def test_welcome_and_help(fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]) -> None:
    start = await fake.slash("start", alice)
    assert start.callback_type == CHANNEL_MESSAGE
    assert "I'm your movie companion" in start.data["content"]
    assert set(button_labels(start.original or {})) == {
        "📬 Weekly picks on Fridays at 18:00 your time?",
        "🔥 Popular",
        "✨ For you",
    }
    help_ = await fake.slash("help", alice)
    assert "/recommend — Picks for you" in help_.data["content"]
    assert "TMDB API" in help_.data["content"]


async def test_autocomplete_titles_with_years_fast(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]
) -> None:
    typed = await fake.autocomplete("movie", alice, value="matr")
    assert typed.callback_type == AUTOCOMPLETE_RESULT
    assert typed.choices[0] == {"name": "The Matrix (1999)", "value": typed.choices[0]["value"]}
    assert typed.choices[0]["value"].startswith("#")
    assert typed.latency is not None
    assert typed.latency < 0.5
    popular = await fake.autocomplete("rate", alice, value="m")  # under 2 characters: popular titles
    assert len(popular.choices) == 25
    assert all("(" in c["name"] for c in popular.choices)


async def test_card_favorite_rate_and_review(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any]
) -> None:
    ref = await matrix_ref(fake, alice)
    shown = await fake.slash("movie", alice, guild=False, title=ref)  # in a DM the card is Alice's alone
    card = shown.original
    assert card is not None
    assert not is_ephemeral(card)
    assert embed(card)["title"] == "🎬 The Matrix (1999)"
    assert fields(card)["Year"] == "1999"
    assert "Action" in fields(card)["Genres"]
    assert fields(card)["Your rating"] == "Not rated"

    faved = await fake.press(card, button_labels(card)["❤ Favorite"], alice)
    assert faved.callback_type == UPDATE_MESSAGE
    assert faved.data["content"] == "❤ Added to your favorites."
    assert "💔 Unfavorite" in button_labels(card)  # the same message now offers the opposite
    assert fields(card)["Your lists"] == "❤ Favorite"

    picker = await fake.press(card, button_labels(card)["⭐ Rate"], alice)
    assert picker.callback_type == UPDATE_MESSAGE
    assert "★★★★" in button_labels(card)
    rated = await fake.press(card, button_labels(card)["★★★★"], alice)
    assert rated.callback_type == MODAL
    assert rated.data["title"].startswith("★★★★☆ The Matrix")
    text_input = rated.data["components"][0]["components"][0]
    assert text_input["max_length"] == 500
    assert text_input["required"] is False
    submitted = await fake.submit_modal(rated, {text_input["custom_id"]: "Mind-bending, still."}, alice)
    assert submitted.callback_type == UPDATE_MESSAGE  # the card the stars were on is updated
    assert fields(card)["Your rating"] == "★★★★☆"
    assert fields(card)["Your review"] == "Mind-bending, still."

    favorites = await movie_bot.favorites(requester(alice))
    assert "The Matrix (1999)" in reply_text(favorites)


async def test_a_public_card_in_a_server_shows_public_facts_and_answers_the_presser_privately(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any]
) -> None:
    ref = await matrix_ref(fake, alice)
    card = (await fake.slash("movie", alice, title=ref)).original
    assert card is not None
    assert not is_ephemeral(card)
    assert "Your rating" not in fields(card)  # the server sees no one's status, not even the asker's
    faved = await fake.press(card, button_labels(card)["❤ Favorite"], alice)
    assert faved.callback_type == CHANNEL_MESSAGE
    mine = faved.original
    assert mine is not None
    assert is_ephemeral(mine)  # Alice's own card, for her eyes
    assert mine["content"] == "❤ Added to your favorites."
    assert "💔 Unfavorite" in button_labels(mine)
    assert "Your lists" not in fields(card)  # the public card is left as it was
    picker = await fake.press(card, button_labels(card)["⭐ Rate"], alice)
    assert picker.original is not None
    assert is_ephemeral(picker.original)
    rated = await fake.press(picker.original, button_labels(picker.original)["★★★★"], alice)
    assert rated.callback_type == MODAL
    text_input = rated.data["components"][0]["components"][0]
    await fake.submit_modal(rated, {text_input["custom_id"]: "Mind-bending, still."}, alice)
    assert fields(picker.original)["Your review"] == "Mind-bending, still."  # her private card is updated
    assert "Your rating" not in fields(card)
    assert "Your review" not in fields(card)
    assert "The Matrix (1999)" in reply_text(await movie_bot.favorites(requester(alice)))


async def test_rate_command_opens_the_review_modal(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any]
) -> None:
    ref = await matrix_ref(fake, alice)
    rated = await fake.slash("rate", alice, title=ref, stars=5)
    assert rated.callback_type == MODAL
    text_input = rated.data["components"][0]["components"][0]
    skipped = await fake.submit_modal(rated, {text_input["custom_id"]: ""}, alice)
    assert skipped.callback_type == CHANNEL_MESSAGE
    assert fields(skipped.original or {})["Your rating"] == "★★★★★"
    again = await fake.slash("movie", alice, title=ref)
    assert fields(again.original or {})["Average"].startswith("★ 5.0/5")


async def test_someone_elses_public_card_acts_for_the_presser(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    card = (await fake.slash("movie", alice, title=await matrix_ref(fake, alice))).original
    assert card is not None
    before = [dict(e) for e in card["embeds"]]
    pressed = await fake.press(card, button_labels(card)["➕ Watchlist"], bob)
    assert pressed.callback_type == CHANNEL_MESSAGE
    assert pressed.ephemeral
    assert fields(pressed.original or {})["Your lists"] == "On your watchlist"
    assert card["embeds"] == before  # Alice's card is untouched
    assert "The Matrix (1999)" in reply_text(await movie_bot.watchlist(requester(bob)))
    assert "empty" in reply_text(await movie_bot.watchlist(requester(alice)))


async def test_lists_page_and_open_from_the_select_menu(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]
) -> None:
    trending = await fake.slash("trending", alice)
    listing = trending.original
    assert listing is not None
    assert "Page 1 of" in listing["content"]
    assert len(select_options(listing)) == 5
    paged = await fake.press(listing, button_labels(listing)["Next ›"], alice)
    assert paged.callback_type == UPDATE_MESSAGE
    assert "Page 2 of" in listing["content"]
    assert "‹ Previous" in button_labels(listing)
    first = select_options(listing)[0]
    opened = await fake.press(listing, "mb:open", alice, values=[first["value"]])
    assert opened.callback_type == CHANNEL_MESSAGE
    assert first["label"].split(". ", 1)[1] in embed(opened.original or {})["title"]


async def test_personal_screens_are_ephemeral_in_servers_and_shareable(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]
) -> None:
    ref = await matrix_ref(fake, alice)
    await fake.slash("fav", alice, title=ref)
    favorites = await fake.slash("favorites", alice)
    assert favorites.ephemeral
    listing = favorites.original
    assert listing is not None
    only = button_labels(listing)  # a single movie keeps its open button
    opened = await fake.press(listing, only["1. The Matrix"], alice)
    assert opened.ephemeral  # opened from a private screen: stays private
    private_card = opened.original or {}
    shared = await fake.press(private_card, button_labels(private_card)["📣 Share"], alice)
    assert shared.callback_type == DEFERRED_UPDATE
    await fake.until(lambda: shared.followups)
    public = shared.followups[0]
    assert not is_ephemeral(public)
    assert embed(public)["title"] == "🎬 The Matrix (1999)"
    assert "📣 Share" not in button_labels(public)

    dm = await fake.slash("favorites", alice, guild=False)
    assert not dm.ephemeral  # in DMs personal screens are normal messages


async def test_settings_toggle_and_profile(fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]) -> None:
    settings = await fake.slash("settings", alice)
    assert settings.ephemeral
    screen = settings.original or {}
    asked = await fake.press(screen, button_labels(screen)["📬 Weekly: off"], alice)
    assert asked.callback_type == MODAL  # turning weekly picks on needs the zone: Discord does not tell bots
    assert asked.data["custom_id"] == "moviebot:tz:1"
    field = asked.data["components"][0]["components"][0]
    answered = await fake.submit_modal(asked, {field["custom_id"]: "europe/berlin"}, alice)
    assert "Weekly picks are on: Fridays at 18:00, Europe/Berlin time" in answered.data["content"]
    screen = (await fake.slash("settings", alice)).original or {}
    toggled = await fake.press(screen, button_labels(screen)["📬 Weekly: on"], alice)
    assert toggled.callback_type == UPDATE_MESSAGE
    assert "📬 Weekly: off" in button_labels(screen)
    hour = await fake.press(screen, button_labels(screen)["🕕 18:00"], alice)
    assert hour.callback_type == UPDATE_MESSAGE
    await fake.press(screen, button_labels(screen)["09"], alice)
    assert "🕕 09:00" in button_labels(screen)
    profile = await fake.slash("profile", alice)
    assert profile.ephemeral
    assert "Favorites: 0" in profile.data["content"]


async def test_recommendations_defer_first_then_follow_up(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]
) -> None:
    picks = await fake.slash("recommend", alice)
    assert picks.callback_type == DEFERRED_CHANNEL_MESSAGE
    assert picks.ephemeral  # a personal screen: its "thinking…" placeholder is private too
    await fake.until(lambda: picks.edits or picks.followups)
    shown = picks.messages()[0]
    assert is_ephemeral(shown)
    assert not shown["flags"] & 128
    assert shown["content"]
    assert not shown["content"].startswith("⚠")


def _shown(answer: Any) -> str:
    """What the user sees of an answer: its text and, for a card, the embed's title."""
    message = answer.original or answer.data
    embeds = message.get("embeds") or []
    return "\n".join([message.get("content") or "", *(e.get("title", "") for e in embeds)])


async def test_titles_resolve_to_the_film_the_user_meant(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any]
) -> None:
    assert "No “joker” from 2019; I have Joker (2012)." in _shown(await fake.slash("fav", alice, title="joker 2019"))
    assert "🎬 Heat (1995)" in _shown(await fake.slash("watch", alice, title="Heat"))
    assert "🎬 The Heat (2013)" in _shown(await fake.slash("movie", alice, title="the heat"))
    assert "Did you mean one of these for “godfather”?" in _shown(await fake.slash("fav", alice, title="godfather"))
    await fake.slash("watched", alice, title="Heat")
    kept = await fake.slash("unwatch", alice, title="Heat")
    assert "You've watched it, so it stays in your watched films." in _shown(kept)
    for title in ("the matrix 1999", "toy story 1995", "alien 1979", "fargo 1996", "psycho 1960", "heat 1995"):
        await fake.slash("fav", alice, title=title)
    assert "Page 2 of 2" in _shown(await fake.slash("favorites", alice, text="2"))
    assert "❤ Your favorites (6)" in reply_text(await movie_bot.favorites(requester(alice)))
