"""Composition root: the one place that picks concrete infrastructure and wires it.

Everything else receives its collaborators; this module (with the CLI calling
it) is where SQLAlchemy storage, the bundled catalog and the adapters meet.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from adapters.tmdb.catalog import TmdbCatalog
from bot import redaction
from bot.catalog_import import SourceRow, import_rows, seed_if_empty
from bot.catalog_refresh import refresh_stale_tmdb
from bot.config import Config
from bot.core import Core
from bot.notifications import Delivery, NotificationService, Timing
from bot.pacing import LocalSendBudget
from bot.scheduler import Scheduler, build_scheduler
from bot.services import Services, utc_now
from domain.models import ImportSummary
from domain.ports import SendBudget
from storage import movielens
from storage.database import Database
from storage.send_budget import shared_send_budget
from storage.uow import SqlUnitOfWorkFactory

log = logging.getLogger("moviebot")


@dataclass
class Runtime:
    """What a running moviebot is made of."""

    config: Config
    db: Database
    uow: SqlUnitOfWorkFactory
    core: Core
    remote: TmdbCatalog | None = None

    async def close(self) -> None:
        if self.remote is not None:
            await self.remote.aclose()
        await self.db.dispose()


async def build(config: Config, *, clock: Callable[[], dt.datetime] = utc_now) -> Runtime:
    """Open the database, migrate it, seed the bundled catalog if empty, build the bot."""
    db = Database(config.database_url())
    await db.upgrade()
    uow = SqlUnitOfWorkFactory(db)
    if config.catalog.seed_bundled:
        added = await seed_if_empty(uow, movielens.read_bundled, clock())
        if added:
            log.info("seeded the bundled catalog with %d movies", added)
    remote = _tmdb(config)
    settings: dict[str, Any] = {
        "clock": clock,
        "page_size": config.bot.page_size,
        "admins": frozenset(config.bot.admins),
    }
    if remote is not None:
        await remote.start()  # never raises: without TMDb, defaults and the offline catalog serve
        settings |= {
            "catalog_name": "TMDb (live), with the bundled offline catalog as fallback",
            "poster_url": remote.poster_url,
            "remote": remote,
        }
    return Runtime(config=config, db=db, uow=uow, core=Core(Services.over(uow, **settings)), remote=remote)


def _tmdb(config: Config) -> TmdbCatalog | None:
    """The TMDb catalog when a token (or api key) is configured; secrets are revealed only here."""
    token, key, redis_url = config.secrets.tmdb_token, config.secrets.tmdb_key, config.secrets.redis_url
    if token is None and key is None:
        return None
    return TmdbCatalog.create(
        token=token.reveal() if token else None,
        api_key=key.reveal() if key else None,
        base_url=config.tmdb.api_base_url,
        timeout=config.tmdb.timeout_seconds,
        language=config.tmdb.language,
        redis_url=redis_url.reveal() if redis_url else None,
    )


def settle_heap() -> None:
    """Hide what start-up allocated (modules, SQLAlchemy mappers, PTB and discord.py classes) from the collector.

    Those ~160k objects live as long as the process, yet every full collection
    walked them all and stalled the event loop for ~80 ms mid-conversation.
    Frozen (gc.freeze), they are never scanned again; later garbage is collected
    as usual.
    """
    gc.collect()
    gc.freeze()


def configure_logging(config: Config, *, console: bool = False) -> None:
    """Log to stderr; in the console chat at WARNING (unless DEBUG is asked for), so logs don't interleave with it."""
    level = config.bot.log_level
    if console and level != "DEBUG":
        level = "WARNING"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    redaction.install(config.secrets.values())
    for chatty in ("alembic", "apscheduler"):  # a line per migration step or job run is noise in a chat
        logging.getLogger(chatty).setLevel(logging.WARNING)


async def chat(config: Config, lines: Iterator[str], out: TextIO, *, echo: bool) -> None:
    """Run the console adapter until input ends."""
    runtime = await build(config)
    try:
        await _console(runtime, lines, out, echo=echo)
    finally:
        await runtime.close()


