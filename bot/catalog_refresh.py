"""Keep TMDb's data within its terms: stamp what we store from it, refresh or drop it well before six months.

TMDb lets API users keep its content for six months at most. Every movie stored
from a TMDb answer carries when it was fetched (`store_fetched`); a daily job
(`refresh_stale_tmdb`, scheduled from bot/scheduler.py) fetches again what is
getting old, and strips the TMDb-only content (overview, poster, keywords) of
movies TMDb no longer has. Titles, years and genres stay, so users' lists,
ratings and history keep their meaning.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace

from domain.catalog import CatalogUnavailable, RemoteCatalog
from domain.models import Movie, MovieDraft
from domain.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("moviebot.catalog")

MAX_AGE = dt.timedelta(days=150)  # a month inside the limit, so missed runs or a long TMDb outage never cross it
BATCH = 500  # per daily run: a few minutes of TMDb calls at most, and a catalog of 75k TMDb movies stays covered


async def store_fetched(uow: UnitOfWork, drafts: Sequence[MovieDraft], now: dt.datetime) -> tuple[Movie, ...]:
    """Upsert drafts that TMDb has just returned, stamped with when, in the caller's unit of work.

    The stamp is what lets the refresh job find them before TMDb's limit.
    """
    return tuple([(await uow.movies.upsert(replace(d, fetched_at=now), now))[0] for d in drafts])


async def refresh_stale_tmdb(
    uow: UnitOfWorkFactory,
    remote: RemoteCatalog,
    now: dt.datetime,
    *,
    max_age: dt.timedelta = MAX_AGE,
    limit: int = BATCH,
) -> int:
    """Fetch again the movies whose TMDb content is older than `max_age`, oldest first; return how many were refreshed.

    TMDb's current answer replaces what we had (content TMDb has since removed
    goes too); a movie TMDb no longer has (404) only loses its TMDb content.
    When TMDb stops answering the run ends early: the rest stay stale and come
    first next time. One short write per movie, so no transaction waits on HTTP.
    """
    async with uow() as reader:
        stale = await reader.movies.stale_tmdb(now - max_age, limit)
    refreshed = forgotten = 0
    for movie in stale:
        if movie.tmdb_id is None:  # stale_tmdb only returns movies with one; this narrows the type
            continue
        try:
            draft = await remote.details(movie.tmdb_id)
        except CatalogUnavailable:
            log.warning(
                "TMDb unavailable: refreshed %d of %d stale movies, the rest wait for the next run",
                refreshed,
                len(stale),
            )
            break
        async with uow(write=True) as writer:
            await writer.movies.forget_tmdb(movie.id, now)
            if draft is not None:
                await store_fetched(writer, (draft,), now)
            await writer.commit()
        refreshed += draft is not None
        forgotten += draft is None
    log.info("TMDb refresh: %d movies refreshed; %d no longer on TMDb kept only their facts", refreshed, forgotten)
    return refreshed
