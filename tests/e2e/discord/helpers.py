"""Small readers for what a Discord user sees in recorded messages, and for the bot's end state."""

from __future__ import annotations

from typing import Any

from bot.reply import Reply, plain_text
from bot.services import Requester
from domain.models import Platform


def requester(user: dict[str, Any]) -> Requester:
    return Requester(Platform.DISCORD, user["id"], user["global_name"])


def reply_text(reply: Reply) -> str:
    return "\n".join(plain_text(line) for line in reply.text)


def embed(message: dict[str, Any]) -> dict[str, Any]:
    embeds = message.get("embeds") or []
    assert len(embeds) == 1, f"expected one embed, got {len(embeds)}"
    return dict(embeds[0])


def fields(message: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed(message).get("fields", [])}


def is_ephemeral(message: dict[str, Any]) -> bool:
    return bool(int(message.get("flags") or 0) & 64)
