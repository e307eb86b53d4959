"""Scheduled messages on Telegram (TelegramDelivery) against the fake Bot API: what counts as sent, what is retried.

A duplicate is worse than a miss: a timeout after Telegram had the message is
UNKNOWN (never sent again); only failures known to precede delivery are RETRY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram.delivery import TelegramDelivery
from bot.bootstrap import Runtime
from bot.notifications import DeliveryOutcome, NotificationService
from bot.reply import Reply, line
from tests.conftest import FakeClock
from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import ApiError, FakeBotApi, Msg
from tests.e2e.telegram.harness import Harness, TgUser

PICKS = Reply(text=(line("📬 Your weekly picks"),))


async def nothing() -> None:
    """A `leaving` hook for deliveries whose ledger row does not matter here."""


CHAT = 4242


@pytest.fixture
async def tg_bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(read_timeout=0.3, connect_timeout=0.3))
    async with bot:
        yield bot


async def test_a_timeout_after_telegram_had_the_message_is_unknown_not_retried(fake: FakeBotApi, tg_bot: Bot) -> None:
    fake.chat(CHAT)
    fake.answer_late("sendMessage", 1.0)  # delivered, but the answer comes after the client gave up
    assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS, nothing) is DeliveryOutcome.UNKNOWN
    assert [m.text for m in fake.bot_messages(CHAT)] == ["📬 Your weekly picks"]


async def test_flood_control_is_retried_later(fake: FakeBotApi, tg_bot: Bot) -> None:
    fake.chat(CHAT)
    fake.fail_next("sendMessage", ApiError(429, "Too Many Requests: retry after 30", {"retry_after": 30}))
    assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS, nothing) is DeliveryOutcome.RETRY
    assert fake.bot_messages(CHAT) == []


async def test_a_connection_that_never_opened_is_retried_later(fake: FakeBotApi, tg_bot: Bot) -> None:
    await fake.stop()  # Telegram unreachable: the connection is refused before anything is sent
    try:
        assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS, nothing) is DeliveryOutcome.RETRY
    finally:
        await fake.start()


async def test_a_blocked_bot_is_unreachable(fake: FakeBotApi, tg_bot: Bot) -> None:
    fake.chat(CHAT)
    fake.blocked.add(CHAT)
    assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS, nothing) is DeliveryOutcome.UNREACHABLE


async def test_saying_yes_answering_the_timezone_then_a_nudge_whose_buttons_work(
    tg: Harness, alice_tg: TgUser, fake: FakeBotApi, movie_bot: Driver, runtime: Runtime, clock: FakeClock
) -> None:
    clock.now = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
    welcome = await alice_tg.say("/start")
    await alice_tg.press(welcome, "📬 Weekly picks on Fridays at 18:00 your time?")
    question = fake.last(alice_tg.id)
    assert "what's your timezone?" in (question.text or "")
    confirmed = await alice_tg.say("Asia/Tokyo", reply_to=question)  # a reply to the question answers it
    assert "Weekly picks are on: Fridays at 18:00, Asia/Tokyo time" in (confirmed.text or "")
    await alice_tg.say("/settings nudges on")
    await alice_tg.say("/watch heat 1995")
    await alice_tg.say("/watch alien 1979")
    clock.now = dt.datetime(2026, 11, 6, 9, 0, tzinfo=dt.UTC)  # five weeks on: Friday 18:00 in Tokyo
    notifier = NotificationService(movie_bot.core, runtime.uow, [TelegramDelivery(tg.app.bot)], clock=clock)
    report = await notifier.run_due()
    assert report.sent == 2  # the weekly picks and one nudge (not two: one a week)
    nudge = nudge_in(fake, alice_tg.id)
    assert (nudge.text or "").startswith("⏳ On your watchlist for over 4 weeks")
    snoozed = await alice_tg.press(nudge, "⏰ Snooze 2 weeks")
    assert snoozed["text"] == "⏰ Snoozed: no nudge about it for 2 weeks."
    clock.now += dt.timedelta(weeks=1)
    await notifier.run_due()
    second = nudge_in(fake, alice_tg.id)
    assert second.message_id != nudge.message_id
    watched = await alice_tg.press(second, "👁 Watched")
    assert watched["text"] == "👁 Marked as watched."


def nudge_in(fake: FakeBotApi, chat: int) -> Msg:
    """The latest nudge in the chat (weekly picks may arrive just before or after it)."""
    return [m for m in fake.bot_messages(chat) if (m.text or "").startswith("⏳")][-1]


async def test_a_scheduled_message_is_recorded_as_leaving_once_after_its_slot_and_before_the_request(
    tg: Harness, fake: FakeBotApi
) -> None:
    fake.chat(CHAT)
    seen_before: list[int] = []

    async def leaving() -> None:
        seen_before.append(len(fake.bot_messages(CHAT)))

    long = Reply(text=tuple(line(f"{i:04d} " + "x" * 90) for i in range(80)))  # two messages of text
    outcome = await TelegramDelivery(tg.app.bot).deliver(str(CHAT), long, leaving)
    assert outcome is DeliveryOutcome.SENT
    assert len(fake.bot_messages(CHAT)) == 2
    assert seen_before == [0]  # once, before anything had arrived
