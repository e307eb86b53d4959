"""PTB handlers: each turns an update into a Requester, a Chat and arguments, calls the core, shows the Reply.

The acting user is always `update.effective_user` (the presser of a button,
the sender of a message), never the author of the message a button sits on.
The conversation is the core's (bot.core): a message answers a review prompt
only as a reply to the prompt message, whose link names the movie; nothing is
kept in PTB's `user_data`, so any instance behind a load balancer answers alike.
Group chats and inline-mode cards are shared: the core shows them public facts
only, and the presser's own outcome arrives as the button's toast.
"""

from __future__ import annotations

import logging
from typing import Any

from cachetools import TTLCache
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, InlineQueryHandler, MessageHandler, filters

from adapters.telegram.delivery import edit, send
from adapters.telegram.render import inline_result, is_timezone_link, movie_in_link, split_prompt, toast
from bot import copy
from bot.core import Answers, Chat, Core
from bot.reply import Reply
from bot.services import Requester
from domain.errors import DomainError
from domain.models import Platform, PromptKind

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
INLINE_CACHE_SECONDS = 10  # results are personal (they show the user's ratings): cache briefly


def requester(user: User) -> Requester:
    """Who acts, as Telegram says."""
    return Requester(Platform.TELEGRAM, str(user.id), user.full_name)


PRIVATE_SENT = "📬 Sent to you privately."
PRIVATE_BLOCKED = (
    "That's personal, so I answer in private, but I can't message you yet: "
    "open a chat with me, press Start, then ask again."
)


def _in_group(message: Message) -> bool:
    return message.chat.type != ChatType.PRIVATE


def chat_of(message: Message) -> Chat:
    return Chat(str(message.chat.id), shared=_in_group(message))


