"""Build and run the Discord client: endpoints, intents, persistent items, command sync.

Everything here is read from the Config once at start-up. The API and gateway
locations are process-wide settings in discord.py (`Route.BASE`,
`DiscordWebSocket.DEFAULT_GATEWAY`), which is how an HTTP proxy or a local
fake Discord is used. No privileged intent is requested: slash commands and
components need none.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import add_commands
from adapters.discord.items import MENU_TEMPLATE, PAYLOAD_TEMPLATE, ActionButton, OpenMenu
from adapters.discord.respond import DiscordDelivery, Responder, review_modal_submit, timezone_modal_submit
from bot.config import Config, ConfigError
from bot.core import Core

log = logging.getLogger(__name__)

API_VERSION_PATH = "/api/v10"


def configure_endpoints(config: Config) -> None:
    """Point discord.py at the configured REST root (plus /api/v10) and gateway, when given."""
    section = config.discord
    if section.api_base_url:
        discord.http.Route.BASE = section.api_base_url.rstrip("/") + API_VERSION_PATH
    if section.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(section.gateway_url)


def intents() -> discord.Intents:
    """Default intents without the privileged ones (members, presences, message content)."""
    chosen = discord.Intents.default()
    chosen.members = chosen.presences = chosen.message_content = False
    return chosen


class _MovieClientMixin:
    """What both client flavours add: the responder, persistent items and command sync."""

    handler: Responder
    tree: discord.app_commands.CommandTree[Any]

    def _init_moviebot(self, core: Core, guild_ids: tuple[int, ...]) -> None:
        self.handler = Responder(core)
        self.delivery = DiscordDelivery(self)  # type: ignore[arg-type]  # a mixin: the concrete classes are Clients
        self._guild_ids = guild_ids
        self.tree = discord.app_commands.CommandTree(self)
        add_commands(self.tree, self.handler)

    async def setup_hook(self) -> None:
        """Register persistent items and sync commands: to the listed guilds (instant) or globally."""
        self.add_dynamic_items(ActionButton, OpenMenu)  # type: ignore[attr-defined]
        if self._guild_ids:
            for guild_id in self._guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (they may take a while to appear)", len(synced))

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer presses no item claims (foreign or garbled custom_ids) rather than let them fail silently."""
        if interaction.type is discord.InteractionType.modal_submit:
            review = review_modal_submit(interaction)
            if review is not None:
                await self.handler.on_review(interaction, *review)
            timezone = timezone_modal_submit(interaction)
            if timezone is not None:
                await self.handler.on_timezone(interaction, *timezone)
        if interaction.type is discord.InteractionType.component:
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            if not any(re.fullmatch(template, custom_id) for template in (PAYLOAD_TEMPLATE, MENU_TEMPLATE)):
                await self.handler.on_press(interaction, custom_id)


class MovieClient(_MovieClientMixin, discord.Client):
    """A single-connection client for moviebot."""

    def __init__(self, core: Core, *, guild_ids: tuple[int, ...] = (), **options: Any) -> None:
        super().__init__(**options)
        self._init_moviebot(core, guild_ids)


class ShardedMovieClient(_MovieClientMixin, discord.AutoShardedClient):
    """The AutoShardedClient flavour, for bots in many servers."""

    def __init__(self, core: Core, *, guild_ids: tuple[int, ...] = (), **options: Any) -> None:
        super().__init__(**options)
        self._init_moviebot(core, guild_ids)


def build_client(core: Core, config: Config, **options: Any) -> MovieClient | ShardedMovieClient:
    """A configured client (not yet connected); `options` go to discord.py (e.g. guild_ready_timeout)."""
    configure_endpoints(config)
    settings: dict[str, Any] = {
        "intents": intents(),
        "allowed_mentions": discord.AllowedMentions.none(),  # echoed titles never ping anyone
        "max_messages": None,  # no message cache: every press carries its message
        "chunk_guilds_at_startup": False,
        "member_cache_flags": discord.MemberCacheFlags.none(),
    } | options
    flavour = ShardedMovieClient if config.discord.sharded else MovieClient
    return flavour(core, guild_ids=config.discord.guild_ids, **settings)


async def run_client(client: discord.Client, config: Config) -> None:
    """Log in, connect and answer interactions until cancelled (bootstrap gathers this with the other adapters)."""
    token = config.secrets.discord_token
    if token is None:
        raise ConfigError("config error: DISCORD_BOT_TOKEN is not set")
    async with client:
        await client.start(token.reveal())
