"""Scheduled messages: watchlist reminders and weekly picks, each sent exactly once.

Every run looks at who wants a kind of message, keeps those for whom it is the
configured hour in their own time zone (and, for weekly picks, the configured
day), then claims a (user, kind, ISO week) row in the ledger before sending.
The claim is what makes a message go out once, even with several instances or
a run repeated after a crash. Platforms are reached through `Delivery`, which
the Telegram and Discord adapters implement; a refusal (blocked bot, closed
DMs) marks the user unreachable, a temporary failure gives the claim back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from bot.core import Core
from bot.intents import discovery, library
from bot.reply import Reply, bold, line
from bot.services import Requester
from domain.models import Platform, Recipient, SignalKind
from domain.ports import UnitOfWorkFactory
from domain.query import ListFilter

log = logging.getLogger(__name__)

REMINDER, WEEKLY = "reminder", "weekly"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DeliveryOutcome(str, Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked the bot / DMs closed: stop until they write again
    RETRY = "retry"  # known not to have been delivered (rate limited, no connection): try on a later run
    # The request left but no answer came (a timeout, a 5xx): it may have arrived. Counted as sent, never
    # retried, because a message twice is worse than a missed one.
    UNKNOWN = "unknown"


class Delivery(Protocol):
    """Sends a message to a platform user outside any conversation (a DM)."""

    platform: Platform

    async def deliver(self, external_id: str, reply: Reply) -> DeliveryOutcome: ...


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one run did, for logs and tests."""

    sent: int = 0
    unreachable: int = 0
    retry: int = 0
    skipped: int = 0
    unknown: int = 0  # may have arrived: not sent again
    failed: int = 0  # composing or sending raised: logged with the user's id, the run went on


def period_of(local: dt.datetime) -> str:
    """The ledger period: one reminder and one set of picks per ISO week."""
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def local_time(now: dt.datetime, timezone: str) -> dt.datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(dt.UTC)


class NotificationService:
    """Composes and delivers due reminders and weekly picks."""

    def __init__(
        self,
        core: Core,
        uow: UnitOfWorkFactory,
        deliveries: Sequence[Delivery],
        *,
        clock: Callable[[], dt.datetime],
        hour: int = 18,
        weekly_day: str = "fri",
        per_second: float = 20.0,
    ) -> None:
        self._core = core
        self._uow = uow
        self._deliveries = {d.platform: d for d in deliveries}
        self._now = clock
        self._hour = hour
        self._weekday = WEEKDAYS.index(weekly_day)
        self._pause = 1 / per_second  # stay well inside platform limits for unsolicited messages

    async def run_due(self) -> dict[str, RunReport]:
        """Send every reminder and weekly pick that is due now."""
        return {kind: await self._run(kind) for kind in (REMINDER, WEEKLY)}

    async def _run(self, kind: str) -> RunReport:
        now = self._now()
        async with self._uow() as uow:
            recipients = await uow.notifications.recipients(kind)
        counts = dict.fromkeys(DeliveryOutcome, 0)
        skipped = failed = 0
        for recipient in recipients:
            local = local_time(now, recipient.timezone)
            if local.hour != self._hour or (kind == WEEKLY and local.weekday() != self._weekday):
                continue
            target = self._target(recipient)
            if target is None:
                continue
            try:
                outcome = await self._send_once(kind, recipient, target, period_of(local), now)
            except Exception:  # isolation: one user's bad data or failure never stops everyone else's message
                log.exception("%s for user %d failed", kind, recipient.user_id)
                failed += 1
                continue
            if outcome is None:
                skipped += 1
            else:
                counts[outcome] += 1
                await asyncio.sleep(self._pause)
        report = RunReport(
            counts[DeliveryOutcome.SENT],
            counts[DeliveryOutcome.UNREACHABLE],
            counts[DeliveryOutcome.RETRY],
            skipped,
            counts[DeliveryOutcome.UNKNOWN],
            failed,
        )
        if report != RunReport():
            log.info("%s run: %s", kind, report)
        return report

    def _target(self, recipient: Recipient) -> tuple[Delivery, Requester] | None:
        for identity in recipient.identities:
            delivery = self._deliveries.get(identity.platform)
            if delivery is not None:
                return delivery, Requester(identity.platform, identity.external_id, recipient.display_name)
        return None

    async def _send_once(
        self, kind: str, recipient: Recipient, target: tuple[Delivery, Requester], period: str, now: dt.datetime
    ) -> DeliveryOutcome | None:
        delivery, who = target
        async with self._uow(write=True) as uow:
            claimed = await uow.notifications.claim(recipient.user_id, kind, period, now)
            await uow.commit()
        if not claimed:
            return None
        try:
            reply = await (self._reminder(recipient, who) if kind == REMINDER else self._weekly(recipient, who))
            if reply is None:
                await self._settle(recipient.user_id, kind, period, "nothing")
                return None
            outcome = await delivery.deliver(who.external_id, reply)
        except Exception:
            # Settled, not released: whatever raised may have sent part of it, and a retry would repeat that.
            await self._settle(recipient.user_id, kind, period, "failed")
            raise
        if outcome is DeliveryOutcome.RETRY:
            async with self._uow(write=True) as uow:
                await uow.notifications.release(recipient.user_id, kind, period)
                await uow.commit()
            return outcome
        if outcome is DeliveryOutcome.UNREACHABLE:
            await self._core.mark_unreachable(who)
        await self._settle(recipient.user_id, kind, period, outcome.value)
        return outcome

    async def _settle(self, user_id: int, kind: str, period: str, status: str) -> None:
        async with self._uow(write=True) as uow:
            await uow.notifications.settle(user_id, kind, period, status)
            await uow.commit()

    async def _reminder(self, recipient: Recipient, who: Requester) -> Reply | None:
        async with self._uow() as uow:
            waiting = await uow.library.watchlist(recipient.user_id, ListFilter(), 1, 1, watched=False)
        if waiting.total == 0:
            return None
        reply = await library.watchlist(self._core.services, who)
        return _as_message(reply, "🔔 Still on your watchlist — tonight could be movie night:")

    async def _weekly(self, recipient: Recipient, who: Requester) -> Reply | None:
        async with self._uow() as uow:
            signals = await uow.library.signals(recipient.user_id)
        if not any(s.kind is not SignalKind.DISMISSED for s in signals):
            return None  # no taste known yet: /recommend would only show onboarding
        return _as_message(await discovery.recommend(self._core.services, who), "📬 Your weekly picks:")


def _as_message(reply: Reply, heading: str) -> Reply:
    """A screen turned into a standalone message (not an edit, not ephemeral)."""
    return replace(reply, text=(line(bold(heading)), *reply.text), edit=False, ephemeral=False, toast=None)