class Handlers:
    """The Telegram face of the core."""

    def __init__(self, core: Core) -> None:
        self._core = core
        # Query ids already answered: the error handler must not answer twice.
        self._answered: TTLCache[str, bool] = TTLCache(maxsize=50_000, ttl=300)

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register every handler and the one error handler.

        Only new messages count: an edited message would otherwise run its
        command a second time; channel posts have no user to act for.
        """
        new = filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(new & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(new & filters.ChatType.PRIVATE & ~filters.TEXT, self.on_other))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_error_handler(self.on_error)

    # ---- messages -----------------------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        """Whatever the core makes of a message: a command, an answer to our prompt, a search."""
        message, user = update.message, update.effective_user
        if message is None or message.text is None or user is None:
            return
        answers = self._prompt_answered(message, context)
        reply = await self._core.handle_message(
            requester(user), chat_of(message), message.text, answers=answers, bot_username=context.bot.username
        )
        if reply is None:
            return  # chatter in a group, or a command for another bot
        if _in_group(message) and reply.ephemeral:
            await self._send_privately(context, message, user.id, reply)
            return
        await self._send(context, message.chat.id, reply, reply_to=message.message_id if _in_group(message) else None)

    async def _send_privately(self, context: Context, message: Message, user_id: int, reply: Reply) -> None:
        """A personal screen asked for in a group goes to the asker's private chat.

        Telegram only lets a bot write to people who started it; if it can't,
        the group gets a short pointer instead of the asker's data.
        """
        try:
            await self._send(context, user_id, reply)
        except (Forbidden, BadRequest) as err:  # 403 "can't initiate conversation", or 400 "chat not found"
            if isinstance(err, BadRequest) and "chat not found" not in err.message.lower():
                raise
            link = InlineKeyboardMarkup(
                [[InlineKeyboardButton("Open a chat with me", url=f"https://t.me/{context.bot.username}?start=hi")]]
            )
            await message.reply_text(PRIVATE_BLOCKED, reply_markup=link, do_quote=True)
            return
        await message.reply_text(PRIVATE_SENT, do_quote=True)

    async def on_other(self, update: Update, context: Context) -> None:
        """A sticker, photo or voice note in private: say what the bot understands."""
        message, user = update.message, update.effective_user
        if message is not None and user is not None:
            await self._send(context, message.chat.id, copy.say(copy.HELP_HINT))

    @staticmethod
    def _prompt_answered(message: Message, context: Context) -> Answers:
        """What our prompt this message replies to asked for (a review's movie, a timezone), if it is one of ours."""
        prompt = message.reply_to_message
        if prompt is None or prompt.from_user is None or prompt.from_user.id != context.bot.id:
            return None
        for entity in prompt.entities:
            if entity.type != MessageEntity.TEXT_LINK:
                continue
            if (movie_id := movie_in_link(entity.url)) is not None:
                return movie_id
            if is_timezone_link(entity.url):
                return PromptKind.TIMEZONE
        return None

    async def _send(
        self,
        context: Context,
        chat_id: int,
        reply: Reply,
        *,
        reply_to: int | None = None,
        query: CallbackQuery | None = None,
    ) -> None:
        """Show a reply: edit the pressed message when asked to (and able), else send it.

        A request for a review follows as its own ForceReply message; the core
        has stored the question, and a reply to that message answers it.
        """
        screen, prompt = split_prompt(reply)
        if not (query is not None and screen.edit and await self._edit(context, query, screen)):
            await send(context.bot, chat_id, screen, reply_to=reply_to)
        if prompt is not None:
            await send(context.bot, chat_id, prompt)

    async def _edit(self, context: Context, query: CallbackQuery, reply: Reply) -> bool:
        message = query.message
        if message is None and not query.inline_message_id:
            return False
        photo = isinstance(message, Message) and bool(message.photo)
        return await edit(context.bot, reply, message=message, inline_message_id=query.inline_message_id, photo=photo)

    # ---- buttons --------------------------------------------------------------------------

    async def on_button(self, update: Update, context: Context) -> None:
        """Press a button for whoever pressed it; answer the query, then edit in place."""
        query = update.callback_query
        if query is None:
            return
        # New screens, deleted messages and shared inline cards get a new message (inline: in private).
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        shared = query.inline_message_id is not None or (
            query.message is not None and query.message.chat.type != ChatType.PRIVATE
        )
        reply = await self._core.handle_press(requester(query.from_user), Chat(str(chat_id), shared=shared), query.data)
        await self._answer(query, toast(reply.toast))
        await self._send(context, chat_id, reply, query=query)

    async def _answer(self, query: CallbackQuery, text: str | None, *, alert: bool = False) -> bool:
        """Answer a callback query once; False when it was already answered."""
        if query.id in self._answered:
            return False
        self._answered[query.id] = True
        try:
            await query.answer(text, show_alert=alert)
        except BadRequest as err:  # too old: the button still did its work
            log.debug("callback answer refused: %s", err.message)
        return True

    # ---- inline mode ----------------------------------------------------------------------

    async def on_inline(self, update: Update, context: Context) -> None:
        """@bot <words> in any chat: the user's matching movie cards, briefly cached."""
        query = update.inline_query
        if query is None:
            return
        cards = await self._core.inline_cards(requester(query.from_user), query.query)
        results = [inline_result(card, context.bot.username) for card in cards]
        await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True)

    # ---- errors ---------------------------------------------------------------------------

    async def on_error(self, update: object, context: Context) -> None:
        """Turn every failure into something the user can read; log only what is safe.

        Domain errors carry a user-safe message. A 403 means the user blocked the
        bot: mark them unreachable. Anything else is a bug: logged with the
        update id and traceback (never the token or the user's text), apologised for.
        """
        error = context.error
        upd = update if isinstance(update, Update) else None
        if isinstance(error, Forbidden):
            await self._refused(upd)
            return
        if isinstance(error, DomainError):
            text = copy.error_text(error.message)
        else:
            log.error(
                "telegram update %s failed: %s", upd.update_id if upd else "-", type(error).__name__, exc_info=error
            )
            text = copy.APOLOGY
        try:
            await self._tell(upd, context, text)
        except Forbidden:
            await self._refused(upd)
        except TelegramError as err:
            log.warning(
                "could not tell the user about an error in update %s: %s",
                upd.update_id if upd else "-",
                type(err).__name__,
            )

    async def _tell(self, update: Update | None, context: Context, text: str) -> None:
        if update is None:
            return
        query = update.callback_query
        if query is not None and await self._answer(query, toast(text), alert=True):
            return
        chat, message = update.effective_chat, update.effective_message
        if chat is not None:
            answer_to = (
                ReplyParameters(message.message_id, allow_sending_without_reply=True)
                if message and query is None and _in_group(message)
                else None
            )
            await context.bot.send_message(chat.id, text, reply_parameters=answer_to)

    async def _refused(self, update: Update | None) -> None:
        """Telegram refused delivery; if the user's private chat refused, they blocked us."""
        user = update.effective_user if update else None
        chat = update.effective_chat if update else None
        if user is None or (chat is not None and chat.type != ChatType.PRIVATE):
            log.warning("telegram refused delivery in a group for update %s", update.update_id if update else "-")
            return
        await self._core.mark_unreachable(requester(user))
        log.info("telegram user blocked the bot (update %s): marked unreachable", update.update_id if update else "-")
