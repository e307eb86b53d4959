"""Build the python-telegram-bot Application for the core and serve it by polling or webhook.

Everything comes from the Config read at start-up: the Bot API base URLs (a
self-hosted Bot API server, or the tests' fake), the mode, the webhook's public
URL, listen address, port and secret token.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, BaseUpdateProcessor

from adapters.telegram.handlers import Handlers
from adapters.telegram.rate_limit import BudgetRateLimiter
from bot.config import Config, ConfigError
from bot.core import Core
from bot.pacing import LocalSendBudget
from bot.routing import COMMANDS

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
POLL_TIMEOUT_SECONDS = 30  # long-poll length: Telegram answers as soon as an update arrives
MAX_CONCURRENT_UPDATES = 64  # CPU-bound storage thrashes above this; Bot API waits need more than a few
EXTRA_COMMANDS = (BotCommand("cancel", "Stop writing a review"),)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently, but one at a time per user.

    Two hundred users must not wait for each other, yet one user's "rate" and
    the review right after it must run in the order they were sent.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._users[user.id] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[user.id] -= 1
            if not self._users[user.id]:
                del self._users[user.id], self._locks[user.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def quiet_http_logs() -> None:
    """Keep the token out of the logs: httpx logs every request URL (token included) at INFO."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def application_builder(
    config: Config, *, rate_limiter: BaseRateLimiter[Any] | None = None
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """A builder wired to the configured Bot API, with flood control and per-user ordering.

    `BudgetRateLimiter` (PTB's AIORateLimiter with a send budget in front of
    each message) keeps under Telegram's flood limits, puts people's replies
    ahead of scheduled messages and, with retries, honours `RetryAfter` (429).
    The default budget is this process's; `bot.bootstrap` passes the one all
    instances share.
    """
    token = config.secrets.telegram_token
    if token is None:
        raise ConfigError("config error: TELEGRAM_BOT_TOKEN is not set")
    return (
        ApplicationBuilder()
        .token(token.reveal())
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.file_base_url)
        .rate_limiter(rate_limiter or BudgetRateLimiter(LocalSendBudget()))
        .concurrent_updates(PerUserUpdateProcessor())
    )


def build_application(
    core: Core, config: Config, *, rate_limiter: BaseRateLimiter[Any] | None = None
) -> AnyApplication:
    """The Application with moviebot's handlers installed."""
    app = application_builder(config, rate_limiter=rate_limiter).build()
    Handlers(core).install(app)
    return app


async def register_commands(app: AnyApplication) -> None:
    """Publish the command menu (setMyCommands) from the shared command table."""
    commands = [BotCommand(c.name, c.description) for c in COMMANDS if not c.admin] + list(EXTRA_COMMANDS)
    await app.bot.set_my_commands(commands)


def _webhook_settings(config: Config) -> tuple[str, str, str]:
    """The webhook URL, its path and the secret token; start-up fails without them."""
    url = config.telegram.webhook_url
    if not url:
        raise ConfigError("config error: telegram.webhook_url is required in webhook mode")
    secret = config.secrets.telegram_webhook_secret
    if secret is None:
        raise ConfigError("config error: TELEGRAM_WEBHOOK_SECRET is required in webhook mode")
    return url, urlsplit(url).path.lstrip("/"), secret.reveal()


async def run_application(app: AnyApplication, config: Config, *, poll_timeout: float = POLL_TIMEOUT_SECONDS) -> None:
    """Run an application by polling or webhook until cancelled, then shut it down cleanly."""
    quiet_http_logs()
    webhook = _webhook_settings(config) if config.telegram.mode == "webhook" else None
    try:
        await app.initialize()  # getMe: the first call, where a wrong token or API URL shows
    except InvalidToken:
        raise ConfigError(
            "config error: TELEGRAM_BOT_TOKEN was rejected by the Bot API (check the token,"
            " and TELEGRAM_API_BASE_URL if you set one)"
        ) from None
    async with app:  # initialized above; shuts down on the way out
        await register_commands(app)
        updater = app.updater
        assert updater is not None
        if webhook is None:
            await updater.start_polling(timeout=dt.timedelta(seconds=poll_timeout), allowed_updates=ALLOWED_UPDATES)
        else:
            url, path, secret = webhook
            # Every instance behind a load balancer sets the same URL and secret: idempotent.
            await updater.start_webhook(
                listen=config.telegram.listen,
                port=config.telegram.port,
                url_path=path,
                webhook_url=url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        await app.start()
        log.info("telegram adapter running (%s) as @%s", config.telegram.mode, app.bot.username)
        try:
            await asyncio.Event().wait()
        finally:
            if updater.running:
                await updater.stop()
            await app.stop()
