"""Persistent components: one DynamicItem button and one select menu, keyed by the action codec.

A button's custom_id *is* the codec payload, so any moviebot button ever sent
is dispatched after a restart with no stored view. The template accepts every
versioned payload (`v<n>:...`), including forged or retired ones, so those reach
`Core.handle_press`, which rejects them with a polite "this button has expired"
instead of Discord's silent "interaction failed".

Items do not hold the bot: discord.py recreates them for every press. They hand
the press to the handler the client carries (see client.py), which keeps this
module free of delivery logic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

# Codec payloads are ASCII `v1:<op>:<arg>...` of at most 64 bytes; accept any version
# and any printable ASCII up to Discord's 100-character custom_id so stale ones get an answer.
PAYLOAD_TEMPLATE = r"v[0-9]{1,3}:[!-~]{1,96}"
MENU_ID = "mb:open"
MENU_TEMPLATE = re.escape(MENU_ID)


class PressHandler(Protocol):
    """What items need from the client: act on a payload the user chose."""

    async def on_press(self, interaction: discord.Interaction[Any], payload: str) -> None: ...


def handler_of(interaction: discord.Interaction[Any]) -> PressHandler:
    """The press handler of the client that received the interaction."""
    return interaction.client.handler  # type: ignore[no-any-return]


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAYLOAD_TEMPLATE):
    """A button whose custom_id is an action payload; pressing it presses that action."""

    @classmethod
    def build(cls, label: str, payload: str, *, row: int | None = None) -> ActionButton:
        return cls(discord.ui.Button(label=label, custom_id=payload, style=discord.ButtonStyle.secondary), row=row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(item)  # type: ignore[arg-type]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).on_press(interaction, self.custom_id)


class OpenMenu(discord.ui.DynamicItem[discord.ui.Select[Any]], template=MENU_TEMPLATE):
    """A list's select menu: each option's value is an open-movie payload."""

    @classmethod
    def build(cls, options: Sequence[tuple[str, str]], *, row: int | None = None) -> OpenMenu:
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=MENU_ID,
            placeholder="Open a movie…",
            options=[discord.SelectOption(label=label[:100], value=value) for label, value in options],
        )
        return cls(select, row=row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> OpenMenu:
        return cls(item)  # type: ignore[arg-type]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values
        # An empty or multi-valued submission can only be forged: treat it like an unknown payload.
        await handler_of(interaction).on_press(interaction, values[0] if len(values) == 1 else "")
