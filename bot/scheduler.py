"""APScheduler wiring: recommender refits, scheduled messages, catalog upkeep.

Jobs never overlap themselves (max_instances=1) and missed runs collapse into
one (coalesce), so a slow refit or a paused process cannot pile work up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.notifications import NotificationService
from bot.recommendations import RecommendationService

REFIT_EVERY = dt.timedelta(hours=6)


def build_scheduler(
    recommendations: RecommendationService,
    notifications: NotificationService | None,
    *,
    upkeep: Callable[[], Awaitable[object]] | None = None,
    refit_every: dt.timedelta = REFIT_EVERY,
) -> AsyncIOScheduler:
    """A scheduler with our jobs added; the caller starts and shuts it down."""
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 600}
    scheduler.add_job(
        recommendations.refit, "interval", seconds=refit_every.total_seconds(), id="refit", next_run_time=dt.datetime.now(dt.UTC), **common
    )
    if notifications is not None:
        # Hourly, because "18:00" arrives at a different UTC hour in every time zone.
        scheduler.add_job(notifications.run_due, "cron", minute=0, id="notify", **common)
    if upkeep is not None:
        scheduler.add_job(upkeep, "cron", hour=4, minute=30, id="upkeep", **common)
    return scheduler
