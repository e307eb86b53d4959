"""The local catalog: search, lookups and upserts of movies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, delete, exists, func, insert, literal, literal_column, or_, select, update

from domain.models import Movie, MovieDraft, Page, UpsertOutcome
from domain.query import SearchQuery
from domain.text import normalize, strip_article
from storage.read_cache import MISSING, CacheReader
from storage.schema import FavoriteRow, GenreRow, MovieGenreRow, MovieRow, RatingRow, ReleaseDateRow, WatchlistRow
from storage.sql import SqlSession, contains_all, dialect_of, like_pattern, upsert_insert

_T = TypeVar("_T")

_FIELDS = (
    "title",
    "year",
    "tmdb_id",
    "imdb_id",
    "movielens_id",
    "original_title",
    "release_date",
    "overview",
    "poster_path",
    "runtime",
    "popularity",
)
_TMDB_CONTENT = {
    "overview": None,
    "poster_path": None,
    "keywords": "",
}  # what only TMDb supplies, cleared when it drops a movie


# asyncpg allows 32,767 bind parameters per statement; a movie row binds under 20.
BULK_ROWS = 1000


def _search_columns(title: str, original_title: str | None) -> dict[str, str]:
    norm_title = normalize(title)
    norm_original = normalize(original_title) if original_title else ""
    return {
        "norm_title": norm_title[:300],
        "norm_core": strip_article(norm_title)[:300],
        "norm_all": f"{norm_title} {norm_original}".strip()[:700],
    }


def to_movie(row: MovieRow, genres: Sequence[str] = ()) -> Movie:
    """Map a row (plus its genre names) to the domain value."""
    return Movie(
        id=row.id,
        title=row.title,
        year=row.year,
        genres=tuple(genres),
        tmdb_id=row.tmdb_id,
        imdb_id=row.imdb_id,
        movielens_id=row.movielens_id,
        original_title=row.original_title,
        release_date=row.release_date,
        overview=row.overview,
        poster_path=row.poster_path,
        runtime=row.runtime,
        popularity=row.popularity,
        keywords=tuple(k for k in row.keywords.split("|") if k),
    )


def _mark_fetched(row: MovieRow, draft: MovieDraft) -> None:
    """Date the row's TMDb content from this fetch when nothing older from TMDb remains in it.

    Keywords come only with full details; a list result (no keywords) upserted
    over a row holding older keywords must not make those look fresh.
    """
    if draft.fetched_at is not None and (draft.keywords or not row.keywords or row.tmdb_fetched_at is None):
        row.tmdb_fetched_at = draft.fetched_at


def genre_names_column(dialect: str) -> Any:
    """Correlated subquery: the movie's genre names joined by "|" (sorted when mapped)."""
    names = (
        func.string_agg(GenreRow.name, literal_column("'|'"))
        if dialect == "postgresql"
        else func.group_concat(GenreRow.name, "|")
    )
    return (
        select(names)
        .select_from(MovieGenreRow)
        .join(GenreRow, GenreRow.id == MovieGenreRow.genre_id)
        .where(MovieGenreRow.movie_id == MovieRow.id)
        .scalar_subquery()
    )


def movie_with_genres(row: MovieRow, names: str | None) -> Movie:
    return to_movie(row, sorted(names.split("|")) if names else ())


def genre_filter(genre: str) -> Any:
    """EXISTS clause: the movie has this genre."""
    return exists().where(
        MovieGenreRow.movie_id == MovieRow.id,
        MovieGenreRow.genre_id == GenreRow.id,
        GenreRow.name == genre,
    )


def title_filter(text: str) -> list[Any]:
    """Every word of the text must appear in the title or original title."""
    return contains_all(MovieRow.norm_all, normalize(text).split())


