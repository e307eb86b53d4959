"""Scheduled messages users can trust: weekly picks, release-day reminders, nudges.

A run (every minute, on every instance) does four things, each safe to do on
several instances at once because the database decides:

1. **Plan.** Users whose `next_run_at` has come are read through an index. One
   compare-and-set moves each user's run on (domain.schedule.next_run), and
   only the instance that won it adds that run's messages to the ledger, keyed
   by (user, kind, period, movie) so a message can be planned only once.
   A message whose window already closed (the bot was down) is not planned but
   counted as skipped.
2. **Take over.** A claim left past its lease (its sender died) is queued
   again if it never reached `sending` (nothing had left), and settled as
   `unknown` if it had: it may have gone out, and twice is worse than never.
3. **Send.** Workers claim the oldest due message one at a time (a lease, one
   UPDATE), compose it, send it and settle it. Only failures known to precede
   delivery (RETRY) are queued again, with backoff, until the window closes;
   an unknown outcome counts as sent. One user's failure is logged with their
   internal id and never stops the run.
4. **Expire and prune.** Queued messages whose window closed are settled as
   expired; settled rows older than the retention go.

Pacing belongs to each platform's `Delivery` (Telegram's shared send budget,
discord.py's rate-limit handling), so this module never sleeps to pace.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from bot.core import Core
from bot.intents import discovery, search
from bot.reply import Reply, bold, line
from bot.screens import nudge_buttons
from bot.services import Requester, user_of
from domain import schedule
from domain.errors import NotFound
from domain.models import (
    ClaimedMessage,
    MessageKind,
    MessageStatus,
    PlannedMessage,
    Platform,
    Recipient,
    ScheduledUser,
    SignalKind,
)
from domain.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


class DeliveryOutcome(str, Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked the bot / DMs closed: stop until they write again
    RETRY = "retry"  # known not to have been delivered (rate limited, no connection): try again later
    # The request left but no answer came (a timeout, a 5xx): it may have arrived. Counted as sent, never
    # retried, because a message twice is worse than a missed one.
    UNKNOWN = "unknown"


Leaving = Callable[[], Awaitable[None]]


class Delivery(Protocol):
    """Sends a message to a platform user outside any conversation (a DM), paced within the platform's limits."""

    platform: Platform

    async def deliver(self, external_id: str, reply: Reply, leaving: Leaving) -> DeliveryOutcome:
        """Send it; await `leaving()` once, after any wait for a send slot and right before the request leaves.

        The ledger records "may have arrived" in `leaving`: a process killed
        before it (while composing or waiting for its slot) has sent nothing,
        and the message is sent again after the lease.
        """
        ...


@dataclass(frozen=True, slots=True)
class Timing:
    """How long messages wait, retry and are remembered (config.toml's [scheduler])."""

    window: dt.timedelta = dt.timedelta(hours=6)  # a message not sent by then is skipped, not sent late
    lease: dt.timedelta = dt.timedelta(minutes=5)  # a claim older than this belongs to a dead sender
    first_retry: dt.timedelta = dt.timedelta(seconds=30)  # doubled after each failed attempt...
    max_retry: dt.timedelta = dt.timedelta(minutes=30)  # ...up to this
    nudge_after: dt.timedelta = dt.timedelta(weeks=4)  # on the watchlist this long before a nudge
    retention: dt.timedelta = dt.timedelta(days=90)  # settled ledger rows are kept this long
    run_for: dt.timedelta = dt.timedelta(seconds=58)  # a run hands over to the next (every minute) after this


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one run did: the log's one line, and what tests check."""

    planned: int = 0
    sent: int = 0
    unknown: int = 0  # may have arrived: not sent again
    retried: int = 0  # queued again after a failure known to precede delivery
    unreachable: int = 0
    skipped: int = 0  # window closed before it could go (downtime, retries exhausted)
    failed: int = 0  # composing or sending raised: logged with the user's id, the run went on
    nothing: int = 0  # nothing to say (no taste known yet, film no longer on the watchlist)
    taken_over: int = 0  # a dead sender's claims, settled as unknown

    def __bool__(self) -> bool:
        return self != RunReport()

    def __str__(self) -> str:
        return (
            f"sent {self.sent} / skipped {self.skipped} / retried {self.retried} / unreachable {self.unreachable}"
            f" (planned {self.planned}, unknown {self.unknown}, failed {self.failed}, nothing {self.nothing},"
            f" taken over {self.taken_over})"
        )


HEADINGS = {
    MessageKind.WEEKLY: "📬 Your weekly picks:",
    MessageKind.RELEASE: "🎬 Out today, from your watchlist:",
}
PLAN_BATCH = 200
PLANNING_POLL = 0.05  # seconds a worker waits for the planner when nothing is claimable yet
SNOOZE = dt.timedelta(weeks=2)


