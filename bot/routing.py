"""The routing tables: typed commands and typed button actions, each mapped to one intent.

Telegram registers the commands with setMyCommands, Discord as slash commands,
the console and /help list them: one table, so names and descriptions never
drift. Adding an intent is one function in bot/intents and one row here.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.actions import (
    Action,
    ChooseSetting,
    ListName,
    MovieAction,
    MovieOp,
    PageAction,
    RateAction,
    ReviewsPage,
    ToggleSetting,
)
from bot.intents import account, admin, discovery, info, library, ratings, search
from bot.reply import Reply
from bot.services import Requester, Services, raise_stale, stored_text

Run = Callable[[Services, Requester, str], Awaitable[Reply]]
_PAGE = re.compile(r"[1-9]\d{0,4}")
_PAGE_WORD = re.compile(r"(?:page:|p)?([1-9]\d{0,2})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    description: str
    run: Run
    takes_movie: bool = False  # its argument is a movie (Discord autocompletes it)
    slow: bool = False  # may take over a second (recommender, TMDb): platforms with deadlines defer first
    personal: bool = False  # shows the requester's own data: private in group chats and servers
    admin: bool = False  # for MOVIEBOT_ADMINS only: kept out of /help and command menus

    @property
    def usage_line(self) -> str:
        return f"/{self.name} {self.usage}".rstrip()


def page_of(args: str) -> int:
    """A page number typed as the whole argument ("/history 2"); 1 for anything else."""
    stripped = args.strip()
    return int(stripped) if _PAGE.fullmatch(stripped) else 1


def split_page(args: str) -> tuple[str, int]:
    """Filters and a trailing page number: "/favorites 2", "/favorites genre:drama 3", "… page:2" or "… p2".

    A page number has at most three digits, so a year ("1999") or a film called
    "2012" stays a filter; after title words it is part of the title ("toy story 2").
    """
    head, _, last = args.strip().rpartition(" ")
    match = _PAGE_WORD.fullmatch(last)
    title_words = [word for word in head.split() if ":" not in word]
    if match is None or (title_words and not last.lower().startswith(("page:", "p"))):
        return args, 1
    return head, int(match[1])


def _no_args(intent: Callable[[Services, Requester], Awaitable[Reply]]) -> Run:
    async def run(s: Services, who: Requester, _args: str) -> Reply:
        return await intent(s, who)

    return run


def _paged(intent: Callable[[Services, Requester, int], Awaitable[Reply]]) -> Run:
    async def run(s: Services, who: Requester, args: str) -> Reply:
        return await intent(s, who, page_of(args))

    return run


def _filtered(intent: Callable[[Services, Requester, str, int], Awaitable[Reply]]) -> Run:
    async def run(s: Services, who: Requester, args: str) -> Reply:
        return await intent(s, who, *split_page(args))

    return run


async def _trending(s: Services, who: Requester, args: str) -> Reply:
    """/trending [day|week] [page]."""
    word, _, rest = args.strip().partition(" ")
    window = discovery.trending_window(word)
    if window is None:
        return await discovery.trending(s, who, page_of(args))
    return await discovery.trending(s, who, page_of(rest), window=window)


async def _help(s: Services, who: Requester, _args: str) -> Reply:
    return await info.help_screen(s, who, [(c.usage_line, c.description) for c in COMMANDS if not c.admin])


COMMANDS: tuple[Command, ...] = (
    Command("start", "", "Welcome and quick start", account.start),
    Command("help", "", "Everything I can do", _help),
    Command("search", "<title | genre:x | 1999 | 1990-1999>", "Find movies", search.search, takes_movie=True),
    Command("movie", "<title | #id | tmdb:id>", "Show a movie card", search.movie, takes_movie=True),
    Command("fav", "<movie>", "Add to favorites", library.fav, takes_movie=True),
    Command("unfav", "<movie>", "Remove from favorites", library.unfav, takes_movie=True),
    Command(
        "favorites",
        "[words] [genre:x] [since:date] [sort:title] [page]",
        "Your favorites",
        _filtered(library.favorites),
        personal=True,
    ),
    Command("watch", "<movie> [| note]", "Add to your watchlist", library.watch, takes_movie=True),
    Command("unwatch", "<movie>", "Remove from your watchlist", library.unwatch, takes_movie=True),
    Command("watched", "<movie>", "Mark a movie as watched", library.watched, takes_movie=True),
    Command(
        "watchlist",
        "[words] [genre:x] [sort:year] [page]",
        "Movies you want to watch",
        _filtered(library.watchlist),
        personal=True,
    ),
    Command("rate", "<movie> <1-5>", "Rate a movie from 1 to 5 stars", ratings.rate, takes_movie=True),
    Command("review", "<movie> | <text>", "Review a movie you rated", ratings.review, takes_movie=True),
    Command("reviews", "<movie>", "Read reviews of a movie", ratings.reviews, takes_movie=True),
    Command("history", "", "Recently added and removed", _paged(account.history), personal=True),
    Command("profile", "", "Your stats", _no_args(account.profile), personal=True),
    Command("settings", "[name value]", "Timezone, region, notifications", account.settings, personal=True),
    Command("trending", "[day|week]", "Trending movies", _trending),
    Command("upcoming", "", "Releases coming soon (with TMDb)", _paged(discovery.upcoming), slow=True),
    Command("recommend", "", "Picks for you", _paged(discovery.recommend), slow=True, personal=True),
    Command("about", "", "Data sources and credits", _no_args(info.about)),
    Command("stats", "", "Usage analytics (admins)", _no_args(admin.stats), personal=True, admin=True),
)
BY_NAME = {c.name: c for c in COMMANDS}

# ---- button actions ------------------------------------------------------------------------

MovieIntent = Callable[[Services, Requester, int], Awaitable[Reply]]


def _change(op: MovieOp) -> MovieIntent:
    async def run(s: Services, who: Requester, movie_id: int) -> Reply:
        return await library.change(s, who, op, movie_id, edit=True)

    return run


MOVIE_PRESSES: dict[MovieOp, MovieIntent] = {
    MovieOp.OPEN: search.open_movie,
    MovieOp.SHARE: search.open_movie,
    MovieOp.FAVORITE: _change(MovieOp.FAVORITE),
    MovieOp.UNFAVORITE: _change(MovieOp.UNFAVORITE),
    MovieOp.WATCHLIST_ADD: _change(MovieOp.WATCHLIST_ADD),
    MovieOp.WATCHLIST_REMOVE: _change(MovieOp.WATCHLIST_REMOVE),
    MovieOp.WATCHED: _change(MovieOp.WATCHED),
    MovieOp.SNOOZE: _change(MovieOp.SNOOZE),
    MovieOp.RATE_PICKER: ratings.picker,
    MovieOp.REVIEW_PROMPT: ratings.review_prompt,
    MovieOp.SIMILAR: discovery.similar,
    MovieOp.DISMISS: discovery.dismiss,
    MovieOp.PICK: discovery.pick,
}

PageIntent = Callable[[Services, Requester, PageAction, str], Awaitable[Reply]]


async def _search_page(s: Services, who: Requester, action: PageAction, text: str) -> Reply:
    if not text:
        raise_stale()
    return await search.search(s, who, text, action.page, token=action.token, edit=True)


PAGES: dict[ListName, PageIntent] = {
    ListName.SEARCH: _search_page,
    ListName.FAVORITES: lambda s, who, a, text: library.favorites(s, who, text, a.page, token=a.token, edit=True),
    ListName.WATCHLIST: lambda s, who, a, text: library.watchlist(s, who, text, a.page, token=a.token, edit=True),
    ListName.WATCHED: lambda s, who, a, text: library.watchlist(
        s, who, text, a.page, watched=True, token=a.token, edit=True
    ),
    ListName.HISTORY: lambda s, who, a, _text: account.history(s, who, a.page, edit=True),
    ListName.UPCOMING: lambda s, who, a, _text: discovery.upcoming(s, who, a.page, edit=True),
    ListName.TRENDING: lambda s, who, a, text: discovery.trending(
        s, who, a.page, window=discovery.trending_window(text) or "week", token=a.token, edit=True
    ),
    ListName.RECOMMEND: lambda s, who, a, _text: discovery.recommend(s, who, a.page, edit=True),
}


async def _page(s: Services, who: Requester, action: PageAction) -> Reply:
    async with s.uow() as uow:
        text = await stored_text(s, uow, action.token)
    return await PAGES[action.list](s, who, action, text)


async def _movie(s: Services, who: Requester, action: MovieAction) -> Reply:
    return await MOVIE_PRESSES[action.op](s, who, action.movie_id)


ActionIntent = Callable[[Services, Requester, Any], Awaitable[Reply]]

# One row per kind of button action (bot.actions.Action); within a kind, MOVIE_PRESSES and PAGES pick the intent.
PRESSES: dict[type, ActionIntent] = {
    MovieAction: _movie,
    RateAction: lambda s, who, a: ratings.rate_movie(s, who, a.movie_id, a.stars, edit=True),
    ReviewsPage: lambda s, who, a: ratings.reviews_page(s, who, a.movie_id, a.page, edit=True),
    ToggleSetting: lambda s, who, a: account.toggle_setting(s, who, a.setting),
    ChooseSetting: lambda s, who, a: account.choose_setting(s, who, a.setting, a.value),
    PageAction: _page,
}


async def press(s: Services, who: Requester, action: Action) -> Reply:
    """Run the intent behind a decoded button action, for whoever pressed it."""
    return await PRESSES[type(action)](s, who, action)
