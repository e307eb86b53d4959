"""The `moviebot` command line: run, chat, catalog import, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from bot import bootstrap
from bot.config import ConfigError, load_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moviebot", description="A chat bot for people who love films.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser(
        "run",
        help="start every adapter whose token is set, plus the scheduler; with no token, the console chat",
        description="Start every adapter whose token is configured (TELEGRAM_BOT_TOKEN, DISCORD_BOT_TOKEN). "
        "With no token configured, start the console chat on the bundled offline catalog.",
    )
    chat = sub.add_parser("chat", help="chat in this terminal", description="Chat with moviebot in this terminal.")
    chat.add_argument(
        "--script", type=Path, metavar="FILE", help="read commands from FILE instead of the keyboard, echoing them"
    )
    catalog = sub.add_parser("catalog", help="manage the local catalog", description="Manage the local movie catalog.")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    imp = catalog_sub.add_parser(
        "import",
        help="import MovieLens movies",
        description="Import MovieLens movies: an ml-100k folder or u.item, "
        "or an ml-latest(-small) folder or movies.csv "
        "(links.csv beside it adds TMDb and IMDb ids). Re-importing is idempotent.",
    )
    imp.add_argument("path", type=Path, help="file or folder to import")
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations", description="Apply database migrations up to the newest.")
    return parser


def _console_lines(stream: TextIO, interactive: bool) -> Iterator[str]:
    """Lines for the console chat; Ctrl-C while waiting for one raises KeyboardInterrupt here (the chat says Bye).

    asyncio.run turns SIGINT into a cancellation of the whole run, which a
    blocking read would not notice until the next line (and which would cut
    the database's close short), so Python's own handler is in place while a
    line is awaited. At a terminal, readline adds line editing and history.
    """
    if interactive:
        import readline  # noqa: F401  (imported for its side effect: input() gains editing and history)

    def read() -> str:
        return input("> ") + "\n" if interactive else stream.readline()

    while True:
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            line = read()
        except EOFError:
            return
        finally:
            signal.signal(signal.SIGINT, previous)
        if not line:
            return
        yield line


def _script_lines(stream: TextIO) -> Iterator[str]:
    yield from stream


def _progress(out: TextIO) -> object:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        out.flush()

    return show


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    console = args.command == "chat" or (
        args.command == "run" and config.secrets.telegram_token is None and config.secrets.discord_token is None
    )
    bootstrap.configure_logging(config, console=console)
    try:
        if args.command == "run":
            interactive = sys.stdin.isatty()
            asyncio.run(bootstrap.run(config, _console_lines(sys.stdin, interactive), sys.stdout, echo=not interactive))
        elif args.command == "chat":
            if args.script:
                with args.script.open(encoding="utf-8") as script:
                    asyncio.run(bootstrap.chat(config, _script_lines(script), sys.stdout, echo=True))
            else:
                interactive = sys.stdin.isatty()
                asyncio.run(
                    bootstrap.chat(config, _console_lines(sys.stdin, interactive), sys.stdout, echo=not interactive)
                )
        elif args.command == "catalog":
            summary = asyncio.run(bootstrap.import_catalog(config, args.path, _progress(sys.stderr)))  # type: ignore[arg-type]
            print(file=sys.stderr)
            counts = f"updated {summary.updated}, unchanged {summary.unchanged}, skipped {summary.skipped}"
            print(f"added {summary.added}, {counts}")
            for reason, count in sorted(summary.reasons.items(), key=lambda kv: -kv[1]):
                print(f"  skipped {count}: {reason}")
        else:
            print(f"database is up to date: {asyncio.run(bootstrap.upgrade(config))}")
    except ConfigError as err:  # found only on connecting, e.g. a token the platform rejects
        print(err, file=sys.stderr)
        return 2
    except (ValueError, OSError) as err:
        print(f"moviebot: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
