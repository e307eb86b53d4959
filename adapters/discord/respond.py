"""Answer interactions: call one intent, then deliver its Reply the way Discord expects.

This is the one place that knows Discord's response rules: one initial response
within 3 seconds (a defer buys 15 minutes), a modal only as that first response,
edits only of the message a button sits on, ephemeral messages only in servers,
and errors answered privately. Handlers stay one line each: who, one intent,
deliver.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

import aiohttp
import discord
from discord import app_commands

from adapters.discord.render import Outgoing, render
from bot import copy
from bot.actions import MovieAction, MovieOp, decode
from bot.core import Chat, Core
from bot.notifications import DeliveryOutcome, Leaving
from bot.reply import TIMEZONE_QUESTIONS, Awaiting, Reply
from bot.routing import BY_NAME, Command
from bot.screens import stars
from bot.services import Requester
from domain.errors import DomainError
from domain.models import MAX_REVIEW_LENGTH, Platform
from domain.text import clip

log = logging.getLogger(__name__)

# Discord drops an interaction that has no response after 3 s; anything slower defers first.
SAFETY_DEFER_AFTER = 2.0
NOT_YOURS = "🔒 This screen belongs to someone else: run the command yourself to get your own."
CANNOT_DM = 50007  # "Cannot send messages to this user"
_DEFERRED = "moviebot.deferred"  # interaction.extras key: "update", "private" or "public"


def requester_from(user: discord.abc.User) -> Requester:
    """The platform's word for who acts: the user who ran the command or pressed the button."""
    return Requester(Platform.DISCORD, str(user.id), user.display_name)


def chat_of(interaction: discord.Interaction[Any]) -> Chat:
    """The conversation an interaction belongs to: its channel (a DM is a channel too); shared in servers."""
    return Chat(str(interaction.channel_id or f"dm{interaction.user.id}"), shared=interaction.guild_id is not None)


def message_owner(message: discord.Message | None) -> int | None:
    """The user a message was sent to (the one whose interaction created it), if any."""
    meta = message.interaction_metadata if message is not None else None
    return meta.user.id if meta is not None else None


def _is_share(payload: str) -> bool:
    try:
        action = decode(payload)
    except DomainError:
        return False
    return isinstance(action, MovieAction) and action.op is MovieOp.SHARE


REVIEW_MODAL = re.compile(r"moviebot:review:([1-9][0-9]{0,9})")


def review_modal_submit(interaction: discord.Interaction[Any]) -> tuple[int, str] | None:
    """The movie and text of a submitted review form, read from the interaction itself; None for other modals.

    Modals are answered here, not by discord.py's in-memory modal store, so a
    form opened before a restart (or on another instance) is still saved.
    """
    data: dict[str, Any] = dict(interaction.data or {})
    match = REVIEW_MODAL.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return None
    values = [c.get("value", "") for row in data.get("components", []) for c in row.get("components", [])]
    return int(match[1]), str(values[0]) if values else ""


class ReviewModal(discord.ui.Modal):
    """The review form shown after rating (optional text) or from the Review button.

    Its custom_id names the movie; `review_modal_submit` reads the answer.
    """

    def __init__(self, reply: Reply) -> None:
        card = reply.card
        after_rating = card is not None and card.your_stars is not None
        title = (
            f"{stars(card.your_stars)} {card.title}" if card is not None and card.your_stars else "Write your review"
        )
        super().__init__(title=clip(title, 45), custom_id=f"moviebot:review:{reply.awaiting_movie or 0}")
        self.text: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            label="Your review (optional)" if after_rating else "Your review",
            style=discord.TextStyle.paragraph,
            placeholder="What did you think?",
            required=not after_rating,
            max_length=MAX_REVIEW_LENGTH,
        )
        self.add_item(self.text)


TIMEZONE_MODAL = re.compile(r"moviebot:tz:([01])")


def timezone_modal_submit(interaction: discord.Interaction[Any]) -> tuple[bool, str] | None:
    """Whether a submitted timezone form was the weekly-picks yes, and its text; None for other modals."""
    data: dict[str, Any] = dict(interaction.data or {})
    match = TIMEZONE_MODAL.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return None
    values = [c.get("value", "") for row in data.get("components", []) for c in row.get("components", [])]
    return match[1] == "1", str(values[0]) if values else ""


class TimezoneModal(discord.ui.Modal):
    """Asks for the zone (Discord does not tell bots a user's); `timezone_modal_submit` reads the answer."""

    def __init__(self, opt_in: bool) -> None:
        super().__init__(title="Your timezone", custom_id=f"moviebot:tz:{int(opt_in)}")
        self.text: discord.ui.TextInput[TimezoneModal] = discord.ui.TextInput(
            label="Zone name, or the time on your clock now",
            placeholder="Europe/Berlin or 14:30",
            max_length=64,
        )
        self.add_item(self.text)


