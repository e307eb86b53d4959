"""Fixtures: the fake Bot API, and moviebot running on python-telegram-bot against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import FakeBotApi
from tests.e2e.telegram.harness import Harness, TgUser, running, telegram_config


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def tg(fake: FakeBotApi, movie_bot: Driver, sqlite_url: str) -> AsyncIterator[Harness]:
    async with running(movie_bot, telegram_config(fake, sqlite_url), fake) as harness:
        yield harness


@pytest.fixture
def alice_tg(tg: Harness) -> TgUser:
    return tg.user(1001, "Alice", "Liddell")


@pytest.fixture
def bob_tg(tg: Harness) -> TgUser:
    return tg.user(2002, "Bob")
