"""Two bot processes, one Telegram budget: python-telegram-bot with BudgetRateLimiter against the fake's limits.

The fake Bot API runs with Telegram's limits on (30 messages in any sliding
second per bot, one a second per chat after a short burst) and answers 429 past
them. Each "process" is its own PTB Application built by the production
builder, with its own limiter and its own connection to the shared budget.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from adapters.telegram.app import AnyApplication, application_builder
from adapters.telegram.rate_limit import SCHEDULED, BudgetRateLimiter, priority_of
from domain.pacing import PLATFORM_RATE, Priority
from tests.budgets import MakeBudget
from tests.e2e.telegram.fake_bot_api import FakeBotApi, busiest_second, rate
from tests.e2e.telegram.harness import telegram_config

TARGET = 27.0
REMINDERS = 120  # 60 per process, all queued at once
REPLY_CHATS = range(9001, 9011)


@pytest.fixture
async def limited() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(limits=True)
    await server.start()
    for chat_id in [*range(1, REMINDERS + 1), *REPLY_CHATS]:
        server.chat(chat_id)
    yield server
    await server.stop()


def _app(fake: FakeBotApi, limiter: BaseRateLimiter[object]) -> AnyApplication:
    return application_builder(telegram_config(fake, "sqlite:///unused.sqlite3"), rate_limiter=limiter).build()


def test_only_an_explicit_mark_makes_a_send_scheduled() -> None:
    assert priority_of(SCHEDULED) is Priority.SCHEDULED
    assert priority_of({"priority": "scheduled", "max_retries": 1}) is Priority.SCHEDULED
    for other in (None, 3, {}, {"priority": "later"}, {"max_retries": 2}):
        assert priority_of(other) is Priority.INTERACTIVE


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter.retry_after as int
async def test_two_processes_with_their_own_limiters_flood_telegram(limited: FakeBotApi) -> None:
    """What the shared budget fixes: each process keeping to 30/s on its own sends 60/s together."""
    apps = [_app(limited, AIORateLimiter(max_retries=0)) for _ in range(2)]
    async with apps[0], apps[1]:
        results = await asyncio.gather(
            *(apps[n % 2].bot.send_message(n, "reminder") for n in range(1, 81)), return_exceptions=True
        )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert refused  # PTB read Telegram's 429 (parameters.retry_after) from the fake
    assert all(r.retry_after == 1 for r in refused)
    assert len(refused) == len(limited.flooded) == 80 - len(limited.sent)


class CountingBudget:
    """A SendBudget that lets everything through and remembers what was asked of it."""

    def __init__(self) -> None:
        self.taken: list[Priority] = []

    async def take(self, priority: Priority) -> None:
        self.taken.append(priority)


async def test_only_message_sends_take_the_budget(fake: FakeBotApi) -> None:
    fake.chat(42)
    budget = CountingBudget()
    app = _app(fake, BudgetRateLimiter(budget))
    async with app:  # getMe
        await app.bot.set_my_commands([("start", "Start")])
        sent = await app.bot.send_message(42, "a reply")
        await app.bot.send_message(42, "a reminder", rate_limit_args=SCHEDULED)
        await app.bot.edit_message_text("an edit", chat_id=42, message_id=sent.message_id, rate_limit_args=2)
        query = fake.callback_query({"id": 42, "is_bot": False, "first_name": "A"}, None, "v1:x")
        await app.bot.answer_callback_query(query["id"])
    assert budget.taken == [Priority.INTERACTIVE, Priority.SCHEDULED, Priority.INTERACTIVE]


@pytest.mark.slow
async def test_two_processes_share_one_budget_and_replies_go_first(
    limited: FakeBotApi, shared_budgets: MakeBudget
) -> None:
    apps = [_app(limited, BudgetRateLimiter(shared_budgets())) for _ in range(2)]
    async with apps[0], apps[1]:
        idle: list[float] = []
        for chat_id in REPLY_CHATS[:2]:
            before = time.monotonic()
            await apps[chat_id % 2].bot.send_message(chat_id, "hello")
            idle.append(time.monotonic() - before)
        await asyncio.sleep(1.1)  # let the per-chat buckets of those two chats refill

        async def remind(n: int) -> None:
            await apps[n % 2].bot.send_message(n, f"reminder {n}", rate_limit_args=SCHEDULED)

        busy: list[float] = []

        async def chat() -> None:
            for chat_id in REPLY_CHATS:
                await asyncio.sleep(0.2)
                before = time.monotonic()
                await apps[chat_id % 2].bot.send_message(chat_id, "here is your answer")
                busy.append(time.monotonic() - before)

        start = time.monotonic()
        reminders = asyncio.gather(*(remind(n) for n in range(1, REMINDERS + 1)))
        await asyncio.gather(chat(), reminders)
        elapsed = time.monotonic() - start

    during = [s for s in limited.sent if s.at >= start]
    replies = [i for i, s in enumerate(during) if s.chat_id in REPLY_CHATS]
    achieved = rate(during)
    print(
        f"\n{len(during)} messages in {elapsed:.2f} s: {achieved:.1f} msg/s, busiest second {busiest_second(during)},"
        f" 429s {len(limited.flooded)}; reply latency idle ≤ {max(idle) * 1000:.1f} ms,"
        f" during the backlog ≤ {max(busy) * 1000:.1f} ms"
    )
    assert limited.flooded == []  # not one 429
    assert len(during) == REMINDERS + len(REPLY_CHATS)
    assert TARGET <= achieved <= PLATFORM_RATE
    assert max(busy) < 0.1  # not a place behind ~4 s of reminders
    assert replies[-1] < len(during) - 40  # every reply went out while reminders were still queued
