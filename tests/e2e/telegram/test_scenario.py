"""The main journey, end to end through python-telegram-bot and the fake Bot API."""

from __future__ import annotations

import logging

import pytest

from bot.routing import COMMANDS
from bot.services import Requester
from domain.models import Platform
from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import FakeBotApi
from tests.e2e.telegram.harness import Harness, TgUser

ALICE = Requester(Platform.TELEGRAM, "1001", "Alice Liddell")


async def test_start_up_registers_every_command_with_its_description(tg: Harness, fake: FakeBotApi) -> None:
    registered = {c["command"]: c["description"] for c in fake.commands}
    assert {c.name: c.description for c in COMMANDS if not c.admin}.items() <= registered.items()
    assert "cancel" in registered
    assert "stats" not in registered  # admin-only commands stay out of everyone's menu
    assert fake.calls_to("deleteWebhook"), "polling must make sure no webhook is set"
    assert fake.allowed_updates == ["message", "callback_query", "inline_query"]


async def test_search_favorite_rate_review_favorites_history(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, movie_bot: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    welcome = await alice_tg.say("/start")
    assert "Hi Alice Liddell!" in welcome.text  # type: ignore[operator]
    assert welcome.labels() == ["📬 Weekly picks on Fridays at 18:00 your time?", "🔥 Popular", "✨ For you"]

    results = await alice_tg.say("/search matrix")
    assert "1. The Matrix (1999)" in results.shown
    assert any(e["type"] == "bold" for e in results.entities)

    answer = await alice_tg.press(results, "1. ")
    card = fake.last(alice_tg.id)
    assert card.message_id != results.message_id, "opening a card sends it; the results stay"
    assert card.shown.startswith("🎬 The Matrix (1999)")
    assert answer.get("text") is None

    answer = await alice_tg.press(card, "❤ Favorite")
    assert answer["text"] == "❤ Added to your favorites."
    edited = fake.last(alice_tg.id)
    assert edited.message_id == card.message_id, "a button press edits the message in place"
    assert "❤ favorite" in edited.shown
    assert "💔 Unfavorite" in edited.labels()

    answer = await alice_tg.press(edited, "⭐ Rate")
    assert answer["text"] == "How many stars?"
    picker = fake.last(alice_tg.id)
    assert picker.message_id == card.message_id
    assert "★★★★" in picker.labels()

    answer = await alice_tg.press(picker, "★★★★")
    assert answer["text"] == "Rated ★★★★☆."
    rated = fake.messages[(alice_tg.id, card.message_id)]
    assert "you rated ★★★★☆" in rated.shown
    assert "Add a short review?" in rated.shown
    assert "✍ Review" in rated.labels(), "the card keeps its buttons"
    prompt = fake.last(alice_tg.id)
    assert prompt.message_id > card.message_id
    assert prompt.shown.startswith("✍ Reply to this message with your review")
    assert fake.calls_to("sendMessage")[-1].params["reply_markup"]["force_reply"] is True

    saved = await alice_tg.say("Mind-bending & <still> great", reply_to=prompt)
    assert saved.shown.startswith("✍ Review saved for The Matrix (1999).")
    assert "Your review: “Mind-bending & <still> great”" in saved.shown

    for title in ("Heat 1995", "Alien 1979", "Fargo 1996", "Casablanca 1942", "Jaws 1975"):
        await alice_tg.say(f"/fav {title}")
    favorites = await alice_tg.say("/favorites")
    assert favorites.shown.startswith("❤ Your favorites (6)")
    await alice_tg.press(favorites, "Next ›")
    page2 = fake.last(alice_tg.id)
    assert page2.message_id == favorites.message_id
    assert "Page 2 of 2" in page2.shown

    history = await alice_tg.say("/history")
    assert history.shown.startswith("Recently added\n")
    assert "• Jaws (1975)" in history.shown
    await alice_tg.press(history, "Next ›")
    older = fake.last(alice_tg.id)
    assert older.message_id == history.message_id
    assert "⭐ Rated The Matrix (1999) ★★★★☆" in older.shown

    listed = await movie_bot.favorites(ALICE)
    assert listed.text[0][0].children[0].text == "❤ Your favorites (6)"  # type: ignore[union-attr]
    failed = [c for c in fake.calls if not c.ok]
    assert not failed, [(c.method, c.params) for c in failed]
    assert fake.token not in caplog.text


async def test_titles_resolve_to_the_film_the_user_meant(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    assert (await alice_tg.say("/fav joker 2019")).shown == "⚠ No “joker” from 2019; I have Joker (2012)."
    assert "➕ Added to your watchlist. Heat (1995)" in (await alice_tg.say("/watch Heat")).shown
    assert (await alice_tg.say("/movie the heat")).shown.startswith("🎬 The Heat (2013)")
    assert "Did you mean one of these for “godfather”?" in (await alice_tg.say("/fav godfather")).shown
    await alice_tg.say("/watched Heat")
    assert "You've watched it, so it stays in your watched films." in (await alice_tg.say("/unwatch Heat")).shown
    for title in ("the matrix 1999", "toy story 1995", "alien 1979", "fargo 1996", "psycho 1960", "heat 1995"):
        await alice_tg.say(f"/fav {title}")
    assert "Page 2 of 2" in (await alice_tg.say("/favorites 2")).shown
    assert "(6)" in str((await movie_bot.favorites(ALICE)).text[0])
