"""Put a rendered Reply in front of the user: send new messages or edit one in place.

Kept apart from the handlers so scheduled messages (reminders, weekly picks)
send exactly what a command would, through `TelegramDelivery`.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, MaybeInaccessibleMessage, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from adapters.telegram.rate_limit import SCHEDULED, Leaving
from adapters.telegram.render import HTML, NO_PREVIEW, TEXT_LIMIT, caption, html_chunks, keyboard, message_lines, render
from bot.notifications import DeliveryOutcome
from bot.reply import Reply
from domain.models import Platform

log = logging.getLogger(__name__)

# Telegram's answers when an edit has nothing to edit or nothing to change.
NOT_MODIFIED = "message is not modified"
_GONE = (
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message",
    "there is no caption in the message",
)


async def send(
    tg: Bot, chat_id: int, reply: Reply, *, reply_to: int | None = None, scheduled: Leaving | None = None
) -> Message:
    """Send a reply as new message(s), then its follow-ups; returns the message holding the buttons.

    `scheduled`: a message nobody is waiting for, queued behind people's replies
    in the send budget; it is awaited once, right before the first request leaves.
    """
    pace = _Pace(tg, scheduled)
    out = render(reply, tg.username)
    answer_to = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    if out.photo is not None:
        last = await tg.send_photo(
            chat_id,
            out.photo,
            caption=out.texts[0],
            parse_mode=HTML,
            reply_markup=out.markup,
            reply_parameters=answer_to,
            **await pace.next(),
        )
    else:
        for i, text in enumerate(out.texts):
            final = i == len(out.texts) - 1
            last = await tg.send_message(
                chat_id,
                text,
                parse_mode=HTML,
                reply_markup=out.markup if final else None,
                reply_parameters=answer_to if i == 0 else None,
                link_preview_options=NO_PREVIEW,
                **await pace.next(),
            )
    for follow_up in reply.extra:
        await send(tg, chat_id, follow_up, scheduled=pace.rest())
    return last


class _Pace:
    """The rate-limit arguments of each request of one scheduled reply (none for a person's reply)."""

    def __init__(self, tg: Bot, leaving: Leaving | None) -> None:
        self._scheduled = leaving is not None
        self._budgeted = self._scheduled and isinstance(tg, ExtBot)  # a plain Bot has no rate limiter
        self._leaving = leaving

    async def next(self) -> dict[str, Any]:
        leaving, self._leaving = self._leaving, None
        if not self._budgeted:
            if leaving is not None:
                await leaving()
            return {}
        args: dict[str, Any] = dict(SCHEDULED)
        if leaving is not None:
            args["leaving"] = leaving
        return {"rate_limit_args": args}

    def rest(self) -> Leaving | None:
        """For follow-ups: still scheduled, and already announced by the first request."""
        return _nothing if self._scheduled else None


async def _nothing() -> None:
    return None


async def edit(
    tg: Bot, reply: Reply, *, message: MaybeInaccessibleMessage | None, inline_message_id: str | None, photo: bool
) -> bool:
    """Replace a message's content and buttons with the reply; False when it cannot be edited.

    A photo message can only take a caption (≤ 1,024) and a text message only
    text (one chunk): anything else is sent as a new message by the caller.
    "Message is not modified" (a double tap) counts as done.
    """
    if reply.awaiting is not None:
        return False  # ForceReply only goes on new messages
    markup = keyboard(reply, tg.username)
    target = (
        {"chat_id": message.chat.id, "message_id": message.message_id}
        if message is not None
        else {"inline_message_id": inline_message_id}
    )
    try:
        if photo:
            text = caption(reply, tg.username)
            if text is None:
                return False
            await tg.edit_message_caption(caption=text, parse_mode=HTML, reply_markup=markup, **target)
        else:
            texts = html_chunks(message_lines(reply, tg.username), TEXT_LIMIT)
            if len(texts) > 1:
                return False
            await tg.edit_message_text(
                texts[0], parse_mode=HTML, reply_markup=markup, link_preview_options=NO_PREVIEW, **target
            )
    except BadRequest as err:
        description = err.message.lower()
        if NOT_MODIFIED in description:
            return True
        if any(reason in description for reason in _GONE):
            return False
        raise
    for follow_up in reply.extra:
        if message is not None:
            await send(tg, message.chat.id, follow_up)
    return True


def never_sent(err: NetworkError) -> bool:
    """Whether a network error is known to have happened before the request reached Telegram.

    PTB raises TimedOut("Pool timeout…") while waiting for a free connection and
    NetworkError("httpx.ConnectError…") when none could be opened; any other
    timeout or network error may have struck after Telegram had the message.
    """
    text = str(err)
    return "Pool timeout" in text or "ConnectError" in text


class TelegramDelivery:
    """Scheduled messages to private chats: the `bot.notifications.Delivery` port on Telegram.

    403 (blocked the bot, or never started it) and "chat not found" mean the
    user cannot be reached until they write again; flood control and a
    connection that never opened are temporary, so the scheduler tries again
    later; a timeout after the request left is UNKNOWN (it may have arrived).
    """

    platform = Platform.TELEGRAM

    def __init__(self, tg: Bot) -> None:
        self._tg = tg

    async def deliver(self, external_id: str, reply: Reply, leaving: Leaving) -> DeliveryOutcome:
        try:
            await send(self._tg, int(external_id), reply, scheduled=leaving)
        except Forbidden:
            return DeliveryOutcome.UNREACHABLE
        except BadRequest as err:
            if "chat not found" in err.message.lower():
                return DeliveryOutcome.UNREACHABLE
            log.warning("telegram refused a scheduled message: %s", err.message)
            return DeliveryOutcome.RETRY
        except RetryAfter:  # flood control answered: nothing was delivered
            return DeliveryOutcome.RETRY
        except NetworkError as err:  # TimedOut is a NetworkError
            return DeliveryOutcome.RETRY if never_sent(err) else DeliveryOutcome.UNKNOWN
        return DeliveryOutcome.SENT
