"""The conversation: one entry point for every platform's messages, presses and forms.

`handle_message` decides, for any platform, whether a message answers a
pending prompt, cancels, runs a command or searches; `handle_press` runs a
button; `submit_review` takes a review form. Pending prompts are stored (see
domain.models.PendingPrompt), so the conversation is the same on every
instance and survives restarts; adapters keep none of it.

When is a message the answer to a prompt? Only when the user clearly meant it:
- Telegram: a reply to the prompt message (ForceReply) itself. Nothing else
  can answer it, so other messages leave it open (and cost no lookup) until it
  is answered, cancelled, replaced by another prompt or expires.
- console: the very next line after the prompt; any other line or press clears it.
- Discord: the review form (modal); plain messages are not read there.

A reply that others can see (a group chat, a card posted through inline mode,
a public server message) shows public facts only; the presser's own status goes
where only they see it (Telegram's toast; Discord answers them privately).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from enum import Enum

from bot import copy, screens
from bot.actions import decode
from bot.intents import account, ratings, search
from bot.reply import Awaiting, Reply, line
from bot.routing import BY_NAME, Command, press
from bot.services import Requester, Services, user_of
from domain.errors import InvalidInput
from domain.models import PendingPrompt, Platform, PromptKind

PROMPT_TTL = dt.timedelta(minutes=30)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?$", re.DOTALL)


class Answering(Enum):
    """How a platform's user answers a prompt."""

    NEXT_MESSAGE = "next"  # the line typed right after it
    REPLY = "reply"  # a reply to the prompt message
    FORM = "form"  # a form the platform shows (Discord modal)


PRIVATE_IN_SHARED_CHATS = frozenset({Platform.DISCORD})  # ephemeral messages
ANSWERED_BY = {
    Platform.CONSOLE: Answering.NEXT_MESSAGE,
    Platform.TELEGRAM: Answering.REPLY,
    Platform.DISCORD: Answering.FORM,
}


_PROMPT_KINDS = {
    Awaiting.REVIEW: PromptKind.REVIEW,
    Awaiting.TIMEZONE: PromptKind.TIMEZONE,
    Awaiting.OPT_IN: PromptKind.OPT_IN,
}
Answers = int | PromptKind | None  # a review prompt's movie, or PromptKind.TIMEZONE


@dataclass(frozen=True, slots=True)
class Chat:
    """Where the conversation happens: `key` names it on its platform; `shared` when others see the answers."""

    key: str
    shared: bool = False


@dataclass(frozen=True, slots=True)
class Typed:
    """A message read as a command: '/name[@bot] args'."""

    name: str
    addressee: str | None
    args: str


def parse_command(text: str) -> Typed | None:
    match = _COMMAND.match(text)
    if match is None:
        return None
    return Typed(match.group(1).lower(), match.group(2), match.group(3) or "")


