"""Console adapter: the same commands as Telegram and Discord, in a terminal.

Buttons are shown as numbered choices (`[1] ❤ Favorite`); typing the number
presses the button through the same codec and intent as a tap would. When input
is not a terminal (a script, a pipe) every line is echoed, so a run reads as a
transcript — that is how the end-to-end tests and the README demo drive it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TextIO

from bot.app import MovieBot, Requester
from bot.commands import dispatch_text
from bot.reply import PLAIN_STYLE, Awaiting, Reply, render_chunks
from bot.screens import full_text
from domain.errors import DomainError
from domain.models import Platform

log = logging.getLogger(__name__)

CONSOLE_LIMIT = 4096
QUIT = frozenset({"/quit", "/exit", "quit", "exit"})


def render(reply: Reply) -> tuple[str, list[str]]:
    """Text of a reply as the console shows it, and the payloads of its numbered buttons."""
    out = render_chunks(full_text(reply), PLAIN_STYLE, CONSOLE_LIMIT)
    payloads: list[str] = []
    labels: list[str] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            if button.payload is not None:
                payloads.append(button.payload)
                cells.append(f"[{len(payloads)}] {button.label}")
            else:
                cells.append(f"{button.label} <{button.url}>")
        labels.append("  ".join(cells))
    text = "\n".join(out)
    if labels:
        text += "\n" + "\n".join(labels)
    return text, payloads


class ConsoleChat:
    """A chat session for one local user."""

    def __init__(self, bot: MovieBot, output: TextIO, *, user: str | None = None, echo: bool = False) -> None:
        self._bot = bot
        self._out = output
        self._echo = echo
        name = user or os.environ.get("USER") or "you"
        self._who = Requester(Platform.CONSOLE, name, name)
        self._payloads: list[str] = []
        self._awaiting_review: int | None = None

    def _show(self, reply: Reply) -> None:
        text, payloads = render(reply)
        if reply.edit and reply.toast:
            text = f"✔ {reply.toast}\n{text}"  # a terminal can't edit in place: say what the tap did
        self._payloads = payloads
        self._awaiting_review = reply.awaiting_movie if reply.awaiting is Awaiting.REVIEW else None
        self._out.write(text + "\n\n")
        self._out.flush()

    async def handle(self, text: str) -> None:
        """Answer one typed line: a button number, a command, a pending review, or a search."""
        stripped = text.strip()
        try:
            if stripped.isdigit() and stripped.isascii() and self._payloads:
                index = int(stripped) - 1
                if 0 <= index < len(self._payloads):
                    self._show(await self._bot.press(self._who, self._payloads[index]))
                else:
                    self._out.write(f"Choose a number from 1 to {len(self._payloads)}.\n\n")
                return
            if self._awaiting_review is not None and stripped and not stripped.startswith("/"):
                movie_id, self._awaiting_review = self._awaiting_review, None
                self._show(await self._bot.review_movie(self._who, movie_id, stripped))
                return
            if stripped.lower() == "/cancel":
                self._awaiting_review = None
                self._out.write("Cancelled.\n\n")
                return
            reply = await dispatch_text(self._bot, self._who, text)
            if reply is not None:
                self._show(reply)
        except DomainError as err:
            self._out.write(f"⚠ {err.message}\n\n")
        except Exception:
            log.exception("console command failed")
            self._out.write("⚠ Sorry, something went wrong on my side. Please try again.\n\n")

    async def run(self, lines: Iterable[str], *, prompt: bool = False) -> None:
        """Read lines until they end or the user quits."""
        self._out.write("🎬 moviebot — type /help, a movie title, or a button number. /quit leaves.\n\n")
        if prompt:
            self._out.write("> ")
            self._out.flush()
        for raw in lines:
            text = raw.rstrip("\n")
            if self._echo:
                self._out.write(f"> {text}\n")
            if text.strip().lower() in QUIT:
                break
            await self.handle(text)
            if prompt:
                self._out.write("> ")
                self._out.flush()
        self._out.write("Bye! 🍿\n")
