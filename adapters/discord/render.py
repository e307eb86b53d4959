"""Render a platform-neutral Reply as Discord messages: Markdown content, an embed, components.

Every field of a Reply is handled here or rejected loudly, so a new field cannot
be silently dropped on Discord. Content is escaped with discord.py's own
`escape_markdown` and split under the 2,000-character limit between lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.items import ActionButton, OpenMenu
from bot.actions import MovieAction, MovieOp, encode
from bot.reply import MAX_BUTTONS_PER_ROW, MAX_ROWS, Button, Line, MovieCard, Reply, TextStyle, render_chunks
from bot.screens import STAR, stars
from domain.text import clip

CONTENT_LIMIT = 2000
MAX_OPTIONS = 25
TMDB_MOVIE_URL = "https://www.themoviedb.org/movie/{id}"

MARKDOWN = TextStyle(
    escape=discord.utils.escape_markdown,
    bold=lambda s: f"**{s}**",
    italic=lambda s: f"*{s}*",
    link=lambda text, url: f"[{text}](<{url}>)",
)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message: what send_message, edit_message and followup.send take."""

    content: str | None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for send_message and followup.send (which reject view=None)."""
        kwargs: dict[str, Any] = {"content": self.content}
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for edits, where None clears what the old message had."""
        return {"content": self.content, "embed": self.embed, "view": self.view}


def render(reply: Reply, *, shareable: bool = False) -> list[Outgoing]:
    """Turn a Reply into messages; the first carries the embed and the components.

    `shareable` adds a Share button to a card (a private card can be posted publicly).
    """
    lines: tuple[Line, ...] = reply.text
    chunks = render_chunks(lines, MARKDOWN, CONTENT_LIMIT) if lines else [""]
    if reply.edit and reply.toast and not lines:
        # Discord has no toasts: an edited card says what the press did instead.
        chunks = [discord.utils.escape_markdown(reply.toast)]
    embed = card_embed(reply.card) if reply.card is not None else None
    first = Outgoing(chunks[0] or None, embed, build_view(reply, shareable=shareable))
    return [first] + [Outgoing(c) for c in chunks[1:]]


def card_embed(card: MovieCard) -> discord.Embed:
    """A movie card as an embed: poster thumbnail, year, genres, average rating and the user's own."""
    title = f"{card.title} ({card.year})" if card.year else card.title
    url = TMDB_MOVIE_URL.format(id=card.tmdb_id) if card.tmdb_id else None
    description = discord.utils.escape_markdown(clip(card.overview, 1000)) if card.overview else None
    embed = discord.Embed(
        title=clip(f"🎬 {title}", 256), url=url, description=description, colour=discord.Colour.gold()
    )
    if card.poster_url:
        embed.set_thumbnail(url=card.poster_url)
    if card.year:
        embed.add_field(name="Year", value=str(card.year))
    if card.genres:
        embed.add_field(name="Genres", value=clip(", ".join(card.genres), 1024))
    if card.runtime:
        embed.add_field(name="Runtime", value=f"{card.runtime} min")
    if card.average is not None:
        count = f"{card.ratings} rating{'s' if card.ratings != 1 else ''}"
        embed.add_field(name="Average", value=f"{STAR} {card.average:.1f}/5 · {count}")
    else:
        embed.add_field(name="Average", value="No ratings yet")
    if card.personal:  # a shared card has no "you"
        embed.add_field(name="Your rating", value=stars(card.your_stars) if card.your_stars else "Not rated")
    mine = [
        label
        for on, label in (
            (card.favorite, "❤ Favorite"),
            (card.watched, "✓ Watched"),
            (card.on_watchlist and not card.watched, "On your watchlist"),
        )
        if on
    ]
    if mine:
        embed.add_field(name="Your lists", value=" · ".join(mine))
    if card.where_to_watch:
        # TMDb's terms: wherever provider names show, their credit shows too.
        names = discord.utils.escape_markdown(", ".join(card.where_to_watch))
        credit = f"\n*{discord.utils.escape_markdown(card.watch_credit)}*" if card.watch_credit else ""
        embed.add_field(
            name=f"Where to watch ({card.watch_region})" if card.watch_region else "Where to watch",
            value=clip(names, 900) + credit,
            inline=False,
        )
    if card.your_review:
        embed.add_field(
            name="Your review", value=clip(discord.utils.escape_markdown(card.your_review), 1024), inline=False
        )
    embed.set_footer(text=f"Movie #{card.movie_id}")
    return embed


def _is_open(button: Button) -> bool:
    return isinstance(button.action, MovieAction) and button.action.op is MovieOp.OPEN


def build_view(reply: Reply, *, shareable: bool = False) -> discord.ui.View | None:
    """Components for a reply: one row per button row; a list's open buttons become one select menu.

    Every item is a DynamicItem (or a link), so the view is never stored per message
    and the buttons keep working after a restart.
    """
    rows = [list(row) for row in reply.buttons]
    opens = [b for row in rows for b in row if _is_open(b)]
    use_menu = len(opens) >= 2
    if use_menu:
        rows = [[b for b in row if not _is_open(b)] for row in rows]
    rows = [row for row in rows if row]
    if shareable and reply.card is not None:
        share = Button("📣 Share", MovieAction(MovieOp.SHARE, reply.card.movie_id))
        if rows and len(rows[-1]) < MAX_BUTTONS_PER_ROW:
            rows[-1].append(share)
        else:
            rows.append([share])
    if not rows and not use_menu:
        return None
    view = discord.ui.View(timeout=None)
    offset = 0
    if use_menu:
        view.add_item(OpenMenu.build([(b.label, encode(b.action)) for b in opens[:MAX_OPTIONS] if b.action], row=0))
        offset = 1
    if len(rows) + offset > MAX_ROWS:
        raise ValueError(f"a reply renders to {len(rows) + offset} component rows; Discord allows {MAX_ROWS}")
    for index, row in enumerate(rows, start=offset):
        for button in row:
            if button.url is not None:
                view.add_item(discord.ui.Button(label=button.label, url=button.url, row=index))
            elif button.payload is not None:
                view.add_item(ActionButton.build(button.label, button.payload, row=index))
    return view
