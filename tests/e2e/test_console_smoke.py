"""Smoke: the console answers /search through the real wiring."""

from __future__ import annotations

import io

from adapters.console.chat import ConsoleChat
from bot.app import MovieBot


async def test_search_matrix_lists_the_matrix_first(movie_bot: MovieBot) -> None:
    out = io.StringIO()
    await ConsoleChat(movie_bot, out, user="tester", echo=True).run(["/search matrix"])
    text = out.getvalue()
    assert "1. The Matrix (1999)" in text
