"""Slash commands built from the shared command table, so names and descriptions never drift.

Each command's options are Discord-native: a movie-taking command gets a `title`
option autocompleted by `Core.suggest` (whose "#<id>" values every
movie-taking intent accepts), /rate a 1–5 `stars` choice, /watch a `note`,
/review its `text`; commands with free arguments get one optional `text`
option described by the command's usage. The options are joined back into the
argument string the shared command runs on, so no intent is special-cased.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from adapters.discord.respond import Responder
from bot.routing import COMMANDS, Command
from bot.screens import stars as star_label
from domain.models import MAX_REVIEW_LENGTH

TITLE_HELP = "A title (pick a suggestion), #id or tmdb:id"
Title = app_commands.Range[str, 1, 200]
Text = app_commands.Range[str, 1, 200]
Review = app_commands.Range[str, 1, MAX_REVIEW_LENGTH]
STAR_CHOICES = [app_commands.Choice(name=star_label(n), value=n) for n in range(5, 0, -1)]

Callback = Callable[..., Coroutine[Any, Any, None]]


def _movie_callback(responder: Responder, command: Command) -> tuple[Callback, dict[str, str]]:
    """The callback and option descriptions for a command whose argument is a movie."""
    run = responder.on_command
    describe = {"title": TITLE_HELP if command.name != "search" else command.usage.strip("<>")[:100]}
    if command.name == "rate":

        async def rate(interaction: discord.Interaction[Any], title: Title, stars: int | None = None) -> None:
            await run(interaction, command, f"{title} {stars}" if stars else title)

        return rate, describe | {"stars": "How many stars (leave out to pick on the card)"}
    if command.name == "watch":

        async def watch(interaction: discord.Interaction[Any], title: Title, note: Text | None = None) -> None:
            await run(interaction, command, f"{title} | {note}" if note else title)

        return watch, describe | {"note": "A note for later (where, with whom…)"}
    if command.name == "review":

        async def review(interaction: discord.Interaction[Any], title: Title, text: Review) -> None:
            await run(interaction, command, f"{title} | {text}")

        return review, describe | {"text": f"Your review (up to {MAX_REVIEW_LENGTH} characters)"}

    async def movie(interaction: discord.Interaction[Any], title: Title) -> None:
        await run(interaction, command, title)

    return movie, describe


def _callback(responder: Responder, command: Command) -> tuple[Callback, dict[str, str]]:
    if command.takes_movie:
        return _movie_callback(responder, command)
    run = responder.on_command
    if command.usage:

        async def with_text(interaction: discord.Interaction[Any], text: Text | None = None) -> None:
            await run(interaction, command, text or "")

        return with_text, {"text": command.usage[:100]}

    async def plain(interaction: discord.Interaction[Any]) -> None:
        await run(interaction, command, "")

    return plain, {}


def slash_command(responder: Responder, command: Command) -> app_commands.Command[Any, ..., None]:
    """One slash command for an entry of the shared table."""
    callback, descriptions = _callback(responder, command)
    slash: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=command.name, description=command.description, callback=callback
    )
    if descriptions:
        app_commands.describe(**descriptions)(slash)
    if command.name == "rate":
        app_commands.choices(stars=STAR_CHOICES)(slash)
    if command.takes_movie:
        slash.autocomplete("title")(responder.on_autocomplete)
    return slash


def add_commands(tree: app_commands.CommandTree[Any], responder: Responder) -> None:
    """Register every shared command on the tree and route its errors to the responder."""
    for command in COMMANDS:
        tree.add_command(slash_command(responder, command))
    tree.error(responder.on_error)
