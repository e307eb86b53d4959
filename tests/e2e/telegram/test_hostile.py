"""Hostile and unlucky updates: forged buttons, deleted messages, huge texts, odd update types, 429 and 403."""

from __future__ import annotations

import logging

import pytest

from bot.copy import APOLOGY
from bot.services import Requester
from domain.models import Platform
from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import ApiError, FakeBotApi
from tests.e2e.telegram.harness import Harness, TgUser

ALICE = Requester(Platform.TELEGRAM, "1001", "Alice Liddell")


async def favorites_text(bot: Driver, who: Requester = ALICE) -> str:
    reply = await bot.favorites(who)
    return "\n".join(
        "".join(getattr(n, "text", "") or "".join(c.text for c in getattr(n, "children", ())) for n in ln)
        for ln in reply.text
    )


@pytest.mark.parametrize("data", ["v1:fa:99999999999", "v1:fa:1;DROP TABLE", "garbage", "v2:fa:1", "x" * 64, None])
async def test_forged_callback_data_is_answered_as_expired_and_changes_nothing(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, data: str | None
) -> None:
    card = await alice_tg.say("/movie The Matrix 1999")
    sent_before = len(fake.calls_to("sendMessage"))
    answer = await alice_tg.press(card, data=data)
    assert answer["text"].startswith("⚠ This button has expired")
    assert answer["show_alert"] in (True, "true")
    assert len(fake.calls_to("sendMessage")) == sent_before
    assert not fake.calls_to("editMessageText")


async def test_button_on_a_deleted_message_still_acts_and_sends_a_fresh_card(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    card = await alice_tg.say("/movie The Matrix 1999")
    del fake.messages[(alice_tg.id, card.message_id)]
    answer = await alice_tg.press(card, "❤ Favorite")
    assert answer["text"] == "❤ Added to your favorites."
    fresh = fake.last(alice_tg.id)
    assert fresh.message_id != card.message_id
    assert "❤ favorite" in fresh.shown
    assert "The Matrix (1999)" in await favorites_text(movie_bot)


async def test_double_tap_is_answered_even_though_the_message_is_not_modified(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi
) -> None:
    card = await alice_tg.say("/movie The Matrix 1999")
    stale = card.button("❤ Favorite")["callback_data"]
    first = await alice_tg.press(card, data=stale)
    again = await alice_tg.press(card, data=stale)  # a second tap before the client redrew the button
    assert first["text"] == "❤ Added to your favorites."
    assert again["text"] == "Already in your favorites."
    assert [c.ok for c in fake.calls_to("editMessageText")] == [True, False], (
        "the second edit was refused as not modified"
    )
    assert fake.bot_messages(alice_tg.id)[-1].message_id == card.message_id, "no chat spam"


@pytest.mark.parametrize("text", ["a" * 4096, "🎬" * 2048, "/search " + "🍿🎞️" * 600, "/fav " + "<b>&amp;" * 500])
async def test_huge_and_emoji_heavy_messages_get_a_valid_answer(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, text: str
) -> None:
    reply = await alice_tg.say(text)
    assert reply.shown
    assert all(c.ok for c in fake.calls), [c.params for c in fake.calls if not c.ok]


async def test_edited_messages_channel_posts_and_unknown_updates_are_ignored(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    fake.chat(alice_tg.id)
    fake.chat(-100500, "channel", "News")
    edited = fake.user_message(alice_tg.json, alice_tg.id, "/fav Heat 1995")
    await fake.push("edited_message", {**edited, "edit_date": edited["date"] + 5})
    post = {
        "message_id": 9,
        "date": 0,
        "chat": fake.chats[-100500],
        "sender_chat": fake.chats[-100500],
        "text": "/fav Heat 1995",
    }
    await fake.push("channel_post", post)
    await fake.push("some_future_update", {"id": 1, "weird": True})
    last = await fake.push(
        "message_reaction_count", {"chat": fake.chats[-100500], "message_id": 9, "date": 0, "reactions": []}
    )
    await tg.drain(last)
    assert not fake.calls_to("sendMessage")
    assert "No favorites yet" in await favorites_text(movie_bot)
    assert (await alice_tg.say("/help")).shown.startswith("What I can do"), "still serving"


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")  # PTB reads its own retry_after
async def test_429_is_retried_after_the_time_telegram_asks(tg: Harness, alice_tg: TgUser, fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1}))
    reply = await alice_tg.say("/help")
    assert reply.shown.startswith("What I can do")
    first, second = fake.calls_to("sendMessage")
    assert not first.ok
    assert second.ok
    assert second.at - first.at >= 1.0


async def test_403_marks_the_user_unreachable_until_they_write_again(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    await alice_tg.say("/start")
    assert await movie_bot.is_reachable(ALICE)
    fake.blocked.add(alice_tg.id)
    await alice_tg.say("/help")
    assert not await movie_bot.is_reachable(ALICE)
    fake.blocked.clear()
    notice = await alice_tg.say("/trending")  # the answer, then why the reminders stopped
    assert notice.shown.startswith("📭 My last scheduled message couldn't reach you")
    assert fake.bot_messages(alice_tg.id)[-2].shown.startswith("🔥 Popular now")
    assert await movie_bot.is_reachable(ALICE)
    assert (await alice_tg.say("/help")).shown.startswith("What I can do"), "told once"


async def test_unexpected_errors_get_an_apology_and_a_safe_log_line(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake.fail_next("sendMessage", ApiError(500, "Internal Server Error"))
    reply = await alice_tg.say("/search secret-words-of-alice")
    assert reply.text == APOLOGY
    failures = [r for r in caplog.records if r.name.startswith("adapters.telegram") and r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert failures[0].getMessage().startswith("telegram update ")
    info_and_up = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-words-of-alice" not in info_and_up
    assert fake.token not in caplog.text
    assert fake.token.split(":")[1] not in caplog.text


async def test_cancel_leaves_the_review_and_the_next_message_searches(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi
) -> None:
    await alice_tg.say("/rate The Matrix 1999 5")
    assert fake.last(alice_tg.id).shown.startswith("✍ Reply to this message")
    assert (await alice_tg.say("/cancel")).text == "Cancelled."
    assert (await alice_tg.say("heat")).shown.startswith("🔎 Results")


async def test_only_a_reply_to_the_prompt_is_a_review(tg: Harness, alice_tg: TgUser, fake: FakeBotApi) -> None:
    await alice_tg.say("/rate The Matrix 1999 5")
    prompt = fake.last(alice_tg.id)
    searched = await alice_tg.say("A classic.")  # not a reply: a search, never a review
    assert searched.shown.startswith("🔎 Results")
    assert (await alice_tg.say("/cancel")).text == "Cancelled."
    late = await alice_tg.say("A classic.", reply_to=prompt)  # the question was cancelled: not a review either
    assert late.shown.startswith("That question has expired.")
    await alice_tg.say("/rate The Matrix 1999 5")
    saved = await alice_tg.say("A classic.", reply_to=fake.last(alice_tg.id))
    assert saved.shown.startswith("✍ Review saved for The Matrix (1999).")
    too_long = await alice_tg.say("/review The Matrix 1999 | " + "x" * 600)
    assert too_long.text.startswith("⚠ Reviews are at most 500 characters")
