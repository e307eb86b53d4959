"""In-memory fakes of the storage ports (cosmicpython's FakeRepository / FakeUnitOfWork), for unit tests of bot/.

They keep just enough of storage's behaviour for intents to be specified
without a database: exact-title lookup folded like storage folds it, a
substring search, idempotent adds, and commits that are all-or-nothing (a
unit of work left without commit changes nothing). Storage's own behaviour is
specified by the integration tests against SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from domain.models import (
    ChangeOutcome,
    Identity,
    ListedMovie,
    Movie,
    MovieStatus,
    Page,
    PendingPrompt,
    RatingStats,
    Review,
    Signal,
    SignalKind,
    User,
    UserSettings,
)
from domain.query import ListFilter, SearchQuery
from domain.text import normalize

DONE, UNCHANGED = ChangeOutcome.DONE, ChangeOutcome.UNCHANGED


@dataclass
class Entry:
    added_at: dt.datetime
    watched_at: dt.datetime | None = None
    note: str | None = None


@dataclass
class Store:
    """Everything the fakes hold: what a database would."""

    movies: dict[int, Movie] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    identities: dict[Identity, int] = field(default_factory=dict)
    favorites: dict[tuple[int, int], Entry] = field(default_factory=dict)
    watchlist: dict[tuple[int, int], Entry] = field(default_factory=dict)
    ratings: dict[tuple[int, int], tuple[int, str | None, dt.datetime]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)
    prompts: dict[tuple[int, str], PendingPrompt] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1))


def _page(items: Sequence[Any], page: int, size: int) -> Page[Any]:
    start = (page - 1) * size
    return Page(items=tuple(items[start : start + size]), page=page, page_size=size, total=len(items))


class FakeUsers:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def find(self, identity: Identity) -> User | None:
        user_id = self.s.identities.get(identity)
        return self.s.users.get(user_id) if user_id is not None else None

    async def get_or_create(self, identity: Identity, display_name: str, now: dt.datetime) -> User:
        found = await self.find(identity)
        if found is not None:
            return found
        user = User(id=next(self.s.ids), display_name=display_name, settings=UserSettings(), created_at=now)
        self.s.users[user.id] = user
        self.s.identities[identity] = user.id
        return user

    async def get(self, user_id: int) -> User | None:
        return self.s.users.get(user_id)

    async def update_settings(self, user_id: int, settings: UserSettings, now: dt.datetime) -> None:
        self.s.users[user_id] = replace(self.s.users[user_id], settings=settings)

    async def set_reachable(self, user_id: int, reachable: bool) -> None:
        self.s.users[user_id] = replace(self.s.users[user_id], reachable=reachable)


class FakeMovies:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def get(self, movie_id: int) -> Movie | None:
        return self.s.movies.get(movie_id)

    async def get_by_tmdb(self, tmdb_id: int) -> Movie | None:
        return next((m for m in self.s.movies.values() if m.tmdb_id == tmdb_id), None)

    async def find_by_title(self, title: str, year: int | None) -> list[Movie]:
        norm = normalize(title)
        return [m for m in self.s.movies.values() if normalize(m.title) == norm and year in (None, m.year)]

    async def search(self, query: SearchQuery, page: int, page_size: int) -> Page[Movie]:
        words = normalize(query.title).split()
        hits = [
            m
            for m in self.s.movies.values()
            if all(w in normalize(m.title) for w in words)
            and all(g in m.genres for g in query.genres)
            and (not query.years or any(lo <= (m.year or 0) <= hi for lo, hi in query.years))
        ]
        return _page(sorted(hits, key=lambda m: (-m.popularity, m.id)), page, page_size)

    async def popular(
        self, page: int, page_size: int, genres: Sequence[str] = (), exclude_user: int | None = None
    ) -> Page[Movie]:
        hits = [m for m in self.s.movies.values() if not genres or set(genres) & set(m.genres)]
        return _page(sorted(hits, key=lambda m: (-m.popularity, m.id)), page, page_size)

    async def many(self, movie_ids: Sequence[int]) -> dict[int, Movie]:
        return {i: self.s.movies[i] for i in movie_ids if i in self.s.movies}


class FakeLibrary:
    def __init__(self, store: Store) -> None:
        self.s = store

    @staticmethod
    def _add(table: dict[tuple[int, int], Entry], key: tuple[int, int], entry: Entry) -> ChangeOutcome:
        if key in table:
            return UNCHANGED
        table[key] = entry
        return DONE

    async def add_favorite(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        return self._add(self.s.favorites, (user_id, movie_id), Entry(now))

    async def remove_favorite(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        return DONE if self.s.favorites.pop((user_id, movie_id), None) else UNCHANGED

    async def add_to_watchlist(self, user_id: int, movie_id: int, now: dt.datetime, note: str | None) -> ChangeOutcome:
        return self._add(self.s.watchlist, (user_id, movie_id), Entry(now, note=note))

    async def remove_from_watchlist(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        entry = self.s.watchlist.get((user_id, movie_id))
        if entry is None or entry.watched_at is not None:
            return UNCHANGED
        del self.s.watchlist[(user_id, movie_id)]
        return DONE

    async def mark_watched(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        entry = self.s.watchlist.setdefault((user_id, movie_id), Entry(now))
        if entry.watched_at is not None:
            return UNCHANGED
        entry.watched_at = now
        return DONE

    async def rate(self, user_id: int, movie_id: int, stars: int, now: dt.datetime) -> ChangeOutcome:
        old = self.s.ratings.get((user_id, movie_id))
        if old is not None and old[0] == stars:
            return UNCHANGED
        self.s.ratings[(user_id, movie_id)] = (stars, old[1] if old else None, now)
        return DONE

    async def review(self, user_id: int, movie_id: int, text: str, now: dt.datetime) -> bool:
        old = self.s.ratings.get((user_id, movie_id))
        if old is None:
            return False
        self.s.ratings[(user_id, movie_id)] = (old[0], text, now)
        return True

    async def status(self, user_id: int, movie_id: int) -> MovieStatus:
        entry = self.s.watchlist.get((user_id, movie_id))
        rating = self.s.ratings.get((user_id, movie_id))
        return MovieStatus(
            favorite=(user_id, movie_id) in self.s.favorites,
            on_watchlist=entry is not None,
            watched=entry is not None and entry.watched_at is not None,
            stars=rating[0] if rating else None,
            review=rating[1] if rating else None,
        )

    async def rating_stats(self, movie_id: int) -> RatingStats:
        stars = [r[0] for (_u, m), r in self.s.ratings.items() if m == movie_id]
        return RatingStats(sum(stars) / len(stars) if stars else None, len(stars))

    async def card_facts(self, user_id: int, movie_id: int) -> tuple[RatingStats, MovieStatus]:
        return await self.rating_stats(movie_id), await self.status(user_id, movie_id)

    async def favorites(self, user_id: int, flt: ListFilter, page: int, page_size: int) -> Page[ListedMovie]:
        items = [ListedMovie(self.s.movies[m], e.added_at) for (u, m), e in self.s.favorites.items() if u == user_id]
        return _page(items, page, page_size)

    async def watchlist(
        self, user_id: int, flt: ListFilter, page: int, page_size: int, watched: bool | None
    ) -> Page[ListedMovie]:
        items = [
            ListedMovie(self.s.movies[m], e.added_at, e.watched_at, e.note)
            for (u, m), e in self.s.watchlist.items()
            if u == user_id and (watched is None or (e.watched_at is not None) == watched)
        ]
        return _page(items, page, page_size)

    async def reviews(self, movie_id: int, page: int, page_size: int) -> Page[Review]:
        items = [
            Review(self.s.users[u].display_name, r[0], r[1], r[2])
            for (u, m), r in self.s.ratings.items()
            if m == movie_id and r[1]
        ]
        return _page(items, page, page_size)

    async def signals(self, user_id: int | None = None) -> list[Signal]:
        return [
            Signal(user_id=u, movie_id=m, kind=SignalKind.FAVORITE, at=e.added_at)
            for (u, m), e in self.s.favorites.items()
            if user_id in (None, u)
        ]


class FakeTokens:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def put(self, text: str, now: dt.datetime) -> str:
        token = f"t{len(self.s.tokens):09d}"
        self.s.tokens[token] = (text, now)
        return token

    async def fresh(self, text: str, now: dt.datetime) -> str | None:
        return next((t for t, (known, _at) in self.s.tokens.items() if known == text), None)

    async def get(self, token: str, now: dt.datetime) -> str | None:
        known = self.s.tokens.get(token)
        return known[0] if known else None


class FakePrompts:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def get(self, user_id: int, chat: str, now: dt.datetime) -> PendingPrompt | None:
        prompt = self.s.prompts.get((user_id, chat))
        return prompt if prompt is not None and prompt.expires_at > now else None

    async def put(self, prompt: PendingPrompt) -> None:
        self.s.prompts[(prompt.user_id, prompt.chat)] = prompt

    async def clear(self, user_id: int, chat: str) -> bool:
        return self.s.prompts.pop((user_id, chat), None) is not None


class FakeUnitOfWork:
    """A unit of work over a private copy of the store, published on commit (so no commit changes nothing)."""

    def __init__(self, store: Store, write: bool) -> None:
        self._store = store
        self.writable = write

    def _bind(self, store: Store) -> None:
        self._work = store
        self.users, self.movies, self.library = FakeUsers(store), FakeMovies(store), FakeLibrary(store)
        self.tokens, self.prompts = FakeTokens(store), FakePrompts(store)
        self.notifications: Any = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._bind(copy.deepcopy(self._store) if self.writable else self._store)
        return self

    async def commit(self) -> None:
        for name in ("users", "identities", "favorites", "watchlist", "ratings", "tokens", "prompts"):
            setattr(self._store, name, getattr(self._work, name))
        self._store.ids = self._work.ids

    async def restart(self) -> None:
        self._bind(self._store)

    async def __aexit__(self, *exc: object) -> None:
        return None


class FakeUnitOfWorkFactory:
    """UnitOfWorkFactory over one in-memory store."""

    def __init__(self, movies: Sequence[Movie]) -> None:
        self.store = Store(movies={m.id: m for m in movies})

    def __call__(self, write: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, write)
