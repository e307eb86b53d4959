"""One moviebot instance for the broadcast bench: the Telegram adapter plus the scheduled-message sender.

Run by `bench.broadcast.run`, one process per instance, against the fake Bot
API with Telegram's limits on. Instance 0 also answers people (long polling);
every instance sends scheduled messages through the shared send budget.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import signal
import sys
from typing import Any

from adapters.telegram.app import build_application, run_application
from adapters.telegram.delivery import TelegramDelivery
from adapters.telegram.rate_limit import BudgetRateLimiter
from bot.bootstrap import Runtime, build, settle_heap
from bot.config import load_config
from bot.notifications import NotificationService, Timing
from bot.pacing import LocalSendBudget
from bot.services import utc_now
from domain.ports import SendBudget
from storage.send_budget import shared_send_budget


def budget_for(kind: str, runtime: Runtime, name: str) -> SendBudget:
    """The budget `bot.bootstrap` would build for this deployment (forced, so the bench can pick)."""
    redis_url = "redis://127.0.0.1:6379/0" if kind == "redis" else None
    engine = runtime.db.writer if kind == "postgres" else None
    return shared_send_budget(name, redis_url=redis_url, engine=engine, fallback=LocalSendBudget())


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    config = load_config(
        env={
            "DATABASE_URL": args.database_url,
            "TELEGRAM_BOT_TOKEN": args.token,
            "TELEGRAM_API_BASE_URL": args.base_url,
        }
    )
    runtime = await build(config)
    budget = budget_for(args.budget, runtime, f"telegram:{args.token.split(':')[0]}")
    limiter: Any = BudgetRateLimiter(budget)
    app = build_application(runtime.core, config, rate_limiter=limiter)
    await runtime.core.services.recommendations.refit()  # fitted before the broadcast, as a running bot would be
    settle_heap()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    polling = asyncio.create_task(run_application(app, config, poll_timeout=5)) if args.poll else None
    if polling is None:
        await app.initialize()
    timing = Timing(lease=dt.timedelta(seconds=args.lease), run_for=dt.timedelta(seconds=50))
    notifier = NotificationService(
        runtime.core, runtime.uow, [TelegramDelivery(app.bot)], clock=utc_now, timing=timing, workers=args.workers
    )
    print(json.dumps({"ready": True}), flush=True)
    while not stop.is_set():
        report = await notifier.run_due()
        if report:
            print(json.dumps({"report": str(report)}), flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    if polling is not None:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
    else:
        await app.shutdown()
    await runtime.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("database_url")
    parser.add_argument("--poll", action="store_true", help="also answer people (long polling)")
    parser.add_argument("--budget", choices=["local", "postgres", "redis"], default="local")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--lease", type=float, default=300.0, help="seconds a claim is held")
    asyncio.run(main(parser.parse_args()))
