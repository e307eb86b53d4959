"""Scheduled messages go out at the user's local hour, exactly once, and respect refusals.

`RecordingDelivery` stands where a platform would (it is the Delivery port's
far side); the real Telegram and Discord deliveries are tested in their e2e suites.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.bootstrap import Runtime, build
from bot.core import Core
from bot.notifications import DeliveryOutcome, NotificationService, RunReport
from bot.reply import Reply, plain_text
from bot.scheduler import build_scheduler
from bot.services import Requester
from domain.models import Platform
from tests.conftest import FakeClock, config_for
from tests.driver import Driver

# 2026-11-02 is a Monday; 09:00 UTC is 18:00 in Tokyo.
MONDAY_0900_UTC = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class RecordingDelivery:
    """A platform that records what it was asked to send and answers as scripted."""

    platform = Platform.TELEGRAM

    def __init__(self, *outcomes: DeliveryOutcome) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self._outcomes = list(outcomes)

    async def deliver(self, external_id: str, reply: Reply) -> DeliveryOutcome:
        outcome = self._outcomes.pop(0) if self._outcomes else DeliveryOutcome.SENT
        if outcome is DeliveryOutcome.SENT:
            self.sent.append((external_id, reply))
        return outcome

    def texts(self) -> list[str]:
        return ["\n".join(plain_text(line) for line in reply.text) for _id, reply in self.sent]


def service(
    bot: Driver | Core, runtime: Runtime, delivery: RecordingDelivery, clock: FakeClock, **kwargs: object
) -> NotificationService:
    core = bot.core if isinstance(bot, Driver) else bot
    return NotificationService(
        core, runtime.uow, [delivery], clock=clock, hour=18, weekly_day="mon", per_second=1000, **kwargs
    )  # type: ignore[arg-type]


@pytest.fixture
def tokyo() -> Requester:
    return Requester(Platform.TELEGRAM, "81", "Kenji")


@pytest.fixture
async def kenji(movie_bot: Driver, tokyo: Requester, clock: FakeClock) -> Requester:
    await movie_bot.settings(tokyo, "timezone Asia/Tokyo")
    await movie_bot.watch(tokyo, "heat 1995")
    await movie_bot.fav(tokyo, "the matrix 1999")
    clock.now = MONDAY_0900_UTC
    return tokyo


async def test_reminders_and_picks_arrive_at_the_users_local_hour(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery()
    clock.now = MONDAY_0900_UTC - dt.timedelta(hours=1)  # 17:00 in Tokyo
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.sent == []
    clock.now = MONDAY_0900_UTC
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert report["reminder"].sent == 1
    assert report["weekly"].sent == 1
    reminder, picks = delivery.texts()
    assert "Still on your watchlist" in reminder
    assert "Heat (1995)" in reminder
    assert "Your weekly picks" in picks
    assert "Picks for you" in picks
    assert all(external == "81" for external, _reply in delivery.sent)
    assert not any(reply.ephemeral or reply.edit for _id, reply in delivery.sent)


async def test_each_message_goes_out_once_per_week(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery()
    notifier = service(movie_bot, runtime, delivery, clock)
    await notifier.run_due()
    await notifier.run_due()
    clock.advance(days=1)  # Tuesday 18:00 Tokyo: same week
    await notifier.run_due()
    assert len(delivery.sent) == 2
    clock.advance(days=6)  # next Monday
    await notifier.run_due()
    assert len(delivery.sent) == 4


async def test_two_instances_racing_send_once(any_db_url: str, clock: FakeClock, tokyo: Requester) -> None:
    runtimes = [await build(config_for(any_db_url), clock=clock) for _ in range(2)]  # type: ignore[arg-type]
    try:
        bot = Driver(runtimes[0].core)
        await bot.settings(tokyo, "timezone Asia/Tokyo")
        await bot.watch(tokyo, "heat 1995")
        clock.now = MONDAY_0900_UTC
        delivery = RecordingDelivery()
        await asyncio.gather(*(service(rt.core, rt, delivery, clock).run_due() for rt in runtimes))
        assert len([t for t in delivery.texts() if "Still on your watchlist" in t]) == 1
    finally:
        for rt in runtimes:
            await rt.close()


async def test_a_refusal_marks_the_user_unreachable_until_they_write(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery(DeliveryOutcome.UNREACHABLE)
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert report["reminder"].unreachable == 1
    assert report["weekly"].sent == 0
    assert not await movie_bot.is_reachable(kenji)
    clock.advance(days=7)
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.sent == []  # skipped while unreachable
    await movie_bot.profile(kenji)  # they write again
    assert await movie_bot.is_reachable(kenji)
    clock.advance(days=7)
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 2


async def test_a_temporary_failure_is_retried_on_the_next_run(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery(DeliveryOutcome.RETRY, DeliveryOutcome.RETRY)
    notifier = service(movie_bot, runtime, delivery, clock)
    first = await notifier.run_due()
    assert (first["reminder"].retry, first["weekly"].retry) == (1, 1)
    assert delivery.sent == []
    await notifier.run_due()
    assert len(delivery.sent) == 2


async def test_nothing_is_sent_to_users_who_opted_out_or_have_nothing_waiting(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock
) -> None:
    quiet = Requester(Platform.TELEGRAM, "82", "Quiet")
    await movie_bot.settings(quiet, "timezone Asia/Tokyo")
    await movie_bot.watch(quiet, "heat 1995")
    await movie_bot.settings(quiet, "reminders off")
    await movie_bot.settings(quiet, "weekly off")
    newbie = Requester(Platform.TELEGRAM, "83", "New")
    await movie_bot.settings(newbie, "timezone Asia/Tokyo")  # no watchlist, no taste yet
    clock.now = MONDAY_0900_UTC
    delivery = RecordingDelivery()
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.sent == []


async def test_weekly_picks_wait_for_the_configured_day(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    clock.advance(days=2)  # Wednesday
    delivery = RecordingDelivery()
    report = await NotificationService(
        movie_bot, runtime.uow, [delivery], clock=clock, hour=18, weekly_day="fri", per_second=1000
    ).run_due()
    assert report["weekly"].sent == 0
    assert report["reminder"].sent == 1


async def test_the_scheduler_fits_the_recommender_in_the_background(movie_bot: Driver) -> None:
    started: list[str] = []
    began = asyncio.Event()
    scheduler = build_scheduler(
        movie_bot.recommendations,
        None,
        refit_every=dt.timedelta(hours=1),
        on_run=lambda job: (started.append(job), began.set()),
    )
    assert not movie_bot.recommendations.fitted
    scheduler.start()
    try:
        await asyncio.wait_for(began.wait(), timeout=30)  # the first refit starts at once, not in an hour
        assert started == ["refit"]
        assert scheduler.job_ids == {"refit"}
    finally:
        await scheduler.stop()
    assert movie_bot.recommendations.fitted


async def test_stopping_mid_refit_waits_for_it_instead_of_cutting_it_off(movie_bot: Driver) -> None:
    began = asyncio.Event()
    scheduler = build_scheduler(movie_bot.recommendations, None, on_run=lambda job: began.set())
    scheduler.start()
    await asyncio.wait_for(began.wait(), timeout=30)  # the first refit is under way
    assert not movie_bot.recommendations.fitted
    await scheduler.stop()
    assert movie_bot.recommendations.fitted


async def test_an_unknown_outcome_counts_as_sent_and_is_never_sent_again(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery(DeliveryOutcome.UNKNOWN, DeliveryOutcome.UNKNOWN)  # e.g. timed out after sending
    notifier = service(movie_bot, runtime, delivery, clock)
    first = await notifier.run_due()
    assert first["reminder"].unknown == 1
    assert first["weekly"].unknown == 1
    again = await notifier.run_due()
    assert again["reminder"] == RunReport(skipped=1)
    assert delivery.sent == []  # a duplicate is worse than a miss


class ExplodingFor(RecordingDelivery):
    """Raises for one user, as a platform library bug or bad data would."""

    def __init__(self, external_id: str) -> None:
        super().__init__()
        self._victim = external_id

    async def deliver(self, external_id: str, reply: Reply) -> DeliveryOutcome:
        if external_id == self._victim:
            raise RuntimeError("boom")
        return await super().deliver(external_id, reply)


async def test_one_users_failure_never_stops_the_run(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    yuki = Requester(Platform.TELEGRAM, "82", "Yuki")
    await movie_bot.settings(yuki, "timezone Asia/Tokyo")
    await movie_bot.watch(yuki, "alien 1979")
    delivery = ExplodingFor(kenji.external_id)
    notifier = service(movie_bot, runtime, delivery, clock)
    report = await notifier.run_due()
    assert report["reminder"].failed == 1
    assert report["reminder"].sent == 1
    assert [external for external, _reply in delivery.sent] == ["82", "82"]  # Yuki's reminder and picks
    assert "reminder for user" in caplog.text
    assert "boom" in caplog.text
    assert (await notifier.run_due())["reminder"].failed == 0  # settled: not tried again this week
