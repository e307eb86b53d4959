"""The shared send budget on PostgreSQL and Redis: two instances together keep to one bot's pace.

Each "instance" has its own engine or Redis connection pool and its own
`SendBudget`, as two processes would; only the database row or the Redis key
is shared (tests/budgets.py). Skipped with a reason when PostgreSQL or Redis
does not answer.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.pacing import LocalSendBudget
from domain.pacing import PLATFORM_RATE, Priority
from domain.ports import SendBudget
from storage.send_budget import RedisSendBudget
from tests.budgets import MakeBudget
from tests.e2e.telegram.fake_bot_api import busiest_window
from tests.unit.test_pacing import TARGET

BACKLOG = 30  # scheduled messages per instance, all queued at once: about 2 s of budget for two


async def test_two_instances_share_one_pace_and_replies_never_queue(shared_budgets: MakeBudget) -> None:
    first, second = shared_budgets(), shared_budgets()
    start = time.monotonic()
    scheduled: list[float] = []
    replies: list[float] = []
    waits: list[float] = []

    async def remind(budget: SendBudget) -> None:
        await budget.take(Priority.SCHEDULED)
        scheduled.append(time.monotonic() - start)

    async def chat() -> None:
        for i in range(10):
            await asyncio.sleep(0.15)
            before = time.monotonic()
            await (first if i % 2 else second).take(Priority.INTERACTIVE)
            waits.append(time.monotonic() - before)
            replies.append(time.monotonic() - start)

    await asyncio.gather(chat(), *(remind(b) for b in (first, second) for _ in range(BACKLOG)))

    sent = sorted(scheduled + replies)
    achieved = (len(sent) - 1) / (sent[-1] - sent[0])
    print(f"achieved {achieved:.1f} msg/s, busiest second {busiest_window(sent)}, reply waits ≤ {max(waits):.4f} s")
    assert TARGET <= achieved <= PLATFORM_RATE  # two instances together, not 2 × 27
    assert busiest_window(sent) <= PLATFORM_RATE
    assert max(waits) < 0.05  # a round trip, not a place behind 60 reminders (~2 s)
    assert max(replies) < 2.0 < max(scheduled)  # the replies went out during the backlog, not after it


async def test_alone_scheduled_sends_reach_the_target(shared_budgets: MakeBudget) -> None:
    budget = shared_budgets()
    sent: list[float] = []
    for _ in range(40):
        await budget.take(Priority.SCHEDULED)
        sent.append(time.monotonic())
    achieved = (len(sent) - 1) / (sent[-1] - sent[0])
    assert TARGET <= achieved <= PLATFORM_RATE


async def test_an_unreachable_redis_falls_back_to_pacing_in_process(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    client = aioredis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))
    budget = RedisSendBudget(client, "telegram:1", fallback=LocalSendBudget())
    caplog.set_level(logging.WARNING)
    start = time.monotonic()
    for _ in range(10):
        await budget.take(Priority.SCHEDULED)
    await budget.take(Priority.INTERACTIVE)
    elapsed = time.monotonic() - start
    await client.aclose()
    assert 9 / PLATFORM_RATE <= elapsed < 1.0  # still paced, still sending
    assert caplog.text.count("send budget telegram:1 unavailable") == 1


async def test_without_a_fallback_a_store_failure_is_not_swallowed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = aioredis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))
    budget = RedisSendBudget(client, "telegram:1")
    with pytest.raises(RedisConnectionError):
        await budget.take(Priority.INTERACTIVE)
    await client.aclose()