class Core:
    """The application as adapters see it."""

    def __init__(self, services: Services) -> None:
        self.services = services

    # ---- messages ------------------------------------------------------------------------

    async def handle_message(
        self,
        who: Requester,
        chat: Chat,
        text: str,
        *,
        answers: Answers = None,
        bot_username: str | None = None,
    ) -> Reply | None:
        """Answer one message; None when it is not for us (chatter in a group, a command for another bot).

        `answers`: what our prompt this message replies to asked for (Telegram), if it replies to one:
        the movie of a review prompt, or PromptKind.TIMEZONE for a timezone question.
        """
        stripped = text.strip()
        typed = parse_command(stripped)
        if typed is not None and typed.addressee and bot_username and typed.addressee.lower() != bot_username.lower():
            return None
        if typed is None and chat.shared and answers is None:
            return None  # in groups, plain chatter is not for us
        refused = await account.was_refused(self.services, who)  # asked first: any message makes them reachable
        return self._noticed(await self._message(who, chat, stripped, typed, answers), refused, who, chat)

    async def _message(
        self, who: Requester, chat: Chat, stripped: str, typed: Typed | None, answers: Answers
    ) -> Reply | None:
        by = ANSWERED_BY[who.platform]
        looks = by is Answering.NEXT_MESSAGE or answers is not None or (typed is not None and typed.name == "cancel")
        prompt = await self._pending(who, chat) if looks else None
        if typed is None and prompt is not None and self._is_answer(who, prompt, answers):
            return await self._answer(who, chat, prompt, stripped)
        if prompt is not None:
            await self._forget(prompt)
        if typed is None:
            if chat.shared:
                return None  # a reply to someone else's question, or to a closed one: chatter, in a group
            if answers is not None:
                return copy.say(copy.PROMPT_EXPIRED)  # a reply to a question no longer open: never a search
            if not stripped:
                return copy.say(copy.HELP_HINT)
            if stripped.startswith("/"):
                return copy.not_a_command(stripped.split()[0])
            return await self._shown(who, chat, await search.search(self.services, who, stripped))
        if typed.name == "cancel":
            return copy.say(copy.CANCELLED if prompt is not None else copy.NOTHING_TO_CANCEL)
        command = BY_NAME.get(typed.name)
        if command is None:
            return copy.unknown_command(typed.name)
        return await self._command(who, chat, command, typed.args)

    async def run_command(self, who: Requester, chat: Chat, command: Command, args: str) -> Reply:
        """Run one command from the table (Discord's slash commands come here directly)."""
        refused = await account.was_refused(self.services, who)
        reply = self._noticed(await self._command(who, chat, command, args), refused, who, chat)
        assert reply is not None
        return reply

    async def _command(self, who: Requester, chat: Chat, command: Command, args: str) -> Reply:
        if command.takes_movie and not args.strip():
            return copy.usage(command.usage_line)
        return await self._shown(who, chat, await command.run(self.services, who, args))

    @staticmethod
    def _noticed(reply: Reply | None, refused: bool, who: Requester, chat: Chat) -> Reply | None:
        """Tell a user whose scheduled messages were refused (blocked bot, closed DMs) why they stopped, once.

        Privately only: in a shared chat, only where the platform can answer one person (Discord's ephemeral).
        """
        if reply is None or not refused or (chat.shared and who.platform not in PRIVATE_IN_SHARED_CHATS):
            return reply
        return replace(
            reply, extra=(*reply.extra, replace(copy.say(copy.unreachable_notice(who.platform)), ephemeral=True))
        )

    # ---- buttons and forms -------------------------------------------------------------------

    async def handle_press(self, who: Requester, chat: Chat, payload: object) -> Reply:
        """Act on a button press for the presser, whatever the payload says."""
        action = decode(payload)
        if ANSWERED_BY[who.platform] is Answering.NEXT_MESSAGE:
            prompt = await self._pending(who, chat)
            if prompt is not None:
                await self._forget(prompt)  # a press is the next line too
        return await self._shown(who, chat, await press(self.services, who, action))

    async def submit_timezone(self, who: Requester, chat: Chat, text: str, *, opt_in: bool) -> Reply:
        """A timezone form was sent (Discord's modal)."""
        return await self._shown(who, chat, await account.answer_timezone(self.services, who, text, opt_in=opt_in))

    async def submit_review(self, who: Requester, chat: Chat, movie_id: int, text: str) -> Reply:
        """A review form was sent (Discord's modal): save it; an empty optional review just shows the card."""
        if not text.strip():
            return await search.open_movie(self.services, who, movie_id)
        return await self._shown(
            who, chat, await ratings.review_movie(self.services, who, movie_id, text, prompt_chat=chat.key)
        )

    # ---- pending prompts -------------------------------------------------------------------

    async def _pending(self, who: Requester, chat: Chat) -> PendingPrompt | None:
        s = self.services
        async with s.uow() as uow:
            user = await user_of(s, uow, who)
            return await uow.prompts.get(user.id, chat.key, s.now())

    @staticmethod
    def _is_answer(who: Requester, prompt: PendingPrompt, answers: Answers) -> bool:
        by = ANSWERED_BY[who.platform]
        if by is Answering.REPLY:
            if prompt.kind is PromptKind.REVIEW:
                return answers == prompt.movie_id
            return answers is PromptKind.TIMEZONE
        return by is Answering.NEXT_MESSAGE

    async def _answer(self, who: Requester, chat: Chat, prompt: PendingPrompt, text: str) -> Reply:
        if prompt.kind is PromptKind.REVIEW and prompt.movie_id is not None:
            reply = await ratings.review_movie(self.services, who, prompt.movie_id, text, prompt_chat=chat.key)
        else:
            reply = await self._timezone_answer(who, chat, prompt, text)
        return await self._shown(who, chat, reply)

    async def _timezone_answer(self, who: Requester, chat: Chat, prompt: PendingPrompt, text: str) -> Reply:
        """Set the zone; a bad answer keeps the question open, asked again under the error."""
        try:
            reply = await account.answer_timezone(self.services, who, text, opt_in=prompt.kind is PromptKind.OPT_IN)
        except InvalidInput as err:
            again = screens.timezone_question(opt_in=prompt.kind is PromptKind.OPT_IN)
            return replace(again, text=(line(f"⚠ {err}"), *again.text))
        await self._forget(prompt)
        return reply

    async def _forget(self, prompt: PendingPrompt) -> None:
        async with self.services.uow(write=True) as uow:
            await uow.prompts.clear(prompt.user_id, prompt.chat)
            await uow.commit()

    async def _shown(self, who: Requester, chat: Chat, reply: Reply) -> Reply:
        """The reply as this chat may see it, after storing the question it asks (if any)."""
        answered_by_text = ANSWERED_BY[who.platform] is not Answering.FORM  # a form carries what it asks itself
        kind = _PROMPT_KINDS.get(reply.awaiting) if reply.awaiting is not None else None
        if kind is not None and answered_by_text and (kind is not PromptKind.REVIEW or reply.awaiting_movie):
            s = self.services
            async with s.uow(write=True) as uow:
                user = await user_of(s, uow, who)
                await uow.prompts.put(
                    PendingPrompt(user.id, chat.key, kind, reply.awaiting_movie, s.now() + PROMPT_TTL)
                )
                await uow.commit()
        if chat.shared and not reply.ephemeral:
            return screens.public_view(reply)
        return reply

    # ---- everything else adapters ask -------------------------------------------------------

    async def suggest(self, who: Requester, text: str, limit: int = 25) -> list[search.Suggestion]:
        return await search.suggest(self.services, who, text, limit)

    async def inline_cards(self, who: Requester, text: str, limit: int = 10) -> list[Reply]:
        return await search.inline_cards(self.services, who, text, limit)

    async def mark_unreachable(self, who: Requester) -> None:
        await account.mark_unreachable(self.services, who)