class NotificationService:
    """Plans, sends and settles scheduled messages (see the module docstring)."""

    def __init__(
        self,
        core: Core,
        uow: UnitOfWorkFactory,
        deliveries: Sequence[Delivery],
        *,
        clock: Callable[[], dt.datetime],
        timing: Timing = Timing(),
        workers: int = 4,
    ) -> None:
        self._core = core
        self._uow = uow
        self._deliveries = {d.platform: d for d in deliveries}
        self._now = clock
        self._timing = timing
        self._workers = max(1, workers)

    async def run_due(self) -> RunReport:
        """One run: take over dead claims, plan what is due while sending it, expire, prune; logs one line."""
        counts: Counter[str] = Counter()
        started = self._now()
        async with self._uow(write=True) as uow:
            counts["taken_over"] = await uow.notifications.take_over(started)
            await uow.commit()
        planning = asyncio.ensure_future(self._plan(counts))  # sends start with the first planned batch
        stop_at = started + self._timing.run_for
        try:
            await asyncio.gather(*(self._send_worker(counts, stop_at, planning) for _ in range(self._workers)))
        finally:
            await planning
        now = self._now()
        async with self._uow(write=True) as uow:
            counts["skipped"] += await uow.notifications.expire(now)
            await uow.notifications.prune(now - self._timing.retention)
            await uow.commit()
        report = RunReport(**counts)
        if report:
            log.info("scheduled messages: %s", report)
        return report

    # ---- planning ---------------------------------------------------------------------------

    async def _plan(self, counts: Counter[str]) -> None:
        """Plan every due user's run, a batch per transaction (one user per transaction when a batch fails)."""
        while True:
            now = self._now()
            async with self._uow() as uow:
                due = await uow.notifications.due_users(now, PLAN_BATCH)
            try:
                counts.update(await self._plan_batch(due, now))
            except Exception:
                for user in due:
                    try:
                        counts.update(await self._plan_batch([user], now))
                    except Exception:
                        log.exception("planning scheduled messages for user %d failed", user.user_id)
                        counts["failed"] += 1
                        await self._skip_run(user, now)
            if len(due) < PLAN_BATCH:
                return

    async def _skip_run(self, user: ScheduledUser, now: dt.datetime) -> None:
        """Move a user whose run cannot be planned on to their next one, so they never hold up everyone else."""
        try:
            async with self._uow(write=True) as uow:
                await uow.notifications.advance(user.user_id, user.run_at, schedule.next_run(user.settings, now))
                await uow.commit()
        except Exception:  # their settings themselves are broken: stop scheduling them rather than loop
            log.exception("user %d has unusable schedule settings; their scheduled messages stop", user.user_id)
            async with self._uow(write=True) as uow:
                await uow.notifications.advance(user.user_id, user.run_at, None)
                await uow.commit()

    async def _plan_batch(self, users: Sequence[ScheduledUser], now: dt.datetime) -> Counter[str]:
        counts: Counter[str] = Counter()
        async with self._uow(write=True) as uow:
            for user in users:
                await self._plan_user(uow, user, now, counts)
            await uow.commit()
        return counts

    async def _plan_user(self, uow: UnitOfWork, user: ScheduledUser, now: dt.datetime, counts: Counter[str]) -> None:
        settings = user.settings
        latest = user.run_at  # after downtime, only the most recent run missed is worth a look
        while (later := schedule.next_run(settings, latest)) is not None and later <= now:
            latest = later
        following = schedule.next_run(settings, now)
        if not await uow.notifications.advance(user.user_id, user.run_at, following):
            return  # another instance planned this run
        messages = await self._messages(uow, replace(user, run_at=latest), now)
        if not user.reachable:
            counts["unreachable"] += len(messages)
            return
        live = [m for m in messages if m.window_end > now]
        counts["skipped"] += len(messages) - len(live)
        counts["planned"] += await uow.notifications.plan(live, now)
        for m in live:
            if m.kind is MessageKind.NUDGE:
                await uow.notifications.mark_nudged(user.user_id, m.movie_id, now)

    async def _messages(self, uow: UnitOfWork, user: ScheduledUser, now: dt.datetime) -> list[PlannedMessage]:
        """The messages of the user's run at `user.run_at`, as the ledger keys them."""
        settings, run = user.settings, user.run_at
        facts = schedule.facts_of(run, settings)
        window = self._timing.window
        found: list[PlannedMessage] = []
        notifications = uow.notifications
        if facts.weekly_day and settings.weekly_picks:
            end = schedule.window_end(run, settings, window, whole_day=True)
            found.append(PlannedMessage(user.user_id, MessageKind.WEEKLY, facts.week, run, end))
        if facts.weekly_day and settings.nudges:
            movie = await notifications.nudge_candidate(user.user_id, now - self._timing.nudge_after, now)
            if movie is not None:
                end = schedule.window_end(run, settings, window, whole_day=False)
                found.append(PlannedMessage(user.user_id, MessageKind.NUDGE, facts.week, run, end, movie))
        if settings.release_reminders:
            end = schedule.window_end(run, settings, window, whole_day=False)
            found += [
                PlannedMessage(user.user_id, MessageKind.RELEASE, "once", run, end, movie)
                for movie in await notifications.releases_on(user.user_id, facts.local_date, settings.region)
            ]
        return found

    # ---- sending ----------------------------------------------------------------------------

    async def _send_worker(self, counts: Counter[str], stop_at: dt.datetime, planning: asyncio.Future[None]) -> None:
        while self._now() < stop_at:
            now = self._now()
            planned_all = planning.done()  # read before claiming: a batch committed after the claim is not missed
            async with self._uow(write=True) as uow:
                message = await uow.notifications.claim_next(now, now + self._timing.lease)
                await uow.commit()
            if message is None:
                if planned_all:
                    return
                # The planner is still adding this run's messages: look again after its next batch, or its end.
                await asyncio.wait([planning], timeout=PLANNING_POLL)
                continue
            try:
                counts[await self._send(message)] += 1
            except Exception:  # isolation: one user's bad data or failure never stops everyone else's message
                log.exception("%s for user %d failed", message.kind.value, message.recipient.user_id)
                # Settled, not queued again: whatever raised may have sent part of it.
                await self._settle(message, MessageStatus.FAILED)
                counts["failed"] += 1

    async def _send(self, message: ClaimedMessage) -> str:
        """Compose, deliver and settle one claimed message; returns the RunReport field it counts in."""
        target = self._target(message.recipient)
        if target is None or not message.recipient.reachable:
            await self._settle(message, MessageStatus.UNREACHABLE)
            return "unreachable"
        delivery, who = target
        reply = await self._compose(message, who)
        if reply is None:
            await self._settle(message, MessageStatus.NOTHING)
            return "nothing"

        async def leaving() -> None:
            async with self._uow(write=True) as uow:
                await uow.notifications.mark_sending(message.id, self._now())
                await uow.commit()

        outcome = await delivery.deliver(who.external_id, reply, leaving)
        if outcome is DeliveryOutcome.RETRY:
            return await self._retry_later(message)
        if outcome is DeliveryOutcome.UNREACHABLE:
            await self._core.mark_unreachable(who)
        await self._settle(message, MessageStatus(outcome.value))
        return str(outcome.value)

    async def _retry_later(self, message: ClaimedMessage) -> str:
        now = self._now()
        backoff = min(self._timing.first_retry * 2 ** (message.attempts - 1), self._timing.max_retry)
        at = now + backoff * random.uniform(0.8, 1.2)
        if at >= message.window_end:
            await self._settle(message, MessageStatus.EXPIRED)
            return "skipped"
        async with self._uow(write=True) as uow:
            await uow.notifications.retry_at(message.id, at, now)
            await uow.commit()
        return "retried"

    async def _settle(self, message: ClaimedMessage, status: MessageStatus) -> None:
        async with self._uow(write=True) as uow:
            await uow.notifications.settle(message.id, status, self._now())
            await uow.commit()

    def _target(self, recipient: Recipient) -> tuple[Delivery, Requester] | None:
        for identity in recipient.identities:
            delivery = self._deliveries.get(identity.platform)
            if delivery is not None:
                return delivery, Requester(identity.platform, identity.external_id, recipient.display_name)
        return None

    # ---- composing --------------------------------------------------------------------------

    async def _compose(self, message: ClaimedMessage, who: Requester) -> Reply | None:
        s = self._core.services
        if not _still_wanted(message):
            return None  # switched off since it was planned
        if message.kind is MessageKind.WEEKLY:
            async with self._uow() as uow:
                signals = await uow.library.signals(message.recipient.user_id)
            if not any(signal.kind is not SignalKind.DISMISSED for signal in signals):
                return None  # no taste known yet: /recommend would only show onboarding
            return as_message(await discovery.recommend(s, who), HEADINGS[MessageKind.WEEKLY])
        assert message.movie_id is not None
        async with self._uow() as uow:
            user = await user_of(s, uow, who)
            status = await uow.library.status(user.id, message.movie_id)
        if not status.on_watchlist or status.watched:
            return None  # removed or watched since it was planned
        try:
            card = await search.open_movie(s, who, message.movie_id)
        except NotFound:
            return None
        if message.kind is MessageKind.RELEASE:
            return as_message(card, HEADINGS[MessageKind.RELEASE])
        weeks = max(1, self._timing.nudge_after.days // 7)
        nudge = replace(card, buttons=nudge_buttons(message.movie_id))
        return as_message(nudge, f"⏳ On your watchlist for over {weeks} weeks — tonight?")


def _still_wanted(message: ClaimedMessage) -> bool:
    settings = message.recipient.settings
    return {
        MessageKind.WEEKLY: settings.weekly_picks,
        MessageKind.RELEASE: settings.release_reminders,
        MessageKind.NUDGE: settings.nudges,
    }[message.kind]


def as_message(reply: Reply, heading: str) -> Reply:
    """A screen turned into a standalone message (not an edit, not ephemeral)."""
    return replace(reply, text=(line(bold(heading)), *reply.text), edit=False, ephemeral=False, toast=None)
