"""A user's favorites, watchlist, ratings, reviews and history.

Every add is a single INSERT ... ON CONFLICT DO NOTHING RETURNING, and the
history entry is written only when a row really came back: fifty concurrent
taps leave one row and one history entry, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, delete, exists, func, select, update

from domain.models import (
    Activity,
    ActivityKind,
    Analytics,
    ChangeOutcome,
    ListedMovie,
    MovieStatus,
    Page,
    Profile,
    RatingStats,
    Review,
    Signal,
    SignalKind,
)
from domain.query import ListFilter, SortOrder
from storage.movies import SqlMovieRepository, genre_filter, movie_with_genres, title_filter
from storage.schema import (
    ActivityRow,
    DismissedRow,
    FavoriteRow,
    GenreRow,
    MovieGenreRow,
    MovieRow,
    RatingRow,
    UserRow,
    WatchlistRow,
)
from storage.sql import SqlSession, upsert_insert

DONE, UNCHANGED = ChangeOutcome.DONE, ChangeOutcome.UNCHANGED


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _card_facts_statement() -> Select[Any]:
    user_id: BindParameter[int] = bindparam("user_id")
    movie_id: BindParameter[int] = bindparam("movie_id")
    mine = (RatingRow.user_id == user_id, RatingRow.movie_id == movie_id)
    watch = (WatchlistRow.user_id == user_id, WatchlistRow.movie_id == movie_id)
    return select(
        select(func.avg(RatingRow.stars)).where(RatingRow.movie_id == movie_id).scalar_subquery(),
        select(func.count()).select_from(RatingRow).where(RatingRow.movie_id == movie_id).scalar_subquery(),
        exists().where(FavoriteRow.user_id == user_id, FavoriteRow.movie_id == movie_id),
        exists().where(*watch),
        select(WatchlistRow.watched_at).where(*watch).scalar_subquery(),
        select(RatingRow.stars).where(*mine).scalar_subquery(),
        select(RatingRow.review).where(*mine).scalar_subquery(),
    )


_RECORD = ActivityRow.__table__.insert()

# Built once: a statement memoizes its cache key, so each card skips rebuilding and re-keying seven subqueries.
_CARD_FACTS = _card_facts_statement()


class SqlLibraryRepository:
    """LibraryRepository on SQLAlchemy."""

    def __init__(self, session: SqlSession, movies: SqlMovieRepository) -> None:
        self._session = session
        self._movies = movies

    async def _record(
        self, user_id: int, movie_id: int, kind: ActivityKind, now: dt.datetime, detail: str | None = None
    ) -> None:
        # A Core insert: the ORM's flush machinery would cost more than the row
        # (this runs inside the writer's transaction).
        await self._session.execute(
            _RECORD, {"user_id": user_id, "movie_id": movie_id, "kind": kind.value, "at": now, "detail": detail}
        )

    async def _insert_once(self, table: Any, values: dict[str, Any]) -> bool:
        stmt = (
            upsert_insert(self._session, table.__table__)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(table.user_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def _delete_once(self, table: Any, user_id: int, movie_id: int, *extra: Any) -> bool:
        stmt = (
            delete(table).where(table.user_id == user_id, table.movie_id == movie_id, *extra).returning(table.user_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def add_favorite(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        if not await self._insert_once(FavoriteRow, {"user_id": user_id, "movie_id": movie_id, "added_at": now}):
            return UNCHANGED
        await self._record(user_id, movie_id, ActivityKind.FAVORITE_ADDED, now)
        return DONE

    async def remove_favorite(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        if not await self._delete_once(FavoriteRow, user_id, movie_id):
            return UNCHANGED
        await self._record(user_id, movie_id, ActivityKind.FAVORITE_REMOVED, now)
        return DONE

    async def add_to_watchlist(self, user_id: int, movie_id: int, now: dt.datetime, note: str | None) -> ChangeOutcome:
        values = {"user_id": user_id, "movie_id": movie_id, "added_at": now, "note": note}
        if not await self._insert_once(WatchlistRow, values):
            return UNCHANGED
        await self._record(user_id, movie_id, ActivityKind.WATCHLIST_ADDED, now)
        return DONE

    async def remove_from_watchlist(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        """Take a film off the to-watch list; a watched film keeps its watched record (UNCHANGED)."""
        if not await self._delete_once(WatchlistRow, user_id, movie_id, WatchlistRow.watched_at.is_(None)):
            return UNCHANGED
        await self._record(user_id, movie_id, ActivityKind.WATCHLIST_REMOVED, now)
        return DONE

    async def mark_watched(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        """Mark watched, putting the movie on the watchlist first if it was not there."""
        insert = upsert_insert(self._session, WatchlistRow.__table__).values(
            user_id=user_id, movie_id=movie_id, added_at=now, watched_at=now
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["user_id", "movie_id"],
            set_={"watched_at": insert.excluded.watched_at},
            where=WatchlistRow.__table__.c.watched_at.is_(None),
        ).returning(WatchlistRow.user_id)
        if (await self._session.execute(stmt)).first() is None:
            return UNCHANGED
        await self._record(user_id, movie_id, ActivityKind.WATCHED, now)
        return DONE

    async def snooze(self, user_id: int, movie_id: int, until: dt.datetime) -> ChangeOutcome:
        row = WatchlistRow.__table__.c
        result = await self._session.execute(
            update(WatchlistRow)
            .where(row.user_id == user_id, row.movie_id == movie_id, row.watched_at.is_(None))
            .values(snoozed_until=until)
            .returning(row.user_id)
        )
        return DONE if result.first() is not None else UNCHANGED

    async def rate(self, user_id: int, movie_id: int, stars: int, now: dt.datetime) -> ChangeOutcome:
        """Rate or re-rate; the same stars again change nothing and log nothing."""
        insert = upsert_insert(self._session, RatingRow.__table__).values(
            user_id=user_id, movie_id=movie_id, stars=stars, created_at=now, updated_at=now
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["user_id", "movie_id"],
            set_={"stars": insert.excluded.stars, "updated_at": insert.excluded.updated_at},
            where=RatingRow.__table__.c.stars != insert.excluded.stars,
        ).returning(RatingRow.user_id)
        if (await self._session.execute(stmt)).first() is None:
            return UNCHANGED
        await self._record(user_id, movie_id, ActivityKind.RATED, now, detail=str(stars))
        return DONE

    async def review(self, user_id: int, movie_id: int, text: str, now: dt.datetime) -> bool:
        """Attach a review to an existing rating; False when there is no rating."""
        stmt = (
            update(RatingRow)
            .where(RatingRow.user_id == user_id, RatingRow.movie_id == movie_id)
            .values(review=text, updated_at=now)
            .returning(RatingRow.user_id)
        )
        if (await self._session.execute(stmt)).first() is None:
            return False
        await self._record(user_id, movie_id, ActivityKind.REVIEWED, now)
        return True

    async def dismiss(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome:
        """Mark "not interested"; the recommender never shows it again."""
        added = await self._insert_once(DismissedRow, {"user_id": user_id, "movie_id": movie_id, "at": now})
        return DONE if added else UNCHANGED

    async def signals(self, user_id: int | None = None) -> list[Signal]:
        """Everyone's (or one user's) taste evidence, for fitting or refreshing the recommender."""

        def mine(table: Any) -> list[Any]:
            return [table.user_id == user_id] if user_id is not None else []

        ratings = await self._session.execute(
            select(RatingRow.user_id, RatingRow.movie_id, RatingRow.stars, RatingRow.updated_at).where(*mine(RatingRow))
        )
        out = [Signal(row.user_id, row.movie_id, SignalKind.RATING, row.updated_at, row.stars) for row in ratings]
        favorites = await self._session.execute(
            select(FavoriteRow.user_id, FavoriteRow.movie_id, FavoriteRow.added_at).where(*mine(FavoriteRow))
        )
        out.extend(Signal(row.user_id, row.movie_id, SignalKind.FAVORITE, row.added_at) for row in favorites)
        watchlist = await self._session.execute(
            select(WatchlistRow.user_id, WatchlistRow.movie_id, WatchlistRow.added_at, WatchlistRow.watched_at).where(
                *mine(WatchlistRow)
            )
        )
        out.extend(
            Signal(
                row.user_id,
                row.movie_id,
                SignalKind.WATCHED if row.watched_at is not None else SignalKind.WATCHLIST,
                row.watched_at or row.added_at,
            )
            for row in watchlist
        )
        dismissed = await self._session.execute(
            select(DismissedRow.user_id, DismissedRow.movie_id, DismissedRow.at).where(*mine(DismissedRow))
        )
        out.extend(Signal(row.user_id, row.movie_id, SignalKind.DISMISSED, row.at) for row in dismissed)
        return out

    async def status(self, user_id: int, movie_id: int) -> MovieStatus:
        return (await self.card_facts(user_id, movie_id))[1]

    async def rating_stats(self, movie_id: int) -> RatingStats:
        avg, count = (
            await self._session.execute(
                select(func.avg(RatingRow.stars), func.count()).where(RatingRow.movie_id == movie_id)
            )
        ).one()
        return RatingStats(average=float(avg) if avg is not None else None, count=count)

    async def card_facts(self, user_id: int, movie_id: int) -> tuple[RatingStats, MovieStatus]:
        """Everyone's ratings and this user's state for one movie, in a single query.

        A card is the most shown screen; one round trip instead of four keeps it fast
        under load (each query is a thread hop on SQLite, a network trip on PostgreSQL).
        """
        row = (await self._session.execute(_CARD_FACTS, {"user_id": user_id, "movie_id": movie_id})).one()
        average, count, favorite, listed, watched_at, stars, review = row
        stats = RatingStats(average=float(average) if average is not None else None, count=count)
        status = MovieStatus(
            favorite=bool(favorite),
            on_watchlist=bool(listed),
            watched=watched_at is not None,
            stars=stars,
            review=review,
        )
        return stats, status

    def _filtered(self, stmt: Select[Any], table: Any, flt: ListFilter) -> Select[Any]:
        if flt.title:
            stmt = stmt.where(*title_filter(flt.title))
        if flt.genre:
            stmt = stmt.where(genre_filter(flt.genre))
        if flt.since:
            stmt = stmt.where(table.added_at >= _day_start(flt.since))
        if flt.until:
            stmt = stmt.where(table.added_at < _day_start(flt.until + dt.timedelta(days=1)))
        return stmt

    async def _listed(
        self, table: Any, user_id: int, flt: ListFilter, page: int, page_size: int, extra: Sequence[Any] = ()
    ) -> Page[ListedMovie]:
        base = select(table, MovieRow, RatingRow.stars, self._movies.genre_names()).join(
            MovieRow, MovieRow.id == table.movie_id
        )
        base = base.outerjoin(RatingRow, and_(RatingRow.user_id == table.user_id, RatingRow.movie_id == table.movie_id))
        base = self._filtered(base.where(table.user_id == user_id, *extra), table, flt)
        count_stmt = self._filtered(
            select(func.count())
            .select_from(table)
            .join(MovieRow, MovieRow.id == table.movie_id)
            .where(table.user_id == user_id, *extra),
            table,
            flt,
        )
        total = (await self._session.execute(count_stmt)).scalar_one()
        order: list[Any] = {
            SortOrder.RECENT: [table.added_at.desc()],
            SortOrder.TITLE: [MovieRow.norm_core.asc()],
            SortOrder.YEAR: [MovieRow.year.desc().nulls_last(), MovieRow.norm_core.asc()],
            SortOrder.RATING: [RatingRow.stars.desc().nulls_last(), table.added_at.desc()],
        }[flt.sort]
        rows = (
            await self._session.execute(
                base.order_by(*order, MovieRow.id).offset((page - 1) * page_size).limit(page_size)
            )
        ).all()
        movies = [movie_with_genres(r[1], r[3]) for r in rows]
        items = tuple(
            ListedMovie(
                movie=movie,
                added_at=entry.added_at,
                watched_at=getattr(entry, "watched_at", None),
                note=getattr(entry, "note", None),
                your_stars=stars,
            )
            for (entry, _row, stars, _genres), movie in zip(rows, movies, strict=True)
        )
        return Page(items=items, page=page, page_size=page_size, total=total)

    async def favorites(self, user_id: int, flt: ListFilter, page: int, page_size: int) -> Page[ListedMovie]:
        return await self._listed(FavoriteRow, user_id, flt, page, page_size)

    async def watchlist(
        self, user_id: int, flt: ListFilter, page: int, page_size: int, watched: bool | None
    ) -> Page[ListedMovie]:
        extra: list[Any] = []
        if watched is True:
            extra.append(WatchlistRow.watched_at.is_not(None))
        elif watched is False:
            extra.append(WatchlistRow.watched_at.is_(None))
        return await self._listed(WatchlistRow, user_id, flt, page, page_size, extra)

    async def reviews(self, movie_id: int, page: int, page_size: int) -> Page[Review]:
        where = (RatingRow.movie_id == movie_id, RatingRow.review.is_not(None))
        total = (await self._session.execute(select(func.count()).select_from(RatingRow).where(*where))).scalar_one()
        rows = await self._session.execute(
            select(UserRow.display_name, RatingRow.stars, RatingRow.review, RatingRow.updated_at)
            .join(UserRow, UserRow.id == RatingRow.user_id)
            .where(*where)
            .order_by(RatingRow.updated_at.desc(), RatingRow.user_id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        items = tuple(
            Review(author=name, stars=stars, text=text or "", updated_at=at)  # never None: the WHERE wants a review
            for name, stars, text, at in rows
        )
        return Page(items=items, page=page, page_size=page_size, total=total)

    async def _activities(self, stmt: Select[ActivityRow]) -> list[Activity]:
        rows = (await self._session.execute(stmt)).scalars().all()
        movies = await self._movies.many([r.movie_id for r in rows])
        return [Activity(kind=ActivityKind(r.kind), movie=movies[r.movie_id], at=r.at, detail=r.detail) for r in rows]

    async def history(self, user_id: int, page: int, page_size: int) -> Page[Activity]:
        total = (
            await self._session.execute(
                select(func.count()).select_from(ActivityRow).where(ActivityRow.user_id == user_id)
            )
        ).scalar_one()
        stmt = (
            select(ActivityRow)
            .where(ActivityRow.user_id == user_id)
            .order_by(ActivityRow.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return Page(items=tuple(await self._activities(stmt)), page=page, page_size=page_size, total=total)

    async def recently_removed_favorites(self, user_id: int, limit: int) -> list[Activity]:
        """Favorites removed and not added back, newest removal first."""
        latest = (
            select(func.max(ActivityRow.id))
            .where(ActivityRow.user_id == user_id, ActivityRow.kind == ActivityKind.FAVORITE_REMOVED.value)
            .group_by(ActivityRow.movie_id)
        )
        still_gone = (
            ~select(FavoriteRow.movie_id)
            .where(FavoriteRow.user_id == user_id, FavoriteRow.movie_id == ActivityRow.movie_id)
            .exists()
        )
        stmt = (
            select(ActivityRow)
            .where(ActivityRow.id.in_(latest), still_gone)
            .order_by(ActivityRow.id.desc())
            .limit(limit)
        )
        return await self._activities(stmt)

    async def profile(self, user_id: int) -> Profile:
        user = await self._session.get(UserRow, user_id)
        assert user is not None
        favorites = (
            await self._session.execute(
                select(func.count()).select_from(FavoriteRow).where(FavoriteRow.user_id == user_id)
            )
        ).scalar_one()
        to_watch, watched = (
            await self._session.execute(
                select(
                    func.count(WatchlistRow.movie_id) - func.count(WatchlistRow.watched_at),
                    func.count(WatchlistRow.watched_at),
                ).where(WatchlistRow.user_id == user_id)
            )
        ).one()
        ratings, average = (
            await self._session.execute(
                select(func.count(), func.avg(RatingRow.stars)).where(RatingRow.user_id == user_id)
            )
        ).one()
        liked = (
            select(FavoriteRow.movie_id)
            .where(FavoriteRow.user_id == user_id)
            .union(select(RatingRow.movie_id).where(RatingRow.user_id == user_id, RatingRow.stars >= 4))
        )
        top = (
            await self._session.execute(
                select(GenreRow.name, func.count().label("n"))
                .join(MovieGenreRow, MovieGenreRow.genre_id == GenreRow.id)
                .where(MovieGenreRow.movie_id.in_(liked))
                .group_by(GenreRow.name)
                .order_by(func.count().desc(), GenreRow.name)
                .limit(3)
            )
        ).all()
        return Profile(
            favorites=favorites,
            to_watch=to_watch or 0,
            watched=watched or 0,
            ratings=ratings,
            average_given=float(average) if average is not None else None,
            top_genres=tuple(name for name, _n in top),
            member_since=user.created_at,
        )

    async def analytics(self, since: dt.datetime, limit: int) -> Analytics:
        """Most favorited movies (all time), most active users and top genres (in the period)."""
        favorited = (
            await self._session.execute(
                select(FavoriteRow.movie_id, func.count().label("n"))
                .group_by(FavoriteRow.movie_id)
                .order_by(func.count().desc(), FavoriteRow.movie_id)
                .limit(limit)
            )
        ).all()
        movies = await self._movies.many([movie_id for movie_id, _n in favorited])
        active = (
            await self._session.execute(
                select(UserRow.display_name, func.count(ActivityRow.id))
                .join(ActivityRow, ActivityRow.user_id == UserRow.id)
                .where(ActivityRow.at >= since)
                .group_by(UserRow.id, UserRow.display_name)
                .order_by(func.count(ActivityRow.id).desc(), UserRow.id)
                .limit(limit)
            )
        ).all()
        genres = (
            await self._session.execute(
                select(GenreRow.name, func.count())
                .join(MovieGenreRow, MovieGenreRow.genre_id == GenreRow.id)
                .join(ActivityRow, ActivityRow.movie_id == MovieGenreRow.movie_id)
                .where(ActivityRow.at >= since)
                .group_by(GenreRow.name)
                .order_by(func.count().desc(), GenreRow.name)
                .limit(limit)
            )
        ).all()
        users = (await self._session.execute(select(func.count()).select_from(UserRow))).scalar_one()
        active_users = (
            await self._session.execute(
                select(func.count(func.distinct(ActivityRow.user_id))).where(ActivityRow.at >= since)
            )
        ).scalar_one()
        return Analytics(
            since=since,
            most_favorited=tuple((movies[m], n) for m, n in favorited if m in movies),
            most_active=tuple((name, n) for name, n in active),
            top_genres=tuple((name, n) for name, n in genres),
            users=users,
            active_users=active_users,
        )
