"""Favorites and the watchlist: add, remove, mark watched, and the paged lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot import screens
from bot.actions import ListName, MovieAction, MovieOp, PageAction
from bot.reply import Button, Reply
from bot.resolve import resolve
from bot.services import Requester, Services, card, movie_by_id, page_token, user_of, write
from domain.models import ChangeOutcome
from domain.ports import LibraryRepository
from domain.query import ListFilter, parse_list_filter
from domain.text import clean_user_text

DONE = ChangeOutcome.DONE
MAX_NOTE = 200

_MESSAGES: dict[MovieOp, tuple[str, str]] = {
    MovieOp.FAVORITE: ("❤ Added to your favorites.", "Already in your favorites."),
    MovieOp.UNFAVORITE: ("Removed from your favorites.", "It wasn't in your favorites."),
    MovieOp.WATCHLIST_ADD: ("➕ Added to your watchlist.", "Already on your watchlist."),
    MovieOp.WATCHLIST_REMOVE: ("Removed from your watchlist.", "It wasn't on your watchlist."),
    MovieOp.WATCHED: ("👁 Marked as watched.", "Already marked as watched."),
    MovieOp.SNOOZE: ("⏰ Snoozed: no nudge about it for 2 weeks.", "It's no longer waiting on your watchlist."),
}
SNOOZE_FOR = dt.timedelta(weeks=2)
WATCHED_KEPT = "You've watched it, so it stays in your watched films."


async def change(
    s: Services, who: Requester, op: MovieOp, movie_id: int, note: str | None = None, *, edit: bool
) -> Reply:
    """Apply one list change to a movie by id and show its card with what happened."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
        now = s.now()
        outcome: Callable[[LibraryRepository], Awaitable[ChangeOutcome]] = {
            MovieOp.FAVORITE: lambda lib: lib.add_favorite(user.id, movie.id, now),
            MovieOp.UNFAVORITE: lambda lib: lib.remove_favorite(user.id, movie.id, now),
            MovieOp.WATCHLIST_ADD: lambda lib: lib.add_to_watchlist(user.id, movie.id, now, note),
            MovieOp.WATCHLIST_REMOVE: lambda lib: lib.remove_from_watchlist(user.id, movie.id, now),
            MovieOp.WATCHED: lambda lib: lib.mark_watched(user.id, movie.id, now),
            MovieOp.SNOOZE: lambda lib: lib.snooze(user.id, movie.id, now + SNOOZE_FOR),
        }[op]
        result = await write(s, uow, lambda w: outcome(w.library))
        done, unchanged = _MESSAGES[op]
        message = done if result is DONE else unchanged
        if (
            op is MovieOp.WATCHLIST_REMOVE
            and result is not DONE
            and (await uow.library.status(user.id, movie.id)).watched
        ):
            message = WATCHED_KEPT
        return await card(
            s, uow, user, movie, edit=edit, toast=message, note=None if edit else f"{message} {movie.label}"
        )


async def _change_by_text(s: Services, who: Requester, op: MovieOp, text: str, note: str | None = None) -> Reply:
    async with s.uow() as uow:
        await user_of(s, uow, who)
        found = await resolve(s, uow, text, lambda m: MovieAction(op, m.id))
    if isinstance(found, Reply):
        return found
    return await change(s, who, op, found.id, note, edit=False)


async def fav(s: Services, who: Requester, text: str) -> Reply:
    """/fav <movie>: add to favorites (idempotent)."""
    return await _change_by_text(s, who, MovieOp.FAVORITE, text)


async def unfav(s: Services, who: Requester, text: str) -> Reply:
    """/unfav <movie>: remove from favorites."""
    return await _change_by_text(s, who, MovieOp.UNFAVORITE, text)


async def watch(s: Services, who: Requester, text: str) -> Reply:
    """/watch <movie> [| note]: add to the watchlist with an optional note."""
    title, _, note = text.partition("|")
    return await _change_by_text(s, who, MovieOp.WATCHLIST_ADD, title, clean_user_text(note)[:MAX_NOTE] or None)


async def unwatch(s: Services, who: Requester, text: str) -> Reply:
    """/unwatch <movie>: take off the to-watch list (a watched film keeps its record)."""
    return await _change_by_text(s, who, MovieOp.WATCHLIST_REMOVE, text)


async def watched(s: Services, who: Requester, text: str) -> Reply:
    """/watched <movie>: mark as watched (adds it to the watchlist if needed)."""
    return await _change_by_text(s, who, MovieOp.WATCHED, text)


def _empty(flt: ListFilter, default: str) -> str:
    return default if flt.is_default else f"Nothing matches {flt.describe()}."


async def favorites(
    s: Services, who: Requester, args: str = "", page: int = 1, *, token: str | None = None, edit: bool = False
) -> Reply:
    """/favorites [filters] [page]: the user's favorites, filtered, sorted and paged."""
    flt = parse_list_filter(args)
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        result = await uow.library.favorites(user.id, flt, page, s.page_size)
        token = await page_token(s, uow, args, result.pages, token)
    return screens.list_reply(
        "❤ Your favorites",
        result,
        screens.listed_lines(result, s.now()),
        [i.movie for i in result.items],
        lambda p: PageAction(ListName.FAVORITES, p, token),
        empty=_empty(flt, "No favorites yet: /search a movie and tap ❤."),
        subtitle=flt.describe() or None,
        edit=edit,
        ephemeral=True,
    )


async def watchlist(
    s: Services,
    who: Requester,
    args: str = "",
    page: int = 1,
    *,
    watched: bool = False,
    token: str | None = None,
    edit: bool = False,
) -> Reply:
    """/watchlist [filters] [page]: movies to watch (or, from its button, the watched ones)."""
    flt = parse_list_filter(args)
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        result = await uow.library.watchlist(user.id, flt, page, s.page_size, watched)
        other = await uow.library.watchlist(user.id, flt, 1, 1, not watched)
        token = await page_token(s, uow, args, 2, token)  # the switch button keeps the filter too
    name = ListName.WATCHED if watched else ListName.WATCHLIST
    reply = screens.list_reply(
        "👁 Watched" if watched else "🎞 Your watchlist",
        result,
        screens.listed_lines(result, s.now()),
        [i.movie for i in result.items],
        lambda p: PageAction(name, p, token),
        empty=_empty(
            flt, "Nothing watched yet." if watched else "Your watchlist is empty: /search a movie and tap ➕."
        ),
        subtitle=flt.describe() or None,
        edit=edit,
        ephemeral=True,
    )
    switch = Button(
        f"🎞 To watch ({other.total})" if watched else f"👁 Watched ({other.total})",
        PageAction(ListName.WATCHLIST if watched else ListName.WATCHED, 1, token),
        key="w",
    )
    return replace(reply, buttons=(*reply.buttons, (switch,)))
