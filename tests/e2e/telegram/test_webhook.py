"""Webhook mode: Telegram's secret token header is checked on every request."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import FakeBotApi
from tests.e2e.telegram.harness import Harness, running, telegram_config

SECRET = "s3cret_Token-for-tests"
HOOK = "https://bot.example.test/tg/hook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def hooked(fake: FakeBotApi, movie_bot: Driver, sqlite_url: str) -> AsyncIterator[tuple[Harness, str]]:
    config = telegram_config(fake, sqlite_url, TELEGRAM_WEBHOOK_SECRET=SECRET)
    port = free_port()
    section = dataclasses.replace(config.telegram, mode="webhook", webhook_url=HOOK, listen="127.0.0.1", port=port)
    async with running(movie_bot, dataclasses.replace(config, telegram=section), fake) as harness:
        yield harness, f"http://127.0.0.1:{port}/tg/hook"


async def test_webhook_rejects_missing_or_wrong_secret_and_processes_the_right_one(
    hooked: tuple[Harness, str], fake: FakeBotApi
) -> None:
    harness, url = hooked
    assert fake.webhook is not None
    assert fake.webhook["url"] == HOOK
    assert fake.webhook["secret_token"] == SECRET
    fake.chat(1001)
    user = {"id": 1001, "is_bot": False, "first_name": "Alice"}

    def update(n: int) -> dict[str, object]:
        return {"update_id": n, "message": fake.user_message(user, 1001, "/help")}

    async with aiohttp.ClientSession() as http:
        for headers in (
            {},
            {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            {"X-Telegram-Bot-Api-Secret-Token": SECRET.upper()},
        ):
            async with http.post(url, json=update(1), headers=headers) as response:
                assert response.status == 403
        await harness.drain({}, webhook=True)
        assert not fake.calls_to("sendMessage"), "a rejected request is not processed"
        async with http.post(url, json=update(2), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            assert response.status == 200
    await harness.drain({}, webhook=True)
    assert fake.last(1001).shown.startswith("What I can do")
