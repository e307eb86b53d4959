"""Fixtures: a fake Discord on 127.0.0.1 and moviebot's real discord.py client connected to it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket

from adapters.discord.client import MovieClient, ShardedMovieClient, build_client
from bot.config import Config, load_config
from tests.driver import Driver
from tests.e2e.discord.fake_discord import FakeDiscord

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token-never-logged"


@pytest.fixture(autouse=True)
def restore_endpoints() -> Iterator[None]:
    """discord.py's endpoints are process-wide: put them back after each test."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord(token=TOKEN).start()
    yield server
    await server.close()
    assert server.violations == [], "the bot broke Discord's rules"


def discord_config(fake: FakeDiscord, sqlite_url: str, **env: str) -> Config:
    return load_config(
        env={
            "DATABASE_URL": sqlite_url,
            "DISCORD_BOT_TOKEN": fake.token,
            "DISCORD_API_BASE_URL": fake.base_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            **env,
        }
    )


async def start_client(
    fake: FakeDiscord, bot: Driver, config: Config, shards: int = 1
) -> tuple[MovieClient | ShardedMovieClient, asyncio.Task[None]]:
    client = build_client(bot.core, config, guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start(fake.token))
    await fake.connected(shards)
    return client, task


async def stop_client(client: discord.Client, task: asyncio.Task[Any]) -> None:
    await client.close()
    with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def client(
    fake: FakeDiscord, movie_bot: Driver, sqlite_url: str
) -> AsyncIterator[MovieClient | ShardedMovieClient]:
    """moviebot's client, logged in, commands synced to the fake's guild, gateway identified."""
    config = discord_config(fake, sqlite_url, DISCORD_GUILD_IDS=fake.guild_id)
    bot_client, task = await start_client(fake, movie_bot, config)
    yield bot_client
    await stop_client(bot_client, task)


@pytest.fixture
def alice(fake: FakeDiscord) -> dict[str, Any]:
    return fake.user(4001, "Alice")


@pytest.fixture
def bob(fake: FakeDiscord) -> dict[str, Any]:
    return fake.user(4002, "Bob")
