"""The two bots the benchmark compares, each run in its own process: moviebot and a trivial one.

`python -m bench.discord.bots moviebot|trivial BASE_URL GATEWAY_URL TOKEN DATABASE_URL GUILD_ID`

The trivial bot answers the same interactions (a /movie command with title
autocomplete, and its buttons) with constant replies and no storage, so the
difference between the two is what moviebot itself adds.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import discord
from discord import app_commands

from adapters.discord.client import build_client, configure_endpoints, intents, run_client
from bot.bootstrap import build, settle_heap
from bot.config import Config, load_config


def config_from(argv: list[str]) -> Config:
    base, gateway, token, database_url, guild = argv
    return load_config(
        env={
            "DATABASE_URL": database_url,
            "DISCORD_BOT_TOKEN": token,
            "DISCORD_API_BASE_URL": base,
            "DISCORD_GATEWAY_URL": gateway,
            "DISCORD_GUILD_IDS": guild,
        }
    )


async def run_moviebot(config: Config) -> None:
    runtime = await build(config)
    settle_heap()  # as `moviebot run` does
    try:
        await run_client(build_client(runtime.core, config), config)
    finally:
        await runtime.close()


class TrivialBot(discord.Client):
    """The smallest discord.py bot answering what the benchmark sends."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            intents=intents(),
            max_messages=None,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
        )
        self.tree = app_commands.CommandTree(self)
        self.guild = discord.Object(id=guild_id)

        @self.tree.command(name="movie", description="Show a movie card", guild=self.guild)
        async def movie(interaction: discord.Interaction[Any], title: str) -> None:
            view = discord.ui.View(timeout=None)
            view.add_item(discord.ui.Button(label="❤ Favorite", custom_id="v1:fa:1"))
            await interaction.response.send_message(f"A card for {title}", view=view)

        @movie.autocomplete("title")
        async def titles(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name="The Matrix (1999)", value="#1")]

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=self.guild)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.component:
            await interaction.response.edit_message(content="Pressed.")


async def run_trivial(config: Config) -> None:
    configure_endpoints(config)
    assert config.secrets.discord_token is not None
    client = TrivialBot(config.discord.guild_ids[0])
    async with client:
        await client.start(config.secrets.discord_token.reveal())


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    kind, config = sys.argv[1], config_from(sys.argv[2:])
    asyncio.run(run_moviebot(config) if kind == "moviebot" else run_trivial(config))


if __name__ == "__main__":
    main()
