"""Scheduled messages on Telegram (TelegramDelivery) against the fake Bot API: what counts as sent, what is retried.

A duplicate is worse than a miss: a timeout after Telegram had the message is
UNKNOWN (never sent again); only failures known to precede delivery are RETRY.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram.delivery import TelegramDelivery
from bot.notifications import DeliveryOutcome
from bot.reply import Reply, line
from tests.e2e.telegram.fake_bot_api import ApiError, FakeBotApi

PICKS = Reply(text=(line("📬 Your weekly picks"),))
CHAT = 4242


@pytest.fixture
async def tg_bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(read_timeout=0.3, connect_timeout=0.3))
    async with bot:
        yield bot


async def test_a_timeout_after_telegram_had_the_message_is_unknown_not_retried(fake: FakeBotApi, tg_bot: Bot) -> None:
    fake.chat(CHAT)
    fake.answer_late("sendMessage", 1.0)  # delivered, but the answer comes after the client gave up
    assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS) is DeliveryOutcome.UNKNOWN
    assert [m.text for m in fake.bot_messages(CHAT)] == ["📬 Your weekly picks"]


async def test_flood_control_is_retried_later(fake: FakeBotApi, tg_bot: Bot) -> None:
    fake.chat(CHAT)
    fake.fail_next("sendMessage", ApiError(429, "Too Many Requests: retry after 30", {"retry_after": 30}))
    assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS) is DeliveryOutcome.RETRY
    assert fake.bot_messages(CHAT) == []


async def test_a_connection_that_never_opened_is_retried_later(fake: FakeBotApi, tg_bot: Bot) -> None:
    await fake.stop()  # Telegram unreachable: the connection is refused before anything is sent
    try:
        assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS) is DeliveryOutcome.RETRY
    finally:
        await fake.start()


async def test_a_blocked_bot_is_unreachable(fake: FakeBotApi, tg_bot: Bot) -> None:
    fake.chat(CHAT)
    fake.blocked.add(CHAT)
    assert await TelegramDelivery(tg_bot).deliver(str(CHAT), PICKS) is DeliveryOutcome.UNREACHABLE
