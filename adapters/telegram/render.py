"""Render a Reply for Telegram: HTML text, photo captions, inline keyboards, inline results.

Every dynamic string goes through `html.escape`, so a title such as
`<Fight & Club>` or `1*2_3` can never break formatting. Telegram counts message
length in UTF-16 code units, while `render_chunks` counts code points: an
emoji-heavy text is re-packed under a smaller budget until every chunk fits.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from urllib.parse import quote

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import CallbackQueryLimit, MessageLimit, ParseMode

from bot.reply import (
    TIMEZONE_QUESTIONS,
    TIMEZONE_START_ARG,
    Awaiting,
    Line,
    Link,
    Reply,
    TextStyle,
    italic,
    line,
    render_chunks,
)
from bot.screens import full_text
from domain.text import clip

TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)  # 1024
TOAST_LIMIT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)  # 200
HTML = ParseMode.HTML
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_DEEP_LINK = re.compile(r"^https://t\.me/[A-Za-z0-9_]{1,64}\?start=m_([1-9][0-9]{0,9})$")
_TIMEZONE_LINK = re.compile(rf"^https://t\.me/[A-Za-z0-9_]{{1,64}}\?start={TIMEZONE_START_ARG}$")

HTML_STYLE = TextStyle(
    escape=lambda s: html.escape(s, quote=False),
    bold=lambda s: f"<b>{s}</b>",
    italic=lambda s: f"<i>{s}</i>",
    link=lambda text, url: f'<a href="{html.escape(url, quote=True)}">{text}</a>',
)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def html_chunks(lines: tuple[Line, ...], limit: int) -> list[str]:
    """Render lines as HTML pieces that each fit `limit` as Telegram measures them.

    Measuring the HTML (tags and entities included) over-counts what Telegram
    checks after parsing, so a chunk that passes here always passes there.
    """
    budget = limit
    while True:
        chunks = render_chunks(lines, HTML_STYLE, budget)
        longest = max(utf16_len(c) for c in chunks)
        if longest <= limit or budget <= 64:
            return chunks
        budget = max(64, budget * limit // longest - 1)


def deep_link(bot_username: str, movie_id: int) -> str:
    """The shareable link that opens a movie card: t.me/<bot>?start=m_<id>."""
    return f"https://t.me/{bot_username}?start=m_{movie_id}"


def movie_in_link(url: str | None) -> int | None:
    """The movie id of one of our deep links, or None."""
    match = _DEEP_LINK.match(url or "")
    return int(match.group(1)) if match else None


def timezone_link(bot_username: str) -> str:
    """The link in a timezone question: a reply to the message is found by it, and it asks again when opened."""
    return f"https://t.me/{bot_username}?start={TIMEZONE_START_ARG}"


def is_timezone_link(url: str | None) -> bool:
    return bool(url) and _TIMEZONE_LINK.match(url or "") is not None


def _button(label: str, payload: str | None, url: str | None) -> InlineKeyboardButton:
    if payload is not None:
        return InlineKeyboardButton(label, callback_data=payload)
    return InlineKeyboardButton(label, url=url)


def keyboard(reply: Reply, bot_username: str | None = None) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard; cards get a Telegram share button."""
    rows = [[_button(b.label, b.payload, b.url) for b in row] for row in reply.buttons]
    if reply.card is not None and bot_username:
        share = "https://t.me/share/url?url=" + quote(deep_link(bot_username, reply.card.movie_id), safe="")
        rows.append([InlineKeyboardButton("🔗 Share", url=share)])
    return InlineKeyboardMarkup(rows) if rows else None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply ready to send: a photo with `texts[0]` as its caption, or text messages.

    The keyboard (or ForceReply) belongs on the last message, where the user's
    eyes and thumb are.
    """

    texts: tuple[str, ...]
    photo: str | None
    markup: InlineKeyboardMarkup | ForceReply | None


def message_lines(reply: Reply, bot_username: str | None = None) -> tuple[Line, ...]:
    """All the reply's text; a review prompt also links the movie so a reply can find it again."""
    lines = full_text(reply)
    if reply.awaiting is Awaiting.REVIEW and reply.awaiting_movie is not None and bot_username:
        lines += (line(Link("🎬 Movie card", deep_link(bot_username, reply.awaiting_movie))),)
    if reply.awaiting in TIMEZONE_QUESTIONS and bot_username:
        lines += (line(Link("🌍 Timezone", timezone_link(bot_username))),)
    if not any(lines):
        raise ValueError("a Telegram message needs text: the reply has neither text nor card")
    return lines


def caption(reply: Reply, bot_username: str | None = None) -> str | None:
    """The reply as one photo caption, or None when it needs more than 1,024 characters."""
    pieces = html_chunks(message_lines(reply, bot_username), CAPTION_LIMIT)
    return pieces[0] if len(pieces) == 1 else None


def render(reply: Reply, bot_username: str | None = None) -> Rendered:
    """Lay a reply out for Telegram: a poster card as photo + caption, everything else as text."""
    markup: InlineKeyboardMarkup | ForceReply | None = keyboard(reply, bot_username)
    if reply.awaiting is Awaiting.REVIEW:
        markup = ForceReply(selective=True, input_field_placeholder="Your review…")
    elif reply.awaiting in TIMEZONE_QUESTIONS:
        markup = ForceReply(selective=True, input_field_placeholder="Europe/Berlin or 14:30")
    poster = reply.card.poster_url if reply.card is not None else None
    if poster:
        text = caption(reply, bot_username)
        if text is not None:
            return Rendered((text,), poster, markup)
    return Rendered(tuple(html_chunks(message_lines(reply, bot_username), TEXT_LIMIT)), None, markup)


def split_prompt(reply: Reply) -> tuple[Reply, Reply | None]:
    """Separate a review request from a screen with buttons: ForceReply would replace its keyboard.

    The screen keeps its buttons (and is edited in place when pressed); the
    request follows as its own ForceReply message.
    """
    if reply.awaiting is not Awaiting.REVIEW or not reply.buttons:
        return reply, None
    prompt = Reply(
        text=(line(italic("✍ Reply to this message with your review, or /cancel.")),),
        awaiting=reply.awaiting,
        awaiting_movie=reply.awaiting_movie,
    )
    return replace(reply, awaiting=None, awaiting_movie=None), prompt


def toast(text: str | None) -> str | None:
    """A callback answer text within Telegram's 200 characters."""
    return clip(text, TOAST_LIMIT) if text else None


def inline_result(reply: Reply, bot_username: str | None = None) -> InlineQueryResultArticle:
    """One inline-mode result: title, year and thumbnail in the list; the card when chosen.

    The chosen result is sent as text (with the poster as a large link preview),
    so later button presses always edit a text message.
    """
    card = reply.card
    if card is None:
        raise ValueError("inline results are movie cards")
    title = f"{card.title} ({card.year})" if card.year else card.title
    facts = [", ".join(card.genres[:3])] if card.genres else []
    if card.average is not None:
        facts.append(f"★ {card.average:.1f}")
    preview = (
        LinkPreviewOptions(url=card.poster_url, prefer_large_media=True, show_above_text=True)
        if card.poster_url
        else NO_PREVIEW
    )
    markup = keyboard(reply, bot_username)
    return InlineQueryResultArticle(
        id=f"m{card.movie_id}",
        title=clip(title, 200),
        description=" · ".join(facts) or None,
        thumbnail_url=card.poster_url,
        input_message_content=InputTextMessageContent(
            html_chunks(message_lines(reply, bot_username), TEXT_LIMIT)[0],
            parse_mode=HTML,
            link_preview_options=preview,
        ),
        reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
    )
