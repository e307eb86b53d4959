"""Every write is one the user meant: the console, through the real `moviebot chat` command."""

from __future__ import annotations

import pytest

from tests.e2e.console.test_console_cli import moviebot

pytestmark = pytest.mark.slow  # each test starts the real `moviebot` command (about 1.5 s)


def chat(url: str, *lines: str) -> str:
    result = moviebot("chat", url=url, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_a_typed_year_that_matches_nothing_names_the_years_there_are(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/fav joker 2019", "/fav avatar 2022", "/fav blade runner 2049", "/favorites")
    assert "No “joker” from 2019; I have Joker (2012)." in out
    assert "No “avatar” from 2022; I have Avatar (2009)." in out
    assert "No “blade runner” from 2049; I have Blade Runner (1982)." in out
    assert "Added to your favorites" not in out
    assert "❤ Your favorites (0)" in out


def test_exact_titles_win_and_unclear_ones_ask(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/watch Heat", "/movie the heat", "/fav godfather", "/favorites")
    assert "➕ Added to your watchlist. Heat (1995)" in out
    assert "🎬 The Heat (2013)" in out
    assert "Did you mean one of these for “godfather”?" in out
    assert "❤ Your favorites (0)" in out


def test_only_the_line_right_after_the_prompt_is_a_review(sqlite_url: str) -> None:
    out = chat(
        sqlite_url,
        "/rate heat 1995 4",
        "/frobnicate",  # a failed command in between clears the prompt
        "anyone up for a film tonight",
        "/rate the matrix 1999 5",
        "Mind-bending classic",
        "/reviews heat 1995",
        "/reviews the matrix 1999",
    )
    assert out.count("Review saved") == 1
    assert "✍ Review saved for The Matrix (1999)." in out
    assert "Nothing found for “anyone up for a film tonight”" in out
    heat = out[out.index("Reviews of Heat (1995)") :]
    assert "No written reviews yet" in heat.split("Reviews of The Matrix")[0]


def test_cancel_leaves_the_prompt(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/rate heat 1995 4", "/cancel", "great film", "/cancel", "/reviews heat 1995")
    assert "Cancelled." in out
    assert "Nothing to cancel." in out
    assert "Review saved" not in out
    assert "No written reviews yet" in out


def test_stars_are_one_to_five_in_the_picker(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/rate heat 1995", "5", "/movie heat 1995")
    assert "[1] ★  [2] ★★  [3] ★★★  [4] ★★★★  [5] ★★★★★" in out
    assert "✔ Rated ★★★★★." in out
    assert "you rated ★★★★★" in out


def test_keys_belong_to_the_last_screen_and_reset_after_an_error(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/fav heat", "/rate nothing-matches-zzzz 3", "1", "/favorites")
    assert "❤ Added to your favorites. Heat (1995)" in out
    assert "Removed from your favorites" not in out
    assert "❤ Your favorites (1)" in out


def test_paging_keys_stay_the_same_on_every_page(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/search love", "n", "n", "p", "6")
    assert out.count("[n] Next ›") >= 3
    assert "[p] ‹ Previous" in out
    assert "Page 3 of" in out
    assert "Page 2 of" in out
    second_page = out[out.rindex("Page 2 of") :]
    assert "🎬" in second_page  # "6" opened item 6, shown on page 2


def test_unwatch_keeps_a_watched_record_and_a_bare_number_is_a_page(sqlite_url: str) -> None:
    films = ("heat 1995", "the matrix 1999", "toy story 1995", "alien 1979", "fargo 1996", "psycho 1960")
    out = chat(
        sqlite_url,
        "/watched heat 1995",
        "/unwatch heat 1995",
        "/profile",
        *(f"/fav {f}" for f in films),
        "/favorites 2",
    )
    assert "You've watched it, so it stays in your watched films." in out
    assert "🎞 Watchlist: 0 to watch, 1 watched" in out
    assert "❤ Your favorites (6)" in out
    assert "Page 2 of 2" in out


def test_card_keys_are_the_same_on_every_card(sqlite_url: str) -> None:
    out = chat(sqlite_url, "/movie heat 1995", "f", "/watched heat 1995", "r", "3")
    assert "[f] ❤ Favorite  [w] ➕ Watchlist  [s] 👁 Watched" in out
    assert "[m] 🎯 More like this  [x] 🚫 Not interested" in out
    assert "[f] 💔 Unfavorite  [w] ➕ Watchlist  [s] 👁 Watched" in out  # favorited: f undoes it, r still rates
    assert "[r] ⭐ Rate" in out
    assert "✔ Rated ★★★☆☆." in out
    watched_card = out[out.index("👁 Marked as watched.") :]
    assert "[w]" not in watched_card.split("\n\n")[0]  # a watched film has no watchlist button that would do nothing
