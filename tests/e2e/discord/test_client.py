"""Operating the client: gateway handshake, compression, heartbeats, command sync, sharding, secrets."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket

from adapters.discord.client import ShardedMovieClient
from bot.routing import COMMANDS
from tests.driver import Driver
from tests.e2e.discord.conftest import TOKEN, discord_config, start_client, stop_client
from tests.e2e.discord.fake_discord import CHANNEL_MESSAGE, FakeDiscord


async def test_handshake_with_zlib_stream_and_heartbeats(
    movie_bot: Driver, sqlite_url: str, alice: dict[str, Any]
) -> None:
    fake = await FakeDiscord(token=TOKEN, compress=True, heartbeat_ms=100).start()
    try:
        client, task = await start_client(fake, movie_bot, discord_config(fake, sqlite_url))
        await asyncio.wait_for(client.wait_until_ready(), 5)
        assert [g.name for g in client.guilds] == ["Film Club"]
        assert fake.sessions[0].compress  # discord.py asked for zlib-stream and read our compressed frames
        await fake.until(lambda: fake.sessions[0].heartbeats >= 2)
        answered = await fake.slash("help", alice, guild=False)
        assert answered.callback_type == CHANNEL_MESSAGE
        await stop_client(client, task)
    finally:
        await fake.close()
    assert fake.violations == []  # includes: no privileged intents in IDENTIFY


async def test_endpoints_come_from_config(fake: FakeDiscord, client: discord.Client) -> None:
    assert f"{fake.base_url}/api/v10" == discord.http.Route.BASE
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url


async def test_commands_sync_instantly_to_listed_guilds(fake: FakeDiscord, client: discord.Client) -> None:
    synced = {c["name"]: c for c in fake.commands[fake.guild_id]}
    assert None not in fake.commands
    assert set(synced) == {c.name for c in COMMANDS}
    for command in COMMANDS:
        options = {o["name"]: o for o in synced[command.name].get("options", [])}
        assert synced[command.name]["description"] == command.description
        if command.takes_movie:
            assert options["title"]["autocomplete"] is True
            assert options["title"]["required"] is True
        assert all(o["description"] for o in options.values())
    stars = {o["name"]: o for o in synced["rate"]["options"]}["stars"]
    assert [c["value"] for c in stars["choices"]] == [5, 4, 3, 2, 1]


async def test_commands_sync_globally_by_default(fake: FakeDiscord, movie_bot: Driver, sqlite_url: str) -> None:
    client, task = await start_client(fake, movie_bot, discord_config(fake, sqlite_url))
    try:
        assert len(fake.commands[None]) == len(COMMANDS)
        assert fake.guild_id not in fake.commands
    finally:
        await stop_client(client, task)


@pytest.mark.slow  # a second gateway session and its guilds: about 5 s
async def test_auto_sharded_client(movie_bot: Driver, sqlite_url: str, alice: dict[str, Any]) -> None:
    fake = await FakeDiscord(token=TOKEN, shards=2).start()
    try:
        config = discord_config(fake, sqlite_url)
        config = dataclasses.replace(config, discord=dataclasses.replace(config.discord, sharded=True))
        client, task = await start_client(fake, movie_bot, config, shards=2)
        assert isinstance(client, ShardedMovieClient)
        assert sorted(s.shard for s in fake.sessions) == [(0, 2), (1, 2)]
        answered = await fake.slash("help", alice)  # routed to the shard that owns the guild
        assert answered.callback_type == CHANNEL_MESSAGE
        await stop_client(client, task)
    finally:
        await fake.close()
    assert fake.violations == []


async def test_the_token_never_reaches_the_logs(
    fake: FakeDiscord, movie_bot: Driver, sqlite_url: str, alice: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = discord_config(fake, sqlite_url)
    client, task = await start_client(fake, movie_bot, config)
    await fake.slash("movie", alice, title="heat")
    await fake.slash("movie", alice)  # an error path too
    await stop_client(client, task)
    logging.getLogger("test").info("config: %r", config)
    assert "discord" in caplog.text  # discord.py did log at DEBUG
    assert TOKEN not in caplog.text
