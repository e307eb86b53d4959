"""The send budget's rule (domain.pacing) and the in-process budget (bot.pacing).

What a bot owner cares about: reminders go out at ≥ 27 messages a second when
nobody chats, a person's reply never waits behind them, and together they stay
under Telegram's 30 a second.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.pacing import LocalSendBudget
from domain.pacing import PLATFORM_RATE, Pace, Priority, ask_again_in, reserve
from tests.e2e.telegram.fake_bot_api import busiest_window

PACE = Pace()
TARGET = 27.0  # 90% of Telegram's 30/s

times = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def simulate(
    interactive_rate: float, seconds: float, senders: int = 1, pace: Pace = PACE
) -> tuple[list[float], list[float]]:
    """Send times of a scheduled backlog and of interactive replies arriving at a steady rate.

    Like the budgets: each of `senders` instances has one scheduled caller asking
    at a time; it reserves a slot once it is within the lookahead, and asks for the
    next one when its message went out.
    """
    tat = float("-inf")
    scheduled: list[float] = []
    interactive: list[float] = []
    order = itertools.count()
    events: list[tuple[float, int, Priority]] = [(0.0, next(order), Priority.SCHEDULED) for _ in range(senders)]
    if interactive_rate:
        events.append((0.5 / interactive_rate, next(order), Priority.INTERACTIVE))
    while events:
        now, _, priority = heapq.heappop(events)
        if now >= seconds:
            continue
        new_tat, start = reserve(tat, now, priority, pace.rate, pace.scheduled_share, pace.lookahead)
        if priority is Priority.INTERACTIVE:
            assert start == now
            interactive.append(now)
            heapq.heappush(events, (now + 1 / interactive_rate, next(order), priority))
        elif new_tat == tat:  # not within the lookahead yet: ask again when it is
            heapq.heappush(events, (now + ask_again_in(start, now, pace), next(order), priority))
        else:
            scheduled.append(start)
            heapq.heappush(events, (start, next(order), priority))
        tat = new_tat
    return [t for t in scheduled if t < seconds], interactive


# ---- the rule ----------------------------------------------------------------------------------


def test_scheduled_messages_alone_go_out_at_least_at_90_percent_of_the_limit() -> None:
    scheduled, _ = simulate(0, seconds=10)
    assert TARGET * 10 <= len(scheduled) <= PLATFORM_RATE * 10
    assert busiest_window(scheduled) <= PLATFORM_RATE


@given(tat=times, ahead=st.floats(min_value=0, max_value=1e3, allow_nan=False))
def test_an_interactive_message_never_waits_even_behind_a_long_scheduled_queue(tat: float, ahead: float) -> None:
    now = tat - ahead  # the budget is reserved `ahead` seconds into the future
    new_tat, start = reserve(tat, now, Priority.INTERACTIVE)
    assert start == now
    assert new_tat == pytest.approx(max(tat, now) + 1 / PACE.rate)


@given(tat=times, now=times)
def test_a_scheduled_message_waits_for_every_reservation_before_it(tat: float, now: float) -> None:
    new_tat, start = reserve(tat, now, Priority.SCHEDULED)
    assert start == max(tat, now)
    assert new_tat > start


def test_people_chatting_push_scheduled_messages_back() -> None:
    tat = float("-inf")
    for _ in range(29):  # a second's worth of replies, all at t=0
        tat, start = reserve(tat, 0.0, Priority.INTERACTIVE)
        assert start == 0.0
    _, start = reserve(tat, 0.0, Priority.SCHEDULED)
    assert start == pytest.approx(1.0)


@pytest.mark.parametrize("interactive_rate", [1, 2, 5, 10, 15, 20, 25, 29])
@pytest.mark.parametrize("senders", [1, 2, 4])
def test_scheduled_and_interactive_together_stay_under_the_platform_limit(
    interactive_rate: float, senders: int
) -> None:
    scheduled, interactive = simulate(interactive_rate, seconds=20, senders=senders)
    assert len(interactive) == pytest.approx(interactive_rate * 20, abs=1)  # no reply was held back
    total = (len(scheduled) + len(interactive)) / 20
    assert TARGET <= total <= PACE.rate + 0.1  # the budget is used, never overdrawn
    assert busiest_window(scheduled + interactive) <= PLATFORM_RATE  # in every sliding second, not on average


def test_pace_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="rate"):
        Pace(rate=0)
    with pytest.raises(ValueError, match="scheduled_share"):
        Pace(scheduled_share=1.5)


# ---- the in-process budget ---------------------------------------------------------------------


class VirtualTime:
    """A clock that moves only when the one sleeper sleeps (the budget lets one scheduled caller sleep at a time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_the_in_process_budget_paces_a_backlog_at_the_target_rate_on_virtual_time() -> None:
    clock = VirtualTime()
    budget = LocalSendBudget(clock=clock, sleep=clock.sleep)
    sent: list[float] = []

    async def remind() -> None:
        await budget.take(Priority.SCHEDULED)
        sent.append(clock())

    await asyncio.gather(*(remind() for _ in range(200)))
    in_two_seconds = [t for t in sent if t < 2]
    assert TARGET * 2 <= len(in_two_seconds) <= PLATFORM_RATE * 2
    assert sent == sorted(sent)


async def test_the_in_process_budget_on_the_real_clock_keeps_replies_ahead_of_reminders() -> None:
    budget = LocalSendBudget()
    scheduled: list[float] = []
    interactive: list[float] = []
    waits: list[float] = []
    start = time.monotonic()

    async def remind() -> None:
        await budget.take(Priority.SCHEDULED)
        scheduled.append(time.monotonic() - start)

    async def chat() -> None:
        while time.monotonic() - start < 2:
            before = time.monotonic()
            await budget.take(Priority.INTERACTIVE)
            waits.append(time.monotonic() - before)
            interactive.append(time.monotonic() - start)
            await asyncio.sleep(0.1)

    reminders = [asyncio.create_task(remind()) for _ in range(200)]
    await chat()
    for task in reminders:
        task.cancel()
    await asyncio.gather(*reminders, return_exceptions=True)

    total = len(scheduled) + len(interactive)
    assert max(waits) < 0.01  # a reply is never queued behind 200 reminders
    assert len(interactive) >= 15
    assert TARGET * 2 <= total <= PLATFORM_RATE * 2 + 1
    assert busiest_window(scheduled + interactive) <= PLATFORM_RATE
