"""The platform-neutral answer to every intent, and the helpers renderers share.

A Reply is rendered as HTML on Telegram, Markdown on Discord and plain text in
the console. Limits every platform accepts (5 rows of 5 buttons, 80-character
labels) are checked here once, so a screen that breaks them fails in tests
rather than on a user's phone. Text is a list of lines of small nodes; because
no node spans a line break, splitting between lines never cuts markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from bot.actions import Action, encode

MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_LABEL = 80


@dataclass(frozen=True, slots=True)
class Plain:
    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Italic:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str


Node = Plain | Bold | Italic | Link
Line = tuple[Node, ...]


def bold(text: str) -> Bold:
    return Bold((Plain(text),))


def italic(text: str) -> Italic:
    return Italic((Plain(text),))


def line(*parts: Node | str) -> Line:
    """Build a line from nodes and plain strings."""
    return tuple(Plain(p) if isinstance(p, str) else p for p in parts)


@dataclass(frozen=True, slots=True)
class Button:
    """A button: presses send `action` back to us, or open `url`."""

    label: str
    action: Action | None = None
    url: str | None = None
    # What to type to press it where buttons are typed (the console): list items their number, stars 1–5,
    # paging p / n, so the same key means the same thing on every screen. None: numbered in order.
    key: str | None = None

    def __post_init__(self) -> None:
        if not self.label or len(self.label) > MAX_LABEL:
            raise ValueError(f"button label must be 1–{MAX_LABEL} characters: {self.label!r}")
        if (self.action is None) == (self.url is None):
            raise ValueError("a button needs exactly one of action or url")

    @property
    def payload(self) -> str | None:
        return encode(self.action) if self.action is not None else None


@dataclass(frozen=True, slots=True)
class MovieCard:
    """What a movie card shows; renderers lay it out natively (photo, embed, text)."""

    movie_id: int
    title: str
    year: int | None
    genres: tuple[str, ...]
    overview: str | None
    poster_url: str | None
    runtime: int | None
    average: float | None
    ratings: int
    your_stars: int | None
    your_review: str | None
    favorite: bool
    on_watchlist: bool
    watched: bool
    tmdb_id: int | None = None
    # Where to watch in the user's region (TMDb, data by JustWatch): empty without TMDb or when it is not answering.
    # Wherever the names show, `watch_credit` must show too (TMDb's terms).
    where_to_watch: tuple[str, ...] = ()
    watch_region: str | None = None
    watch_link: str | None = None
    watch_credit: str | None = None
    personal: bool = True  # shows one user's own status (False: a shared message's public facts only)


class Awaiting(str, Enum):
    """Input the next message should be read as (Telegram ForceReply, Discord modal)."""

    REVIEW = "review"
    TIMEZONE = "timezone"  # a zone name or the time on the user's clock
    OPT_IN = "opt_in"  # the same, and the answer turns weekly picks on


TIMEZONE_QUESTIONS = frozenset({Awaiting.TIMEZONE, Awaiting.OPT_IN})
TIMEZONE_START_ARG = "tz"  # /start tz asks for the timezone (the link in a timezone question on Telegram)


@dataclass(frozen=True, slots=True)
class Reply:
    """Everything an adapter needs to answer a user."""

    text: tuple[Line, ...] = ()
    card: MovieCard | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    ephemeral: bool = False  # personal screen: only the requester should see it
    edit: bool = False  # answer to a button: replace that message instead of sending a new one
    toast: str | None = None  # short confirmation shown by the button (Telegram callback answer)
    awaiting: Awaiting | None = None
    awaiting_movie: int | None = None
    extra: tuple[Reply, ...] = field(default=())  # follow-up messages (e.g. a card after a list)

    def __post_init__(self) -> None:
        if len(self.buttons) > MAX_ROWS:
            raise ValueError(f"at most {MAX_ROWS} rows of buttons, got {len(self.buttons)}")
        for row in self.buttons:
            if not 1 <= len(row) <= MAX_BUTTONS_PER_ROW:
                raise ValueError(f"a button row holds 1–{MAX_BUTTONS_PER_ROW} buttons, got {len(row)}")


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How one markup language writes the node kinds; adapters provide one each."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    link: Callable[[str, str], str]


PLAIN_STYLE = TextStyle(escape=lambda s: s, bold=lambda s: s, italic=lambda s: s, link=lambda t, u: f"{t} <{u}>")


def render_node(node: Node, style: TextStyle) -> str:
    if isinstance(node, Plain):
        return style.escape(node.text)
    if isinstance(node, Bold):
        return style.bold("".join(render_node(c, style) for c in node.children))
    if isinstance(node, Italic):
        return style.italic("".join(render_node(c, style) for c in node.children))
    if isinstance(node, Link):
        return style.link(style.escape(node.text), node.url)
    raise TypeError(f"unknown text node {node!r}")


def plain_text(nodes: Line) -> str:
    return "".join(render_node(n, PLAIN_STYLE) if not isinstance(n, Link) else n.text for n in nodes)


def _clip_line(nodes: Line, keep: int) -> Line:
    """Keep the first `keep` characters of a line's text, as plain text plus an ellipsis."""
    text = plain_text(nodes)
    return (Plain(text[: max(0, keep - 1)] + "…"),)


def render_chunks(lines: tuple[Line, ...], style: TextStyle, limit: int) -> list[str]:
    """Render lines and pack them into messages of at most `limit` characters.

    Splits only between lines; a single line longer than the limit is shortened
    as plain text, so no tag or entity is ever cut in half.
    """
    rendered: list[str] = []
    for nodes in lines:
        text = "".join(render_node(n, style) for n in nodes)
        keep = len(plain_text(nodes))
        while len(text) > limit and keep > 1:
            keep = min(keep - 1, keep * limit // max(len(text), 1))
            text = "".join(render_node(n, style) for n in _clip_line(nodes, keep))
        if len(text) > limit:  # markup alone is too long (a link with a huge URL): say less
            text = "…"
        rendered.append(text)
    chunks: list[str] = []
    current = ""
    for text in rendered:
        candidate = f"{current}\n{text}" if current else text
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = text
    if current or not chunks:
        chunks.append(current)
    return chunks
