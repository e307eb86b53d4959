"""Find the one movie a user named, or ask: storage finds candidates, domain.resolution decides.

Write intents (/fav, /watch, /rate, …) call this, so a film is only changed
when the words leave no doubt; otherwise the user gets a choice whose buttons
carry the action they asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot import screens
from bot.actions import Action
from bot.reply import Reply
from bot.services import Services, movie_by_id, store_remote
from domain.catalog import CatalogUnavailable
from domain.errors import NotFound
from domain.models import Movie
from domain.ports import UnitOfWork
from domain.query import parse_movie_ref, parse_search
from domain.resolution import Choice, pick_exact, pick_from_hits, pick_in_year, year_mismatch

CHOICES = 5


async def resolve(s: Services, uow: UnitOfWork, text: str, action_for: Callable[[Movie], Action]) -> Movie | Reply:
    """The movie `text` names (an #id, a TMDb id, a title with an optional year), or a Reply asking which."""
    ref = parse_movie_ref(text)
    if ref.movie_id is not None:
        return await movie_by_id(uow, ref.movie_id)
    if ref.tmdb_id is not None:
        found = await uow.movies.get_by_tmdb(ref.tmdb_id) or await _import_tmdb(s, ref.tmdb_id)
        if found is not None:
            return found
        if not ref.title:
            raise NotFound(f"No movie with TMDb id {ref.tmdb_id} in {s.catalog_name}.")
    decided = await _by_title(uow, ref.title, ref.year)
    if isinstance(decided, Choice):
        return screens.choice_reply(decided.question, decided.movies, action_for)
    return decided


async def _by_title(uow: UnitOfWork, title: str, year: int | None) -> Movie | Choice:
    if year is not None:
        # "Blade Runner 2049" and "2001" are titles before they are a title and a year.
        whole = pick_exact(f"{title} {year}", await uow.movies.find_by_title(f"{title} {year}", None))
        if whole is not None:
            return whole
        in_year = pick_in_year(title, year, await uow.movies.find_by_title(title, None))
        if in_year is not None:
            return in_year
        query = parse_search(title)
        hits = await uow.movies.search(replace(query, years=((year, year),)), 1, CHOICES)
        if hits.items:
            return pick_from_hits(f"{title} {year}", hits.items, hits.total)
        raise year_mismatch(title, year, (await uow.movies.search(query, 1, CHOICES)).items)
    exact = pick_exact(title, await uow.movies.find_by_title(title, None))
    if exact is not None:
        return exact
    hits = await uow.movies.search(parse_search(title), 1, CHOICES)
    return pick_from_hits(title, hits.items, hits.total)


async def _import_tmdb(s: Services, tmdb_id: int) -> Movie | None:
    """Fetch a movie TMDb knows and we do not, and store it locally.

    Lists, ratings and history then never depend on TMDb being up. The
    upsert matches on tmdb_id, then title + year, so a bundled movie gains
    its TMDb id instead of being duplicated.
    """
    if s.remote is None:
        return None
    try:
        draft = await s.remote.details(tmdb_id)
    except CatalogUnavailable:
        raise NotFound(
            f"TMDb id {tmdb_id} is not in the offline catalog, and TMDb is not answering right now. Try again later."
        ) from None
    if draft is None:
        return None
    return (await store_remote(s, (draft,)))[0]
