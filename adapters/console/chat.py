"""Console adapter: the same commands as Telegram and Discord, in a terminal.

Buttons are shown as keys to type (`[1] ❤ Favorite`); typing one presses the
button through the same codec and intent as a tap would. Keys belong to the
last screen only, and an error clears them, so a key never presses a button
the user can no longer see. Keys are stable: list items keep their numbers
across pages, stars are 1–5 in the picker, and paging is `p` / `n`.
When input is not a terminal (a script, a pipe) every line is echoed, so a
run reads as a transcript — that is how the end-to-end tests drive it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TextIO

from bot import copy
from bot.core import Chat, Core
from bot.reply import PLAIN_STYLE, Reply, render_chunks
from bot.screens import full_text
from bot.services import Requester
from domain.errors import DomainError
from domain.models import Platform

log = logging.getLogger(__name__)

CONSOLE_LIMIT = 4096
QUIT = frozenset({"/quit", "/exit", "quit", "exit"})
CHAT = Chat("console")
WELCOME = "🎬 moviebot — type /help, a movie title, or a button's key. /quit leaves."
BYE = "Bye! 🍿"


def render(reply: Reply) -> tuple[str, dict[str, str]]:
    """Text of a reply as the console shows it, and the payload behind each key.

    A button's own key (screens set them) is used when free; the others are
    numbered in order, skipping keys already taken.
    """
    out = render_chunks(full_text(reply), PLAIN_STYLE, CONSOLE_LIMIT)
    buttons = [b for row in reply.buttons for b in row if b.payload is not None]
    keys: dict[str, str] = {}
    for button in buttons:
        if button.key is not None and button.key not in keys:
            keys[button.key] = button.payload or ""
    next_number = 1
    labels: list[str] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            if button.payload is None:
                cells.append(f"{button.label} <{button.url}>")
                continue
            key = button.key if button.key is not None and keys.get(button.key) == button.payload else None
            if key is None:
                while str(next_number) in keys:
                    next_number += 1
                key = str(next_number)
                keys[key] = button.payload
            cells.append(f"[{key}] {button.label}")
        labels.append("  ".join(cells))
    text = "\n".join(out)
    if labels:
        text += "\n" + "\n".join(labels)
    return text, keys


class ConsoleChat:
    """A chat session for one local user."""

    def __init__(self, core: Core, output: TextIO, *, user: str | None = None, echo: bool = False) -> None:
        self._core = core
        self._out = output
        self._echo = echo
        name = user or os.environ.get("USER") or "you"
        self._who = Requester(Platform.CONSOLE, name, name)
        self._keys: dict[str, str] = {}  # the last screen's buttons: what is on screen, not conversation state

    def _write(self, text: str) -> None:
        self._out.write(text + "\n\n")
        self._out.flush()

    def _show(self, reply: Reply) -> None:
        text, self._keys = render(reply)
        if reply.edit and reply.toast:
            text = f"✔ {reply.toast}\n{text}"  # a terminal can't edit in place: say what the tap did
        self._write(text)

    async def handle(self, text: str) -> None:
        """Answer one typed line: a button's key, or whatever the core makes of it."""
        key = text.strip().lower()
        try:
            if key in self._keys:
                self._show(await self._core.handle_press(self._who, CHAT, self._keys[key]))
                return
            if key.isdigit() and self._keys:
                self._keys = {}  # a wrong key: no stale screen is pressed by the next one either
                self._write(f"There is no button [{key}] on the last screen.")
                return
            reply = await self._core.handle_message(self._who, CHAT, text)
            if reply is not None:
                self._show(reply)
        except DomainError as err:
            self._keys = {}
            self._write(copy.error_text(err.message))
        except Exception:
            log.exception("console command failed")
            self._keys = {}
            self._write(copy.APOLOGY)

    async def run(self, lines: Iterable[str], *, prompt: bool = False) -> None:
        """Read lines until they end, the user quits, or presses Ctrl-C."""
        self._out.write(WELCOME + "\n\n")
        try:
            for raw in lines:
                text = raw.rstrip("\n")
                if self._echo:
                    self._out.write(f"> {text}\n")
                if text.strip().lower() in QUIT:
                    break
                await self.handle(text)
        except KeyboardInterrupt:
            self._out.write("\n")
        self._out.write(BYE + "\n")
        self._out.flush()
