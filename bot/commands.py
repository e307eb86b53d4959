"""The command table every platform shares, and text-command routing.

Telegram registers these with setMyCommands, Discord as slash commands, the
console and /help list them: one table, so names and descriptions never drift.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app import MovieBot, Requester, trending_window
from bot.reply import Reply, line
from domain.query import clip_for_echo


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    description: str
    run: Callable[[MovieBot, Requester, str], Awaitable[Reply]]
    takes_movie: bool = False  # its argument is a movie (Discord autocompletes it)
    slow: bool = False  # may take over a second (recommender, TMDb): platforms with deadlines defer first
    personal: bool = False  # shows the requester's own data: private in group chats and servers
    admin: bool = False  # for MOVIEBOT_ADMINS only: kept out of /help and command menus


def _no_args(method: Callable[[MovieBot, Requester], Awaitable[Reply]]) -> Callable[[MovieBot, Requester, str], Awaitable[Reply]]:
    async def run(bot: MovieBot, who: Requester, _args: str) -> Reply:
        return await method(bot, who)

    return run


def _paged(method: Callable[..., Awaitable[Reply]]) -> Callable[[MovieBot, Requester, str], Awaitable[Reply]]:
    async def run(bot: MovieBot, who: Requester, args: str) -> Reply:
        page = int(args) if args.strip().isdigit() and args.isascii() and 0 < int(args) < 100_000 else 1
        return await method(bot, who, page)

    return run


async def _trending(bot: MovieBot, who: Requester, args: str) -> Reply:
    """/trending [day|week] [page]: an optional window word, then the page as _paged reads it."""
    word, _, rest = args.strip().partition(" ")
    window = trending_window(word)
    if window is None:
        return await _paged(MovieBot.trending)(bot, who, args)
    return await _paged(lambda b, w, page: b.trending(w, page, window=window))(bot, who, rest)


COMMANDS: tuple[Command, ...] = (
    Command("start", "", "Welcome and quick start", lambda b, w, a: b.start(w, a.strip())),
    Command("help", "", "Everything I can do", _no_args(MovieBot.help)),
    Command("search", "<title | genre:x | 1999 | 1990-1999>", "Find movies", MovieBot.search, takes_movie=True),
    Command("movie", "<title | #id | tmdb:id>", "Show a movie card", MovieBot.movie, takes_movie=True),
    Command("fav", "<movie>", "Add to favorites", MovieBot.fav, takes_movie=True),
    Command("unfav", "<movie>", "Remove from favorites", MovieBot.unfav, takes_movie=True),
    Command("favorites", "[words] [genre:x] [since:date] [sort:title]", "Your favorites", MovieBot.favorites, personal=True),
    Command("watch", "<movie> [| note]", "Add to your watchlist", MovieBot.watch, takes_movie=True),
    Command("unwatch", "<movie>", "Remove from your watchlist", MovieBot.unwatch, takes_movie=True),
    Command("watched", "<movie>", "Mark a movie as watched", MovieBot.watched, takes_movie=True),
    Command("watchlist", "[words] [genre:x] [sort:year]", "Movies you want to watch", MovieBot.watchlist, personal=True),
    Command("rate", "<movie> <1-5>", "Rate a movie from 1 to 5 stars", MovieBot.rate, takes_movie=True),
    Command("review", "<movie> | <text>", "Review a movie you rated", MovieBot.review, takes_movie=True),
    Command("reviews", "<movie>", "Read reviews of a movie", MovieBot.reviews, takes_movie=True),
    Command("history", "", "Recently added and removed", _paged(MovieBot.history), personal=True),
    Command("profile", "", "Your stats", _no_args(MovieBot.profile), personal=True),
    Command("settings", "[name value]", "Timezone, region, notifications", MovieBot.settings, personal=True),
    Command("trending", "[day|week]", "Trending movies", _trending),
    Command("upcoming", "", "Releases coming soon (with TMDb)", _paged(MovieBot.upcoming), slow=True),
    Command("recommend", "", "Picks for you", _paged(MovieBot.recommend), slow=True, personal=True),
    Command("about", "", "Data sources and credits", _no_args(MovieBot.about)),
    Command("stats", "", "Usage analytics (admins)", _no_args(MovieBot.stats), personal=True, admin=True),
)

BY_NAME = {c.name: c for c in COMMANDS}
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?$", re.DOTALL)


async def dispatch_text(bot: MovieBot, who: Requester, text: str, *, bot_username: str | None = None) -> Reply | None:
    """Route a typed message: '/cmd[@bot] args' runs a command, other text searches.

    Returns None for a command addressed to another bot in a group.
    """
    stripped = text.strip()
    if not stripped:
        return Reply(text=(line("Send /help to see what I can do, or type a movie title to search."),))
    match = _COMMAND.match(stripped)
    if match is None:
        if stripped.startswith("/"):
            return Reply(text=(line(f"I don't know the command “{clip_for_echo(stripped.split()[0], 40)}”. Send /help for the list."),))
        return await bot.search(who, stripped)
    name, addressee, args = match.group(1).lower(), match.group(2), match.group(3) or ""
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    command = BY_NAME.get(name)
    if command is None:
        return Reply(text=(line(f"I don't know /{clip_for_echo(name, 32)}. Send /help for the list."),))
    if command.takes_movie and not args.strip():
        return Reply(text=(line(f"Usage: /{command.name} {command.usage}"),))
    return await command.run(bot, who, args)
