"""The console adapter end to end: the real `moviebot` command, scripted, on a SQLite file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts the real `moviebot` command (about 1.5 s)

HERE = Path(__file__).parent


def moviebot(
    *args: str, url: str, stdin: str | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "TMDB_", "MOVIEBOT_"))}
    env.update({"DATABASE_URL": url, "PYTHONIOENCODING": "utf-8"}, **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_scripted_session_covers_every_command(sqlite_url: str) -> None:
    result = moviebot("chat", "--script", str(HERE / "session.txt"), url=sqlite_url)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    expectations = [
        "I'm your movie companion",  # /start
        "/recommend — Picks for you",  # /help lists every command
        "1. The Matrix (1999)",  # /search
        "🎬 The Matrix (1999)",  # pressing [1] opens the card
        "✔ ❤ Added to your favorites.",  # pressing ❤ on the card
        "✔ How many stars?",  # the rate picker
        "✔ Rated ★★★★☆.",  # four stars
        "✍ Review saved for The Matrix (1999).",
        "“Mind-bending classic”",  # /reviews
        "❤ Your favorites (1)",
        "❤ Added to your favorites. Heat (1995)",  # "heat" is exactly one title: no question
        "Several movies are called “Titanic”. Which one?",  # remakes ask, with years
        "[1] Titanic (1953)  [2] Titanic (1997)",
        "➕ Added to your watchlist. Toy Story (1995)",
        "🎞 Your watchlist (1)",
        "Removed from your watchlist. Toy Story (1995)",
        "👁 Marked as watched. Toy Story (1995)",
        "You've watched it, so it stays in your watched films. Toy Story (1995)",
        "Removed from your favorites. Heat (1995)",
        "Recently removed\n• Heat (1995)",
        "❤ Favorites: 2",  # /profile: The Matrix and Titanic (1953)
        "Timezone: Europe/Berlin",
        "Weekly picks: on — Fridays at 18:00",  # pressing the weekly picks switch
        "🔥 Popular now",
        "Page 2 of",  # pressing Next on /trending
        "✨ For you",
        "No movie with TMDb id 424242",
        "MovieLens data © GroupLens",
        "Bye! 🍿",
    ]
    missing = [e for e in expectations if e not in out]
    assert not missing, f"missing {missing}\n---\n{out}"
    assert "Traceback" not in out + result.stderr
    assert "something went wrong" not in out


def test_hostile_input_gets_short_answers_and_changes_nothing(sqlite_url: str) -> None:
    result = moviebot("chat", "--script", str(HERE / "hostile.txt"), url=sqlite_url)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    for expected in [
        "Send /help to see what I can do",
        "Usage: /search <title",
        "Usage: /fav <movie>",
        "0 is out of range",
        "6 is out of range",
        "Use digits for stars",
        "That movie is no longer in the catalog.",
        "No movie matches “nothing-matches-this-zzzz”",
        "I don't know /frobnicate",
        "Region is a two-letter country code",
        "There is no button [99] on the last screen.",
    ]:
        assert expected in out, f"{expected!r} missing from\n{out}"
    assert "Traceback" not in out + result.stderr
    assert "something went wrong" not in out
    after = moviebot("chat", url=sqlite_url, stdin="/history\n/search matrix\n")
    assert "Activity (0)" in after.stdout
    assert "1. The Matrix (1999)" in after.stdout


def test_run_without_tokens_starts_the_console_chat(sqlite_url: str) -> None:
    result = moviebot("run", url=sqlite_url, stdin="/search heat 1995\n")
    assert result.returncode == 0, result.stderr
    assert "1. Heat (1995)" in result.stdout
    assert "Bye!" in result.stdout


@pytest.mark.parametrize("args", [(), ("run",), ("chat",), ("catalog", "import"), ("db", "upgrade")])
def test_every_command_has_help(args: tuple[str, ...], sqlite_url: str) -> None:
    result = moviebot(*args, "--help", url=sqlite_url)
    assert result.returncode == 0
    assert "usage: moviebot" in result.stdout


def test_a_bad_config_stops_start_up_with_one_line(tmp_path: Path, sqlite_url: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot]\npage_size = 'many'\n")
    result = moviebot("chat", url=sqlite_url, stdin="", extra_env={"MOVIEBOT_CONFIG": str(bad)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["config error: bot.page_size must be int, got str 'many'"]


def test_tokens_never_reach_the_output(sqlite_url: str) -> None:
    token = "123456:VERY-SECRET-TOKEN"
    result = moviebot(
        "chat", url=sqlite_url, stdin="/help\n", extra_env={"TELEGRAM_BOT_TOKEN": token, "MOVIEBOT_LOG_LEVEL": "DEBUG"}
    )
    assert token not in result.stdout + result.stderr


def test_db_upgrade_is_idempotent_and_hides_passwords(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    for _ in range(2):
        result = moviebot("db", "upgrade", url=url)
        assert result.returncode == 0
        assert "database is up to date" in result.stdout
    assert (tmp_path / "fresh.sqlite3").exists()


def test_catalog_import_reports_and_is_idempotent(tmp_path: Path, sqlite_url: str) -> None:
    folder = tmp_path / "ml-latest-small"
    folder.mkdir()
    (folder / "movies.csv").write_text(
        "movieId,title,genres\n"
        '2571,"Matrix, The (1999)",Action|Sci-Fi|Thriller\n'
        "900001,Brand New Film (2026),Drama\n"
        "notanumber,Broken (2000),Drama\n"
        "900002,,Drama\n",
        encoding="utf-8",
    )
    (folder / "links.csv").write_text("movieId,imdbId,tmdbId\n2571,0133093,603\n900001,1234567,\n", encoding="utf-8")
    first = moviebot("catalog", "import", str(folder), url=sqlite_url)
    assert first.returncode == 0, first.stderr
    assert "added 1, updated 1, unchanged 0, skipped 2" in first.stdout
    assert "non-numeric id" in first.stdout
    assert "empty title" in first.stdout
    again = moviebot("catalog", "import", str(folder), url=sqlite_url)
    assert "added 0, updated 0, unchanged 2, skipped 2" in again.stdout
    card = moviebot("chat", url=sqlite_url, stdin="/movie tmdb:603\n/search brand new film\n")
    assert "🎬 The Matrix (1999)" in card.stdout
    assert "1. Brand New Film (2026)" in card.stdout


def test_catalog_import_of_an_unknown_format_fails_clearly(tmp_path: Path, sqlite_url: str) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = moviebot("catalog", "import", str(tmp_path / "notes.txt"), url=sqlite_url)
    assert result.returncode == 1
    assert result.stderr.startswith("moviebot: ")


def test_ctrl_c_says_bye_and_exits_cleanly(sqlite_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "TMDB_", "MOVIEBOT_"))}
    env.update({"DATABASE_URL": sqlite_url, "PYTHONIOENCODING": "utf-8"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("/search heat\n")
    proc.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 60
    while "[n] Next ›" not in seen and time.monotonic() < deadline:  # the answer is out: now waiting for a line
        seen += proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.rstrip().endswith("Bye! 🍿")
    assert "Traceback" not in err
