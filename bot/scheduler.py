"""APScheduler wiring: recommender refits, scheduled messages, catalog upkeep.

Jobs never overlap themselves (max_instances=1) and missed runs collapse into
one (coalesce), so a slow refit or a paused process cannot pile work up.
APScheduler cancels running coroutine jobs when it shuts down; a refit cut off
mid-query would leave a database connection checked out, and a notification
run cut off mid-send would leave a claimed-but-unsent message. So each run is
shielded, and `stop()` lets the runs in flight finish before returning.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.notifications import NotificationService
from bot.recommendations import RecommendationService

REFIT_EVERY = dt.timedelta(hours=6)
Job = Callable[[], Awaitable[object]]


class Scheduler:
    """Our jobs on an AsyncIOScheduler, with a clean stop."""

    def __init__(self, on_run: Callable[[str], object] | None = None) -> None:
        """`on_run(job_id)` is told as each run begins (tests wait on it instead of sleeping)."""
        self._scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self._running: set[asyncio.Future[object]] = set()
        self._on_run = on_run

    def add(self, job_id: str, job: Job, trigger: str, **trigger_args: object) -> None:
        async def shielded() -> None:
            run = asyncio.ensure_future(job())
            self._running.add(run)
            run.add_done_callback(self._running.discard)
            if self._on_run is not None:
                self._on_run(job_id)
            with contextlib.suppress(asyncio.CancelledError):  # APScheduler is shutting down; stop() waits for `run`
                await asyncio.shield(run)

        self._scheduler.add_job(
            shielded, trigger, id=job_id, max_instances=1, coalesce=True, misfire_grace_time=600, **trigger_args
        )

    @property
    def job_ids(self) -> set[str]:
        return {job.id for job in self._scheduler.get_jobs()}

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop scheduling, then wait for runs in flight (a refit takes seconds at most)."""
        self._scheduler.shutdown(wait=False)
        await asyncio.gather(*self._running, return_exceptions=True)


def build_scheduler(
    recommendations: RecommendationService,
    notifications: NotificationService | None,
    *,
    upkeep: Job | None = None,
    refit_every: dt.timedelta = REFIT_EVERY,
    on_run: Callable[[str], object] | None = None,
) -> Scheduler:
    """A scheduler with our jobs added; the caller starts and stops it."""
    scheduler = Scheduler(on_run)
    scheduler.add(
        "refit",
        recommendations.refit,
        "interval",
        seconds=refit_every.total_seconds(),
        next_run_time=dt.datetime.now(dt.UTC),
    )
    if notifications is not None:
        # Every minute: runs are due at any minute (half-hour zones, quiet hours ending, retries), and a run
        # hands over to the next after `Timing.run_for`, so one never blocks the next.
        scheduler.add("notify", notifications.run_due, "interval", seconds=60, next_run_time=dt.datetime.now(dt.UTC))
    if upkeep is not None:
        scheduler.add("upkeep", upkeep, "cron", hour=4, minute=30)
    return scheduler