class SqlMovieRepository:
    """MovieRepository on SQLAlchemy."""

    def __init__(self, session: SqlSession, cache: CacheReader | None = None) -> None:
        """`cache` only for read-only units of work: a write transaction may still roll back."""
        self._session = session
        self._cache = cache
        self._genre_ids: dict[str, int] | None = None
        self.changed = False  # whether this unit of work changed the catalog (the cache must go)

    async def _cached(self, key: Hashable, load: Callable[[], Awaitable[_T]]) -> _T:
        if self._cache is None:
            return await load()
        value: _T = self._cache.get(key)  # a key names one query, so a hit holds what its load() returns
        if value is MISSING:
            value = await load()
            self._cache.put(key, value)
        return value

    async def _genres_of(self, movie_ids: Sequence[int]) -> dict[int, list[str]]:
        """Genre names for many movies in one query, in a stable order."""
        if not movie_ids:
            return {}
        rows = await self._session.execute(
            select(MovieGenreRow.movie_id, GenreRow.name)
            .join(GenreRow, GenreRow.id == MovieGenreRow.genre_id)
            .where(MovieGenreRow.movie_id.in_(movie_ids))
            .order_by(MovieGenreRow.movie_id, GenreRow.name)
        )
        found: dict[int, list[str]] = defaultdict(list)
        for movie_id, name in rows:
            found[movie_id].append(name)
        return found

    async def _hydrate(self, rows: Sequence[MovieRow]) -> list[Movie]:
        """Turn ORM rows in hand (after an upsert) into Movies with their genres."""
        genres = await self._genres_of([r.id for r in rows])
        return [to_movie(r, genres.get(r.id, ())) for r in rows]

    def genre_names(self) -> Any:
        """A column with the movie's genre names joined by "|": genres in the same round trip."""
        return genre_names_column(dialect_of(self._session))

    async def _movies(self, stmt: Select[Any]) -> list[Movie]:
        """Run a select of (MovieRow, genre_names, ...) and map the rows."""
        return [movie_with_genres(row[0], row[1]) for row in await self._session.execute(stmt)]

    def _select(self) -> Select[Any]:
        return select(MovieRow, self.genre_names())

    async def get(self, movie_id: int) -> Movie | None:
        return await self._cached(("id", movie_id), lambda: self._first(self._select().where(MovieRow.id == movie_id)))

    async def get_by_tmdb(self, tmdb_id: int) -> Movie | None:
        return await self._cached(
            ("tmdb", tmdb_id), lambda: self._first(self._select().where(MovieRow.tmdb_id == tmdb_id))
        )

    async def _first(self, stmt: Select[Any]) -> Movie | None:
        found = await self._movies(stmt)
        return found[0] if found else None

    async def find_by_title(self, title: str, year: int | None) -> list[Movie]:
        """Movies whose title (or original title) is exactly this, folded as domain.text.normalize folds.

        A leading article counts ("heat" is not "The Heat"): see domain.resolution.
        """
        norm = normalize(title)
        if not norm:
            return []
        return list(await self._cached(("title", norm, year), lambda: self._find_by_title(norm, year)))

    async def _find_by_title(self, norm: str, year: int | None) -> tuple[Movie, ...]:
        stmt = self._select().where(MovieRow.norm_title == norm)
        if year is not None:
            stmt = stmt.where(MovieRow.year == year)
        return tuple(await self._movies(stmt.order_by(MovieRow.popularity.desc(), MovieRow.id).limit(25)))

    async def _page(self, where: Any, order: Sequence[Any], page: int, page_size: int) -> Page[Movie]:
        """One page and the total in one query; a second only past the end.

        The inner select ranks and counts (a window count) over ids only, so the
        per-row genre lookup runs for the page's few rows, not every match.
        """
        ranked = (
            select(MovieRow.id, func.count().over().label("total"))
            .where(where)
            .order_by(*order)
            .offset((page - 1) * page_size)
            .limit(page_size)
            .subquery()
        )
        stmt = self._select().add_columns(ranked.c.total).join(ranked, ranked.c.id == MovieRow.id).order_by(*order)
        rows = (await self._session.execute(stmt)).all()
        if rows:
            total = rows[0][2]
        elif page == 1:
            total = 0
        else:
            total = (await self._session.execute(select(func.count()).select_from(MovieRow).where(where))).scalar_one()
        items = tuple(movie_with_genres(row[0], row[1]) for row in rows)
        return Page(items=items, page=page, page_size=page_size, total=total)

    async def search(self, query: SearchQuery, page: int, page_size: int) -> Page[Movie]:
        """Search ranked exact > prefix > word > substring, then by popularity."""
        return await self._cached(("search", query, page, page_size), lambda: self._search(query, page, page_size))

    async def _search(self, query: SearchQuery, page: int, page_size: int) -> Page[Movie]:
        conditions: list[Any] = []
        if query.movie_id is not None:
            conditions.append(MovieRow.id == query.movie_id)
        if query.tmdb_id is not None:
            conditions.append(MovieRow.tmdb_id == query.tmdb_id)
        conditions.extend(genre_filter(g) for g in query.genres)
        if query.years:
            conditions.append(or_(*(MovieRow.year.between(lo, hi) for lo, hi in query.years)))
        rank: Any = literal(0)
        if query.title:
            norm = normalize(query.title)
            if not norm:
                return Page(items=(), page=page, page_size=page_size, total=0)
            core = strip_article(norm)
            conditions.extend(title_filter(norm))
            rank = case(
                (or_(MovieRow.norm_title == norm, MovieRow.norm_core == core), 0),
                (
                    or_(
                        MovieRow.norm_core.like(like_pattern(core, ""), escape="\\"),
                        MovieRow.norm_title.like(like_pattern(norm, ""), escape="\\"),
                    ),
                    1,
                ),
                ((literal(" ") + MovieRow.norm_title).like(like_pattern(" " + norm), escape="\\"), 2),
                (MovieRow.norm_title.like(like_pattern(norm), escape="\\"), 3),
                else_=4,
            )
        where = and_(*conditions) if conditions else literal(True)
        return await self._page(
            where, (rank, MovieRow.popularity.desc(), MovieRow.year.desc(), MovieRow.id), page, page_size
        )

    async def popular(
        self, page: int, page_size: int, genres: Sequence[str] = (), exclude_user: int | None = None
    ) -> Page[Movie]:
        """Most popular movies, optionally in any of some genres and not yet seen by a user."""
        if exclude_user is not None:  # per user: never cached
            return await self._popular(page, page_size, genres, exclude_user)
        return await self._cached(
            ("popular", page, page_size, tuple(genres)), lambda: self._popular(page, page_size, genres, None)
        )

    async def _popular(self, page: int, page_size: int, genres: Sequence[str], exclude_user: int | None) -> Page[Movie]:
        conditions: list[Any] = []
        if genres:
            conditions.append(or_(*(genre_filter(g) for g in genres)))
        if exclude_user is not None:
            conditions.extend(
                ~exists().where(table.user_id == exclude_user, table.movie_id == MovieRow.id)
                for table in (FavoriteRow, WatchlistRow, RatingRow)
            )
        where = and_(*conditions) if conditions else literal(True)
        return await self._page(where, (MovieRow.popularity.desc(), MovieRow.id), page, page_size)

    async def all(self) -> list[Movie]:
        """The whole catalog with genres (recommender features); thousands of rows, read rarely."""
        return await self._movies(self._select().order_by(MovieRow.id))

    async def many(self, movie_ids: Sequence[int]) -> dict[int, Movie]:
        """Movies by id, in one query."""
        if not movie_ids:
            return {}
        return {m.id: m for m in await self._movies(self._select().where(MovieRow.id.in_(set(movie_ids))))}

    async def stale_tmdb(self, fetched_before: dt.datetime, limit: int) -> list[Movie]:
        """Movies whose TMDb content was fetched before a moment, oldest first (the refresh job's work list)."""
        stmt = (
            self._select()
            .where(MovieRow.tmdb_fetched_at < fetched_before, MovieRow.tmdb_id.is_not(None))
            .order_by(MovieRow.tmdb_fetched_at, MovieRow.id)
            .limit(limit)
        )
        return await self._movies(stmt)

    async def forget_tmdb(self, movie_id: int, now: dt.datetime) -> None:
        """Clear content only TMDb supplied (overview, poster, keywords), keeping the facts lists depend on.

        For movies TMDb no longer has: its terms do not let us keep their
        content, while title, year and genres keep users' lists meaningful.
        """
        self.changed = True
        await self._session.execute(
            update(MovieRow)
            .where(MovieRow.id == movie_id)
            .values(**_TMDB_CONTENT, tmdb_fetched_at=None, updated_at=now)
        )
        await self._session.execute(delete(ReleaseDateRow).where(ReleaseDateRow.movie_id == movie_id))

    async def count(self) -> int:
        return (await self._session.execute(select(func.count()).select_from(MovieRow))).scalar_one()

    async def _genre_id_map(self, names: Sequence[str]) -> dict[str, int]:
        """Ids for genre names, creating missing genres (idempotently)."""
        if self._genre_ids is None:
            self._genre_ids = dict((await self._session.execute(select(GenreRow.name, GenreRow.id))).all())
        missing = [n for n in dict.fromkeys(names) if n not in self._genre_ids]
        if missing:
            await self._session.execute(
                upsert_insert(self._session, GenreRow.__table__)
                .values([{"name": n} for n in missing])
                .on_conflict_do_nothing()
            )
            self._genre_ids = dict((await self._session.execute(select(GenreRow.name, GenreRow.id))).all())
        return self._genre_ids

    async def _set_genres(self, movie_id: int, genres: Sequence[str]) -> None:
        self.changed = True
        ids = await self._genre_id_map(genres)
        await self._session.execute(MovieGenreRow.__table__.delete().where(MovieGenreRow.movie_id == movie_id))
        if genres:
            await self._session.execute(
                MovieGenreRow.__table__.insert(),
                [{"movie_id": movie_id, "genre_id": ids[g]} for g in dict.fromkeys(genres)],
            )

    async def _match(self, draft: MovieDraft) -> MovieRow | None:
        """Find the row a draft describes: by a source id first, then by title + year."""
        for column, value in (
            (MovieRow.tmdb_id, draft.tmdb_id),
            (MovieRow.movielens_id, draft.movielens_id),
            (MovieRow.imdb_id, draft.imdb_id),
        ):
            if value is not None:
                row = (await self._session.execute(select(MovieRow).where(column == value))).scalar_one_or_none()
                if row is not None:
                    return row
        if draft.year is None:
            return None
        norm = normalize(draft.title)
        candidates = (
            (
                await self._session.execute(
                    select(MovieRow).where(MovieRow.norm_title == norm, MovieRow.year == draft.year)
                )
            )
            .scalars()
            .all()
        )
        # Only adopt a row that does not already belong to another source id.
        for row in candidates:
            if all(
                getattr(row, name) is None or getattr(draft, name) is None or getattr(row, name) == getattr(draft, name)
                for name in ("tmdb_id", "movielens_id", "imdb_id")
            ):
                return row
        return None

    async def upsert(self, draft: MovieDraft, now: dt.datetime) -> tuple[Movie, UpsertOutcome]:
        """Add a movie or fill in what a source knows about an existing one."""
        row = await self._match(draft)
        if row is None:
            row = MovieRow(**self._values(draft), updated_at=now)
            self._session.add(row)
            self.changed = True
            await self._session.flush()
            await self._set_genres(row.id, draft.genres)
            if draft.release_dates:
                await self._set_release_dates(row.id, draft.release_dates)
            return (await self._hydrate([row]))[0], UpsertOutcome.ADDED
        changed = False
        for name in _FIELDS:
            value = getattr(draft, name)
            if value is not None and value != getattr(row, name) and not (name == "popularity" and not value):
                setattr(row, name, value)
                changed = True
        if draft.keywords and "|".join(draft.keywords) != row.keywords:
            row.keywords = "|".join(draft.keywords)
            changed = True
        _mark_fetched(row, draft)
        if draft.release_dates:
            await self._set_release_dates(row.id, draft.release_dates)
        current = (await self._genres_of([row.id])).get(row.id, [])
        if draft.genres and sorted(draft.genres) != sorted(current):
            await self._set_genres(row.id, draft.genres)
            changed = True
        if changed:
            self.changed = True
            for key, value in _search_columns(row.title, row.original_title).items():
                setattr(row, key, value)
            row.updated_at = now
            await self._session.flush()
        return (await self._hydrate([row]))[0], UpsertOutcome.UPDATED if changed else UpsertOutcome.UNCHANGED

    @staticmethod
    def _values(draft: MovieDraft) -> dict[str, Any]:
        values = {name: getattr(draft, name) for name in _FIELDS}
        values["keywords"] = "|".join(draft.keywords)
        values["tmdb_fetched_at"] = draft.fetched_at
        values.update(_search_columns(draft.title, draft.original_title))
        return values

    async def _set_release_dates(self, movie_id: int, dates: Sequence[tuple[str, dt.date]]) -> None:
        """Replace the film's regional release dates with what the source says now (dates move)."""
        await self._session.execute(delete(ReleaseDateRow).where(ReleaseDateRow.movie_id == movie_id))
        await self._session.execute(
            insert(ReleaseDateRow.__table__),
            [{"movie_id": movie_id, "region": region, "release_date": day} for region, day in dates],
        )

    async def bulk_insert(self, drafts: Sequence[MovieDraft], now: dt.datetime) -> int:
        """Insert many new movies fast (seeding an empty catalog); returns how many."""
        if not drafts:
            return 0
        self.changed = True
        ids = await self._genre_id_map([g for d in drafts for g in d.genres])
        inserted = 0
        for start in range(0, len(drafts), BULK_ROWS):
            chunk = drafts[start : start + BULK_ROWS]
            rows = [self._values(d) | {"updated_at": now} for d in chunk]
            result = await self._session.execute(
                upsert_insert(self._session, MovieRow.__table__)
                .values(rows)
                .on_conflict_do_nothing()
                .returning(MovieRow.id, MovieRow.movielens_id, MovieRow.tmdb_id)
            )
            by_source = {(r.movielens_id, r.tmdb_id): r.id for r in result}
            links = [
                {"movie_id": by_source[(d.movielens_id, d.tmdb_id)], "genre_id": ids[g]}
                for d in chunk
                if (d.movielens_id, d.tmdb_id) in by_source
                for g in dict.fromkeys(d.genres)
            ]
            if links:
                await self._session.execute(MovieGenreRow.__table__.insert(), links)
            inserted += len(by_source)
        return inserted
