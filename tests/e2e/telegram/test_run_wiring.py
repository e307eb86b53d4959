"""`moviebot run` with a Telegram token: the real composition root serves Telegram, with the scheduler."""

from __future__ import annotations

import asyncio
import io

from bot import bootstrap
from tests.e2e.telegram.fake_bot_api import FakeBotApi
from tests.e2e.telegram.harness import telegram_config


async def test_run_serves_telegram_instead_of_the_console(fake: FakeBotApi, sqlite_url: str) -> None:
    out = io.StringIO()
    served = asyncio.create_task(bootstrap.run(telegram_config(fake, sqlite_url), iter(()), out, echo=False))
    try:
        for _ in range(200):  # start-up: migrations, catalog check, getMe, setMyCommands, polling
            if fake.calls_to("getUpdates"):
                break
            await asyncio.sleep(0.05)
        assert fake.calls_to("setMyCommands"), "the command menu is registered at start-up"
        user = {"id": 4242, "is_bot": False, "first_name": "Ruth"}
        fake.chat(4242)
        await fake.push("message", fake.user_message(user, 4242, "/search heat 1995"))
        for _ in range(200):
            if fake.bot_messages(4242):
                break
            await asyncio.sleep(0.05)
        assert "1. Heat (1995)" in fake.last(4242).shown
        assert out.getvalue() == "", "no console when a platform token is set"
    finally:
        served.cancel()
        await asyncio.gather(served, return_exceptions=True)