async def _console(runtime: Runtime, lines: Iterator[str], out: TextIO, *, echo: bool) -> None:
    from adapters.console.chat import ConsoleChat

    await ConsoleChat(runtime.core, out, echo=echo).run(lines)


def _scheduler(runtime: Runtime, deliveries: Sequence[Delivery]) -> Scheduler:
    """Recommender refits always; scheduled messages when a platform can deliver them; TMDb upkeep with TMDb."""
    cfg = runtime.config.scheduler
    timing = Timing(
        window=dt.timedelta(hours=cfg.window_hours),
        nudge_after=dt.timedelta(weeks=cfg.nudge_after_weeks),
        retention=dt.timedelta(days=cfg.retention_days),
        lease=dt.timedelta(seconds=cfg.lease_seconds),
    )
    notifications = (
        NotificationService(runtime.core, runtime.uow, deliveries, clock=utc_now, timing=timing, workers=cfg.workers)
        if deliveries
        else None
    )
    remote = runtime.remote

    async def upkeep() -> int:
        """Keep TMDb-sourced movies within TMDb's six-month storage limit."""
        assert remote is not None
        return await refresh_stale_tmdb(runtime.uow, remote, utc_now())

    return build_scheduler(
        runtime.core.services.recommendations, notifications, upkeep=upkeep if remote is not None else None
    )


def _send_budget(runtime: Runtime, name: str) -> SendBudget:
    """One budget per bot, shared by every instance (Redis, else PostgreSQL; in-process on SQLite).

    `name` holds the bot's public id (the token's part before the colon), never the secret.
    """
    redis_url = runtime.config.secrets.redis_url
    return shared_send_budget(
        name,
        redis_url=redis_url.reveal() if redis_url else None,
        engine=runtime.db.writer if runtime.db.dialect == "postgresql" else None,
        fallback=LocalSendBudget(),
    )


async def run(config: Config, lines: Iterator[str], out: TextIO, *, echo: bool) -> None:
    """Start every adapter whose token is configured, plus the scheduler; with no token, the console chat."""
    runtime = await build(config)
    deliveries: list[Delivery] = []
    servers: list[Coroutine[Any, Any, None]] = []
    if config.secrets.telegram_token is not None:
        from adapters.telegram.app import build_application, run_application
        from adapters.telegram.delivery import TelegramDelivery
        from adapters.telegram.rate_limit import BudgetRateLimiter

        budget = _send_budget(runtime, f"telegram:{config.secrets.telegram_token.reveal().partition(':')[0]}")
        application = build_application(runtime.core, config, rate_limiter=BudgetRateLimiter(budget))
        deliveries.append(TelegramDelivery(application.bot))
        servers.append(run_application(application, config))
    if config.secrets.discord_token is not None:
        from adapters.discord.client import build_client, run_client

        discord_client = build_client(runtime.core, config)
        deliveries.append(discord_client.delivery)
        servers.append(run_client(discord_client, config))
    scheduler = _scheduler(runtime, deliveries) if config.scheduler.enabled else None
    settle_heap()
    if scheduler is not None:
        scheduler.start()
    try:
        if servers:
            await asyncio.gather(*servers)
        else:
            await _console(runtime, lines, out, echo=echo)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await runtime.close()


async def import_catalog(config: Config, path: Path, progress: Callable[[int, int], None]) -> ImportSummary:
    """Import a MovieLens file or folder into the catalog."""
    rows = movielens.read_movielens(path)  # raises ValueError for unknown formats before any write
    total = movielens.count_rows(path)
    runtime = await build(config)
    try:
        source = (SourceRow(r.draft, r.skip_reason) for r in rows)
        return await import_rows(runtime.uow, source, utc_now(), lambda done: progress(done, total))
    finally:
        await runtime.close()


async def upgrade(config: Config) -> str:
    """Apply migrations; returns a printable description of the database."""
    db = Database(config.database_url())
    try:
        await db.upgrade()
    finally:
        await db.dispose()
    return repr(db)
