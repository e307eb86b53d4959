"""Scheduled messages: opt-in, at the user's local day and hour, never twice, never lost, never at night.

`RecordingDelivery` stands where a platform would (it is the Delivery port's
far side); the real Telegram and Discord deliveries are tested in their e2e
suites. The clock is injected, so "Friday 18:00 in Tokyo" is a line of test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest
from sqlalchemy import insert, text, update

from bot.actions import MovieAction, MovieOp, Setting, ToggleSetting, encode
from bot.bootstrap import Runtime, build
from bot.notifications import DeliveryOutcome, Leaving, NotificationService, RunReport, Timing
from bot.reply import Reply, plain_text
from bot.scheduler import build_scheduler
from bot.services import Requester
from domain.errors import InvalidInput
from domain.models import MessageStatus, Platform, PromptKind
from storage.schema import MovieRow, ReleaseDateRow, UserRow
from tests.conftest import FakeClock, config_for
from tests.driver import Driver

# 2026-11-06 is a Friday; 09:00 UTC is 18:00 in Tokyo (no DST there).
FRIDAY_0900_UTC = dt.datetime(2026, 11, 6, 9, 0, tzinfo=dt.UTC)
TIMEZONE = PromptKind.TIMEZONE  # what a Telegram reply to a timezone question answers


class RecordingDelivery:
    """A platform that records what it was asked to send and answers as scripted."""

    platform = Platform.TELEGRAM

    def __init__(self, *outcomes: DeliveryOutcome) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.attempts = 0
        self._outcomes = list(outcomes)

    async def deliver(self, external_id: str, reply: Reply, leaving: Leaving) -> DeliveryOutcome:
        await leaving()
        self.attempts += 1
        outcome = self._outcomes.pop(0) if self._outcomes else DeliveryOutcome.SENT
        if outcome in (DeliveryOutcome.SENT, DeliveryOutcome.UNKNOWN):  # an unknown outcome did arrive, here
            self.sent.append((external_id, reply))
        return outcome

    def texts(self) -> list[str]:
        return ["\n".join(plain_text(line) for line in reply.text) for _id, reply in self.sent]

    def to(self, external_id: str) -> list[str]:
        return [t for (who, _), t in zip(self.sent, self.texts(), strict=True) if who == external_id]


def service(bot: Driver, runtime: Runtime, delivery: RecordingDelivery, clock: FakeClock, **timing: object):  # type: ignore[no-untyped-def]
    return NotificationService(bot.core, runtime.uow, [delivery], clock=clock, timing=Timing(**timing))  # type: ignore[arg-type]


async def plan_only(bot: Driver, runtime: Runtime, clock: FakeClock) -> RunReport:
    """A run that plans what is due and sends nothing (it hands over at once)."""
    return await service(bot, runtime, RecordingDelivery(), clock, run_for=dt.timedelta(0)).run_due()


@pytest.fixture
def tokyo() -> Requester:
    return Requester(Platform.TELEGRAM, "81", "Kenji")


async def opted_in(bot: Driver, who: Requester, zone: str = "Asia/Tokyo", *extra: str) -> Requester:
    """A user with a taste who said yes to weekly picks (and `extra` settings)."""
    await bot.fav(who, "the matrix 1999")
    await bot.settings(who, f"timezone {zone}")
    await bot.settings(who, "weekly on")
    for setting in extra:
        await bot.settings(who, setting)
    return who


@pytest.fixture
async def kenji(movie_bot: Driver, tokyo: Requester, clock: FakeClock) -> Requester:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=3)
    return await opted_in(movie_bot, tokyo)


async def set_release(runtime: Runtime, movie_id: int, day: dt.date) -> None:
    async with runtime.db.writer.begin() as conn:
        await conn.execute(update(MovieRow).where(MovieRow.id == movie_id).values(release_date=day))


async def movie_id_of(bot: Driver, who: Requester, title: str) -> int:
    reply = await bot.movie(who, title)
    assert reply.card is not None
    return reply.card.movie_id


# ---- opt-in ----------------------------------------------------------------------------------


async def test_nothing_is_sent_until_the_user_says_yes(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=1)
    await movie_bot.fav(tokyo, "the matrix 1999")
    await movie_bot.watch(tokyo, "heat 1995")
    delivery = RecordingDelivery()
    for _hour in range(48):  # two whole days, every hour, in no zone at all
        clock.advance(hours=1)
        await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.sent == []


async def test_start_offers_weekly_picks_asks_the_timezone_and_the_answer_turns_them_on(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=2)
    await movie_bot.fav(tokyo, "the matrix 1999")
    welcome = await movie_bot.say(tokyo, "/start")
    assert welcome is not None
    offer = [b for row in welcome.buttons for b in row if b.action == ToggleSetting(Setting.OPT_IN)]
    assert [b.label for b in offer] == ["📬 Weekly picks on Fridays at 18:00 your time?"]
    question = await movie_bot.press(tokyo, encode(ToggleSetting(Setting.OPT_IN)))
    assert "timezone" in plain_text(question.text[0]).lower()
    wrong = await movie_bot.say(tokyo, "Mars/Olympus", answers=TIMEZONE)  # a reply to the question
    assert wrong is not None
    assert "not a timezone I know" in "\n".join(plain_text(t) for t in wrong.text)
    done = await movie_bot.say(
        tokyo, "Asia/Tokyo", answers=TIMEZONE
    )  # still asked: the bad answer kept the question open
    assert done is not None
    shown = "\n".join(plain_text(t) for t in done.text)
    assert "Weekly picks are on: Fridays at 18:00, Asia/Tokyo time" in shown
    again = await movie_bot.say(tokyo, "/start")
    assert again is not None
    assert not any(b.action == ToggleSetting(Setting.OPT_IN) for r in again.buttons for b in r)
    delivery = RecordingDelivery()
    clock.now = FRIDAY_0900_UTC
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.texts()[0].startswith("📬 Your weekly picks:")


async def test_the_local_time_typed_instead_of_a_zone_finds_the_zone(
    movie_bot: Driver, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = dt.datetime(2026, 11, 3, 12, 58, tzinfo=dt.UTC)  # 18:28 in India (UTC+05:30)
    await movie_bot.press(tokyo, encode(ToggleSetting(Setting.TIMEZONE)))
    reply = await movie_bot.say(tokyo, "18:30", answers=TIMEZONE)
    assert reply is not None
    assert "Timezone set to Asia/Kolkata" in plain_text(reply.text[0])


async def test_turning_a_message_on_without_a_timezone_asks_for_it_first(movie_bot: Driver, tokyo: Requester) -> None:
    with pytest.raises(InvalidInput, match="First tell me your timezone"):
        await movie_bot.settings(tokyo, "weekly on")
    question = await movie_bot.press(tokyo, encode(ToggleSetting(Setting.NUDGES)))
    assert "timezone" in plain_text(question.text[0]).lower()


# ---- time --------------------------------------------------------------------------------------


async def test_weekly_picks_arrive_at_the_users_local_day_and_hour_once(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery()
    clock.now = FRIDAY_0900_UTC - dt.timedelta(minutes=1)  # 17:59 in Tokyo
    assert await service(movie_bot, runtime, delivery, clock).run_due() == RunReport()
    clock.now = FRIDAY_0900_UTC
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert (report.planned, report.sent) == (1, 1)
    for _ in range(30):  # the rest of the week, twice an hour...
        clock.advance(hours=5, minutes=30)
        await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 1  # ...brings nothing new
    clock.now = FRIDAY_0900_UTC + dt.timedelta(days=7)
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 2  # the next Friday


async def test_a_sunday_10_berlin_user_gets_10_local_on_both_sides_of_a_dst_change(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = dt.datetime(2027, 3, 19, 12, 0, tzinfo=dt.UTC)
    await opted_in(movie_bot, tokyo, "Europe/Berlin", "day sun", "hour 10")
    delivery = RecordingDelivery()
    sent_at: list[dt.datetime] = []
    for _ in range(14 * 24):  # hourly for two weeks, across 2027-03-28 (clocks go forward)
        clock.advance(hours=1)
        before = len(delivery.sent)
        await service(movie_bot, runtime, delivery, clock).run_due()
        if len(delivery.sent) > before:
            sent_at.append(clock.now)
    assert sent_at == [
        dt.datetime(2027, 3, 21, 9, 0, tzinfo=dt.UTC),  # 10:00 CET
        dt.datetime(2027, 3, 28, 8, 0, tzinfo=dt.UTC),  # 10:00 CEST
    ]


async def test_quiet_hours_hold_a_message_until_they_end(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=2)
    await opted_in(movie_bot, tokyo, "Asia/Tokyo", "hour 23", "quiet 22-8")
    delivery = RecordingDelivery()
    clock.now = dt.datetime(2026, 11, 6, 14, 0, tzinfo=dt.UTC)  # Friday 23:00 in Tokyo: quiet
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.sent == []
    clock.now = dt.datetime(2026, 11, 6, 22, 59, tzinfo=dt.UTC)  # Saturday 07:59
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.sent == []
    clock.now = dt.datetime(2026, 11, 6, 23, 0, tzinfo=dt.UTC)  # Saturday 08:00: the quiet hours end
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 1  # Friday's picks, the moment the night is over


# ---- never twice, never lost ------------------------------------------------------------------


@pytest.mark.parametrize("instances", [2, 3])
async def test_instances_racing_send_each_message_once(
    any_db_url: str, clock: FakeClock, tokyo: Requester, instances: int
) -> None:
    runtimes = [await build(config_for(any_db_url), clock=clock) for _ in range(instances)]  # type: ignore[arg-type]
    try:
        bots = [Driver(r.core) for r in runtimes]
        clock.now = FRIDAY_0900_UTC - dt.timedelta(days=1)
        people = [Requester(Platform.TELEGRAM, str(900 + i), f"P{i}") for i in range(12)]
        for who in people:
            await opted_in(bots[0], who)
        clock.now = FRIDAY_0900_UTC
        delivery = RecordingDelivery()
        await asyncio.gather(*(service(b, r, delivery, clock).run_due() for b, r in zip(bots, runtimes, strict=True)))
        assert sorted(who for who, _ in delivery.sent) == sorted(p.external_id for p in people)
    finally:
        for r in runtimes:
            await r.close()


async def test_a_message_switched_off_after_it_was_planned_is_not_sent(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    clock.now = FRIDAY_0900_UTC
    assert (await plan_only(movie_bot, runtime, clock)).planned == 1
    await movie_bot.settings(kenji, "weekly off")  # a second later, before it went out
    delivery = RecordingDelivery()
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert (report.nothing, delivery.sent) == (1, [])


async def test_an_unknown_outcome_counts_as_sent_and_is_never_sent_again(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery(DeliveryOutcome.UNKNOWN)  # e.g. timed out after the request left
    clock.now = FRIDAY_0900_UTC
    first = await service(movie_bot, runtime, delivery, clock).run_due()
    assert first.unknown == 1
    for _ in range(12):
        clock.advance(minutes=10)
        await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.attempts == 1  # a duplicate is worse than a miss


async def test_a_failure_known_to_precede_delivery_is_retried_with_backoff_until_it_goes(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery(DeliveryOutcome.RETRY, DeliveryOutcome.RETRY, DeliveryOutcome.RETRY)
    clock.now = FRIDAY_0900_UTC
    tried_at = []
    for _ in range(60):
        before = delivery.attempts
        await service(movie_bot, runtime, delivery, clock).run_due()
        if delivery.attempts > before:
            tried_at.append(clock.now)
        clock.advance(seconds=15)
    assert len(delivery.sent) == 1
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(tried_at)]
    assert len(gaps) == 3
    assert gaps[0] < gaps[1] < gaps[2]


async def test_retries_stop_when_the_window_closes_and_the_message_is_counted_skipped(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    delivery = RecordingDelivery(*[DeliveryOutcome.RETRY] * 100)
    clock.now = FRIDAY_0900_UTC
    reports = []
    for _ in range(8 * 6):  # every 10 minutes for 8 hours; a weekly pick's window is its day (ends 15:00 UTC)
        reports.append(await service(movie_bot, runtime, delivery, clock).run_due())
        clock.advance(minutes=10)
    assert delivery.sent == []
    assert sum(r.skipped for r in reports) == 1
    assert 3 <= delivery.attempts <= 20  # backed off (30 s doubling to 30 min), not tried at every run


async def dead_senders_claim(runtime: Runtime, clock: FakeClock, *, handed_over: bool) -> None:
    """What a process killed mid-run leaves behind: a claim, and maybe the request already on its way."""
    async with runtime.uow(write=True) as uow:
        claimed = await uow.notifications.claim_next(clock.now, clock.now + dt.timedelta(minutes=5))
        assert claimed is not None
        if handed_over:
            await uow.notifications.mark_sending(claimed.id, clock.now)
        await uow.commit()


async def test_a_dead_senders_message_that_had_left_is_taken_over_as_unknown_after_its_lease(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    clock.now = FRIDAY_0900_UTC
    planned = await plan_only(movie_bot, runtime, clock)
    assert (planned.planned, planned.sent) == (1, 0)
    await dead_senders_claim(runtime, clock, handed_over=True)
    delivery = RecordingDelivery()
    clock.advance(minutes=1)
    assert (await service(movie_bot, runtime, delivery, clock).run_due()).taken_over == 0  # still leased
    clock.advance(minutes=5)
    assert (await service(movie_bot, runtime, delivery, clock).run_due()).taken_over == 1
    assert delivery.sent == []  # it may have gone out before the crash: never twice
    async with runtime.uow() as uow:
        assert (await uow.notifications.counts(FRIDAY_0900_UTC))[MessageStatus.UNKNOWN] == 1


async def test_a_dead_senders_message_that_never_left_is_sent_after_its_lease(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    clock.now = FRIDAY_0900_UTC
    await plan_only(movie_bot, runtime, clock)
    await dead_senders_claim(runtime, clock, handed_over=False)  # killed while composing
    delivery = RecordingDelivery()
    clock.advance(minutes=6)
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert (report.taken_over, report.sent) == (0, 1)
    assert len(delivery.sent) == 1


async def test_after_downtime_messages_still_in_their_window_go_once_and_older_ones_are_skipped(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=2)
    await opted_in(movie_bot, tokyo)
    late = Requester(Platform.TELEGRAM, "82", "Late")
    await opted_in(movie_bot, late, "Asia/Tokyo", "day thu")  # Thursday 18:00 Tokyo
    delivery = RecordingDelivery()
    clock.now = dt.datetime(2026, 11, 6, 14, 30, tzinfo=dt.UTC)  # back up on Friday at 23:30 in Tokyo
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert delivery.to("81") != []  # 18:00 was 5.5 hours ago, and it is still Friday: a pick's window is its day
    assert delivery.to("82") == []  # Thursday is over: yesterday's picks would arrive a day late
    assert (report.sent, report.skipped) == (1, 1)


async def test_one_users_failure_never_stops_the_run(movie_bot: Driver, runtime: Runtime, clock: FakeClock) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=1)
    people = [await opted_in(movie_bot, Requester(Platform.TELEGRAM, str(500 + i), f"P{i}")) for i in range(5)]
    clock.now = FRIDAY_0900_UTC
    delivery = ExplodingFor(people[2].external_id)
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert (report.sent, report.failed) == (4, 1)


async def test_a_user_whose_schedule_cannot_be_planned_never_holds_up_the_others(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock
) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(days=1)
    people = [await opted_in(movie_bot, Requester(Platform.TELEGRAM, str(600 + i), f"P{i}")) for i in range(4)]
    async with runtime.db.writer.begin() as conn:  # bad data from somewhere: an hour that does not exist
        await conn.execute(update(UserRow).where(UserRow.display_name == "P1").values(send_hour=30))
    clock.now = FRIDAY_0900_UTC
    delivery = RecordingDelivery()
    report = await service(movie_bot, runtime, delivery, clock).run_due()
    assert (report.sent, report.failed) == (3, 1)
    assert sorted(who for who, _ in delivery.sent) == sorted(p.external_id for p in people if p.display_name != "P1")
    clock.advance(minutes=1)
    assert await service(movie_bot, runtime, delivery, clock).run_due() == RunReport()  # not retried every run


class ExplodingFor(RecordingDelivery):
    """Raises for one user, as a platform library bug or bad data would."""

    def __init__(self, external_id: str) -> None:
        super().__init__()
        self._victim = external_id

    async def deliver(self, external_id: str, reply: Reply, leaving: Leaving) -> DeliveryOutcome:
        if external_id == self._victim:
            raise RuntimeError("boom")
        return await super().deliver(external_id, reply, leaving)


async def test_a_refusal_marks_the_user_unreachable_until_they_write(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    clock.now = FRIDAY_0900_UTC
    delivery = RecordingDelivery(DeliveryOutcome.UNREACHABLE)
    assert (await service(movie_bot, runtime, delivery, clock).run_due()).unreachable == 1
    assert not await movie_bot.is_reachable(kenji)
    clock.now += dt.timedelta(days=7)
    assert (await service(movie_bot, runtime, delivery, clock).run_due()).sent == 0
    await movie_bot.profile(kenji)  # they write again
    clock.now += dt.timedelta(days=7)
    assert (await service(movie_bot, runtime, delivery, clock).run_due()).sent == 1


async def test_settled_ledger_rows_are_pruned_after_the_retention(
    movie_bot: Driver, runtime: Runtime, kenji: Requester, clock: FakeClock
) -> None:
    clock.now = FRIDAY_0900_UTC
    await service(movie_bot, runtime, RecordingDelivery(), clock).run_due()
    clock.now += dt.timedelta(weeks=5)
    await service(movie_bot, runtime, RecordingDelivery(), clock, retention=dt.timedelta(days=30)).run_due()
    async with runtime.db.reader.connect() as conn:
        weeks = (await conn.execute(text("SELECT period FROM scheduled_messages ORDER BY period"))).scalars().all()
    assert weeks == ["2026-W50"]  # the first Friday's row is gone, the last Friday's (sent just now) kept


# ---- release days and nudges ------------------------------------------------------------------


async def test_a_watchlisted_film_is_announced_on_the_day_it_comes_out_once(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
    await opted_in(movie_bot, tokyo, "Asia/Tokyo", "releases on", "weekly off")
    heat = await movie_id_of(movie_bot, tokyo, "heat 1995")
    await set_release(runtime, heat, dt.date(2026, 11, 4))
    await movie_bot.watch(tokyo, "heat 1995")
    old = await movie_id_of(movie_bot, tokyo, "alien 1979")
    await set_release(runtime, old, dt.date(1979, 5, 25))
    await movie_bot.watch(tokyo, "alien 1979")
    delivery = RecordingDelivery()
    for _ in range(7 * 24):  # hourly for a week
        clock.advance(hours=1)
        await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 1
    _who, reply = delivery.sent[0]
    assert reply.card is not None
    assert reply.card.movie_id == heat
    assert delivery.texts()[0].startswith("🎬 Out today, from your watchlist:")


async def test_a_release_day_reminder_follows_the_release_in_the_users_region(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
    berlin = await opted_in(movie_bot, tokyo, "Europe/Berlin", "releases on", "weekly off", "region DE")
    heat = await movie_id_of(movie_bot, berlin, "heat 1995")
    await set_release(runtime, heat, dt.date(2026, 11, 3))  # its first release anywhere
    async with runtime.db.writer.begin() as conn:  # as TMDb's release dates give them
        await conn.execute(
            insert(ReleaseDateRow.__table__),
            [
                {"movie_id": heat, "region": "US", "release_date": dt.date(2026, 11, 3)},
                {"movie_id": heat, "region": "DE", "release_date": dt.date(2026, 11, 5)},
            ],
        )
    await movie_bot.watch(berlin, "heat 1995")
    delivery = RecordingDelivery()
    days = []
    for _ in range(7 * 24):
        clock.advance(hours=1)
        before = len(delivery.sent)
        await service(movie_bot, runtime, delivery, clock).run_due()
        if len(delivery.sent) > before:
            days.append(clock.now.astimezone(dt.UTC).date())
    assert days == [dt.date(2026, 11, 5)]  # the German release, not the American one


async def test_a_film_long_on_the_watchlist_is_nudged_with_buttons_that_work(
    movie_bot: Driver, runtime: Runtime, clock: FakeClock, tokyo: Requester
) -> None:
    clock.now = FRIDAY_0900_UTC - dt.timedelta(weeks=6)
    await opted_in(movie_bot, tokyo, "Asia/Tokyo", "nudges on", "weekly off")
    await movie_bot.watch(tokyo, "heat 1995")
    await movie_bot.watch(tokyo, "alien 1979")
    delivery = RecordingDelivery()
    clock.now = FRIDAY_0900_UTC
    await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 1  # one nudge a week, however many films wait
    _who, nudge = delivery.sent[0]
    assert [b.label for row in nudge.buttons for b in row] == ["👁 Watched", "⏰ Snooze 2 weeks", "🗑 Remove"]
    assert nudge.card is not None
    heat = nudge.card.movie_id
    snoozed = await movie_bot.press(tokyo, encode(MovieAction(MovieOp.SNOOZE, heat)))
    assert snoozed.toast == "⏰ Snoozed: no nudge about it for 2 weeks."
    clock.now += dt.timedelta(weeks=1)
    await service(movie_bot, runtime, delivery, clock).run_due()
    second = delivery.sent[1][1]
    assert second.card is not None
    assert second.card.movie_id != heat
    removed = await movie_bot.press(tokyo, encode(MovieAction(MovieOp.WATCHLIST_REMOVE, second.card.movie_id)))
    assert removed.toast == "Removed from your watchlist."
    clock.now += dt.timedelta(weeks=2)
    await service(movie_bot, runtime, delivery, clock).run_due()
    third = delivery.sent[2][1]
    assert third.card is not None
    assert third.card.movie_id == heat
    watched = await movie_bot.press(tokyo, encode(MovieAction(MovieOp.WATCHED, heat)))
    assert watched.toast == "👁 Marked as watched."
    for _ in range(4):
        clock.now += dt.timedelta(weeks=1)
        await service(movie_bot, runtime, delivery, clock).run_due()
    assert len(delivery.sent) == 3  # nothing left waiting


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
