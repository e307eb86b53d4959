"""The one small context every intent runs over, and the steps intents share.

Intents (bot/intents) are plain functions of `Services`; this module holds what
several of them need: the requester's user, the write step, the movie card,
and TMDb lists stored locally. Nothing here knows which platform asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, NoReturn, TypeVar

from bot import screens
from bot.catalog_refresh import store_fetched
from bot.recommendations import RecommendationService
from bot.reply import Reply
from domain.catalog import CatalogUnavailable, RemoteCatalog, WatchProviders
from domain.errors import NotFound, StaleAction
from domain.models import Identity, Movie, MovieDraft, Page, Platform, User
from domain.ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")

OFFLINE_CATALOG = "the bundled offline catalog (MovieLens titles, years and genres)"
REMOTE_PAGE_SIZE = 20  # TMDb's; our pages are smaller, so one of its pages serves several of ours

RemoteFetch = Callable[[RemoteCatalog, int], Awaitable[Page[MovieDraft]]]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking, as the platform says: never taken from a button payload."""

    platform: Platform
    external_id: str
    display_name: str = ""

    @property
    def identity(self) -> Identity:
        return Identity(self.platform, self.external_id)


@dataclass(frozen=True, slots=True)
class Services:
    """What intents need: storage, the clock, the catalogs, the recommender, and a few settings."""

    uow: UnitOfWorkFactory
    recommendations: RecommendationService
    clock: Callable[[], dt.datetime] = utc_now
    page_size: int = 5
    catalog_name: str = OFFLINE_CATALOG
    poster_url: Callable[[str], str | None] = lambda path: None
    remote: RemoteCatalog | None = None
    admins: frozenset[str] = frozenset()  # "platform:external_id", from config (MOVIEBOT_ADMINS)

    @classmethod
    def over(cls, uow: UnitOfWorkFactory, **settings: Any) -> Services:
        """Services over a unit-of-work factory, with a recommender fed from it unless one is given."""
        settings.setdefault("recommendations", RecommendationService(uow))
        return cls(uow, **settings)

    def now(self) -> dt.datetime:
        return self.clock()


def raise_stale() -> NoReturn:
    raise StaleAction("This list has expired. Run the command again.")


# ---- users -------------------------------------------------------------------------------


async def user_of(s: Services, uow: UnitOfWork, who: Requester) -> User:
    """The requester's user, created on first contact; writing again marks them reachable."""
    user = await uow.users.find(who.identity)
    if user is not None and user.reachable:
        return user
    if uow.writable:
        # Same transaction: a nested writer would wait forever for SQLite's single write connection.
        return await _register(s, uow, who, user)
    known = user
    return await write(s, uow, lambda w: _register(s, w, who, known))


async def _register(s: Services, uow: UnitOfWork, who: Requester, known: User | None) -> User:
    """Create the user on first contact (`known` is None), and mark them reachable (they just wrote)."""
    user = known or await uow.users.get_or_create(who.identity, who.display_name or who.external_id, s.now())
    if not user.reachable:
        await uow.users.set_reachable(user.id, True)
        user = replace(user, reachable=True)
    return user


async def write(s: Services, uow: UnitOfWork, change: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run `change` in a write transaction of its own, then move the read `uow` past it.

    Intents look the user and the movie up in a read unit of work (usually
    from the caches, with no SQL at all), so SQLite's single writer is held
    only for the statements that write. Later reads through `uow` see the
    change.
    """
    # End the read transaction first: its connection goes back to the pool (PostgreSQL shares one pool for
    # both, so two held at once could starve it), and the next read starts a snapshot that includes the write.
    await uow.restart()
    async with s.uow(write=True) as w:
        result = await change(w)
        await w.commit()
    return result


# ---- movies and cards ----------------------------------------------------------------------


async def movie_by_id(uow: UnitOfWork, movie_id: int) -> Movie:
    movie = await uow.movies.get(movie_id)
    if movie is None:
        raise NotFound("That movie is no longer in the catalog.")
    return movie


async def card(
    s: Services,
    uow: UnitOfWork,
    user: User,
    movie: Movie,
    *,
    where_to_watch: bool = True,
    picker: bool = False,
    edit: bool = False,
    toast: str | None = None,
    note: str | None = None,
) -> Reply:
    """The movie's card as this user sees it (their lists and stars; where to watch in their region)."""
    # TMDb first: callers holding a write unit of work have committed, so no transaction (SQLite's single
    # writer) stays open across the HTTP call; the reads below start a fresh one.
    providers = await _where_to_watch(s, user, movie) if where_to_watch else None
    stats, status = await uow.library.card_facts(user.id, movie.id)
    poster = s.poster_url(movie.poster_path) if movie.poster_path else None
    return screens.card_reply(
        screens.card_for(movie, stats, status, poster, providers), picker=picker, edit=edit, toast=toast, note=note
    )


async def _where_to_watch(s: Services, user: User, movie: Movie) -> WatchProviders | None:
    """Where the movie streams, rents or sells in the user's region; None without TMDb or when it fails.

    A card without this line is still a card: a TMDb outage only omits it.
    """
    if s.remote is None or movie.tmdb_id is None:
        return None
    try:
        return await s.remote.watch_providers(movie.tmdb_id, user.settings.region)
    except CatalogUnavailable:
        return None


# ---- TMDb lists, stored locally ---------------------------------------------------------------


async def store_remote(s: Services, drafts: tuple[MovieDraft, ...]) -> tuple[Movie, ...]:
    """Store drafts TMDb returned, stamped for the six-month refresh (see bot.catalog_refresh)."""
    async with s.uow(write=True) as uow:
        movies = await store_fetched(uow, drafts, s.now())
        await uow.commit()
    return movies


async def remote_list(s: Services, fetch: RemoteFetch, page: int) -> tuple[Page[Movie] | None, str | None]:
    """Our `page` of a TMDb list, its shown hits stored locally (buttons carry internal ids).

    (None, None) without TMDb; (None, notice) when TMDb fails, so the
    caller falls back to the local catalog and says so.
    """
    if s.remote is None:
        return None, None
    size = s.page_size
    first = (page - 1) * size
    try:
        remote = await fetch(s.remote, first // REMOTE_PAGE_SIZE + 1)
    except CatalogUnavailable as exc:
        return None, exc.message
    movies = await store_remote(s, remote.items[first % REMOTE_PAGE_SIZE : first % REMOTE_PAGE_SIZE + size])
    return Page(items=movies, page=page, page_size=size, total=remote.total), None


# ---- paging tokens ---------------------------------------------------------------------------


async def stored_text(s: Services, uow: UnitOfWork, token: str | None) -> str:
    """The query or filter text behind a page button's token ("" without one)."""
    if token is None:
        return ""
    text = await uow.tokens.get(token, s.now())
    if text is None:
        raise_stale()
    return text


async def page_token(s: Services, uow: UnitOfWork, text: str, pages: int, token: str | None = None) -> str | None:
    """The token a page button needs for `text`: reused when fresh (no write), stored only when needed."""
    text = text.strip()
    if token is not None or not text or pages <= 1:
        return token
    fresh = await uow.tokens.fresh(text, s.now())  # the common case, a repeated query: no write at all
    if fresh is not None:
        return fresh
    return await write(s, uow, lambda w: w.tokens.put(text, s.now()))