class Responder:
    """Handlers for commands, autocomplete, presses and modals, sharing one delivery path."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # ---- handlers -----------------------------------------------------------------------

    async def on_command(self, interaction: discord.Interaction[Any], command: Command, args: str) -> None:
        """Run a slash command; errors propagate to tree.on_error."""
        who = requester_from(interaction.user)
        work = self.core.run_command(who, chat_of(interaction), command, args)
        reply = await self._in_time(interaction, work, command.personal if command.slow else None)
        await self.deliver(interaction, reply)

    async def on_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest titles with years; never fail (it runs on every keystroke)."""
        try:
            found = await self.core.suggest(requester_from(interaction.user), current, 25)
        except Exception:
            log.exception("autocomplete failed")
            return []
        return [app_commands.Choice(name=s.label[:100], value=s.value) for s in found[:25]]

    async def on_press(self, interaction: discord.Interaction[Any], payload: str) -> None:
        """Act on a button or menu choice for whoever pressed it."""
        try:
            message = interaction.message
            owner = message_owner(message)
            if message is not None and message.flags.ephemeral and owner not in (None, interaction.user.id):
                await interaction.response.send_message(NOT_YOURS, ephemeral=True)
                return
            # The answer is the presser's own: `deliver` never puts a personal card on a public message in a
            # server, it answers privately (ephemeral) instead, so the chat is not shared.
            chat = Chat(chat_of(interaction).key)
            reply = await self._in_time(
                interaction, self.core.handle_press(requester_from(interaction.user), chat, payload)
            )
            await self.deliver(interaction, reply, share=_is_share(payload))
        except Exception as exc:  # dynamic items have no View.on_error: translate here
            await self.on_error(interaction, exc)

    async def on_review(self, interaction: discord.Interaction[Any], movie_id: int, text: str) -> None:
        """Save a review from the modal; an empty optional review just shows the rated card."""
        try:
            # Personal, like a press: `deliver` answers privately rather than put it on a public message.
            work = self.core.submit_review(
                requester_from(interaction.user), Chat(chat_of(interaction).key), movie_id, text
            )
            reply = await self._in_time(interaction, work)
            # A modal opened from a card's button updates that card.
            await self.deliver(interaction, replace(reply, edit=interaction.message is not None))
        except Exception as exc:  # read from the raw interaction, so no Modal.on_error: translate here
            await self.on_error(interaction, exc)

    async def on_timezone(self, interaction: discord.Interaction[Any], opt_in: bool, text: str) -> None:
        """Set the zone from the form; a bad answer gets its reason, privately, and the form can be opened again."""
        try:
            work = self.core.submit_timezone(
                requester_from(interaction.user), Chat(chat_of(interaction).key), text, opt_in=opt_in
            )
            reply = await self._in_time(interaction, work)
            await self.deliver(interaction, replace(reply, edit=interaction.message is not None))
        except Exception as exc:
            await self.on_error(interaction, exc)

    async def on_error(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """Answer any failure privately: a domain error's own message, otherwise a short apology."""
        original = error
        while (
            isinstance(original, (app_commands.CommandInvokeError, app_commands.TransformerError))
            and original.__cause__
        ):
            original = original.__cause__
        if isinstance(original, app_commands.CommandInvokeError):
            original = original.original
        if isinstance(original, DomainError):
            text = original.message
        elif isinstance(original, app_commands.CommandSignatureMismatch | app_commands.TransformerError):
            command = BY_NAME.get(interaction.command.name if interaction.command else "")
            text = (
                f"Usage: /{command.name} {command.usage}".rstrip()
                if command
                else "That command looks different now: try again in a minute."
            )
        elif isinstance(original, app_commands.CommandNotFound):
            text = "I don't know that command any more: try again in a minute."
        else:
            log.error(
                "interaction %s failed", interaction.id, exc_info=(type(original), original, original.__traceback__)
            )
            text = copy.APOLOGY.removeprefix("⚠ ")
        await self._say_privately(interaction, copy.error_text(text))

    # ---- delivery -------------------------------------------------------------------------

    async def deliver(self, interaction: discord.Interaction[Any], reply: Reply, *, share: bool = False) -> None:
        """Send a Reply as the response (or followup) Discord allows at this point."""
        done = interaction.response.is_done()
        if (
            reply.awaiting is Awaiting.REVIEW
            and reply.awaiting_movie
            and not done
            and interaction.type is not discord.InteractionType.modal_submit
        ):
            modal = ReviewModal(reply)
            await interaction.response.send_modal(modal)
            modal.stop()  # out of discord.py's memory: the submit is read from the interaction (review_modal_submit)
            return
        if (
            reply.awaiting in TIMEZONE_QUESTIONS
            and not done
            and interaction.type is not discord.InteractionType.modal_submit
        ):
            form = TimezoneModal(opt_in=reply.awaiting is Awaiting.OPT_IN)
            await interaction.response.send_modal(form)
            form.stop()
            return
        in_guild = interaction.guild_id is not None
        message = interaction.message
        source_private = message is not None and message.flags.ephemeral
        # A public message in a server shows public facts only: a personal card never replaces it.
        personal_on_public = in_guild and not source_private and reply.card is not None and reply.card.personal
        in_place = (
            reply.edit
            and message is not None
            and message_owner(message) in (None, interaction.user.id)
            and not personal_on_public
        )
        # In DMs everything is private anyway; a press on someone else's message answers the presser alone.
        private = in_guild and not share and (reply.ephemeral or source_private or (reply.edit and not in_place))
        first, *rest = render(reply, shareable=private)
        if in_place:
            if done:
                await interaction.edit_original_response(**first.edit_kwargs())
            else:
                await interaction.response.edit_message(**first.edit_kwargs())
        elif share:
            if not done:
                await interaction.response.defer()
            await interaction.followup.send(**first.send_kwargs(), ephemeral=False)
        elif not done:
            await interaction.response.send_message(**first.send_kwargs(), ephemeral=private)
        else:
            await self._after_defer(interaction, first, private)
        for more in rest:
            await interaction.followup.send(**more.send_kwargs(), ephemeral=private)
        for extra in reply.extra:  # a personal follow-up (the closed-DMs notice) stays private in a server
            for more in render(extra):
                await interaction.followup.send(
                    **more.send_kwargs(), ephemeral=private or (in_guild and extra.ephemeral)
                )

    async def _after_defer(self, interaction: discord.Interaction[Any], first: Outgoing, private: bool) -> None:
        deferred = interaction.extras.get(_DEFERRED)
        if deferred == "update":
            await interaction.followup.send(**first.send_kwargs(), ephemeral=private)
        elif deferred == "public" and private:
            # The "thinking…" placeholder is public but the answer is personal: replace it privately.
            await interaction.delete_original_response()
            await interaction.followup.send(**first.send_kwargs(), ephemeral=True)
        else:
            await interaction.edit_original_response(**first.edit_kwargs())

    async def _in_time(
        self, interaction: discord.Interaction[Any], work: Awaitable[Reply], defer_private: bool | None = None
    ) -> Reply:
        """Await an intent, deferring first when it is known to be slow or turns out to be."""
        task = asyncio.ensure_future(work)
        if defer_private is None:
            done, _ = await asyncio.wait({task}, timeout=SAFETY_DEFER_AFTER)
            if done:
                return task.result()
            defer_private = interaction.guild_id is not None  # never show a personal screen's placeholder publicly
        try:
            await self._defer(interaction, defer_private and interaction.guild_id is not None)
        except BaseException:
            task.cancel()
            raise
        return await task

    async def _defer(self, interaction: discord.Interaction[Any], private: bool) -> None:
        if interaction.response.is_done():
            return
        if interaction.message is not None:  # a button, menu or modal on a message: acknowledge, follow up later
            await interaction.response.defer()
            interaction.extras[_DEFERRED] = "update"
        else:
            await interaction.response.defer(ephemeral=private, thinking=True)
            interaction.extras[_DEFERRED] = "private" if private else "public"

    async def _say_privately(self, interaction: discord.Interaction[Any], text: str) -> None:
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])
            elif not interaction.response.is_done():
                await interaction.response.send_message(text, ephemeral=True)
            else:
                await interaction.followup.send(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about a failed interaction %s", interaction.id)


class DiscordDelivery:
    """Scheduled messages by DM (bot.notifications' Delivery port for Discord).

    Closed DMs (error 50007) are UNREACHABLE: the notification service marks the
    user in the database, and the responder tells them on their next command.
    A rate limit or a connection that never opened is RETRY (a later run); a 5xx or a broken connection is
    UNKNOWN: it may have arrived, so it is not sent again.
    """

    platform = Platform.DISCORD

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def deliver(self, external_id: str, reply: Reply, leaving: Leaving) -> DeliveryOutcome:
        try:
            channel = await self._client.create_dm(discord.Object(id=int(external_id)))
            await leaving()  # discord.py paces inside send: from here it may arrive
            for out in render(reply) + [m for extra in reply.extra for m in render(extra)]:
                await channel.send(**out.send_kwargs())
        except discord.Forbidden as exc:
            if exc.code != CANNOT_DM:
                raise
            return DeliveryOutcome.UNREACHABLE
        except (discord.RateLimited, aiohttp.ClientConnectorError):  # refused before anything was sent
            return DeliveryOutcome.RETRY
        except (discord.DiscordServerError, OSError):  # a 5xx or a broken connection: it may have arrived
            return DeliveryOutcome.UNKNOWN
        return DeliveryOutcome.SENT
