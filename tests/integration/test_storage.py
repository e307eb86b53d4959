"""Storage on real databases: a SQLite file and PostgreSQL, through the same code."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from domain.models import ActivityKind, ChangeOutcome, Identity, MovieDraft, Platform, UpsertOutcome
from domain.query import ListFilter, SortOrder, parse_search
from storage.database import Database
from storage.schema import ActivityRow, FavoriteRow
from storage.uow import SqlUnitOfWorkFactory

T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
async def uow(any_db_url: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    db = Database(any_db_url)
    yield SqlUnitOfWorkFactory(db)
    await db.dispose()


async def _user(uow: SqlUnitOfWorkFactory, external: str = "u1") -> int:
    async with uow(write=True) as u:
        user = await u.users.get_or_create(Identity(Platform.TELEGRAM, external), "Ann", T0)
        await u.commit()
    return user.id


async def _movie_id(uow: SqlUnitOfWorkFactory, title: str, year: int | None = None) -> int:
    async with uow() as u:
        [movie] = await u.movies.find_by_title(title, year)
    return movie.id


async def test_fifty_concurrent_adds_leave_one_row_and_one_history_entry(uow: SqlUnitOfWorkFactory) -> None:
    user = await _user(uow)
    movie = await _movie_id(uow, "The Matrix", 1999)

    async def add() -> ChangeOutcome:
        async with uow(write=True) as u:
            outcome = await u.library.add_favorite(user, movie, T0)
            await u.commit()
            return outcome

    outcomes = await asyncio.gather(*(add() for _ in range(50)))
    assert outcomes.count(ChangeOutcome.DONE) == 1
    assert outcomes.count(ChangeOutcome.UNCHANGED) == 49
    async with uow() as u:
        session = u._session
        favorites = (
            await session.execute(select(func.count()).select_from(FavoriteRow).where(FavoriteRow.user_id == user))
        ).scalar_one()
        entries = (
            await session.execute(select(func.count()).select_from(ActivityRow).where(ActivityRow.user_id == user))
        ).scalar_one()
    assert (favorites, entries) == (1, 1)


async def test_concurrent_first_contact_creates_one_user(uow: SqlUnitOfWorkFactory) -> None:
    async def first_message() -> int:
        async with uow(write=True) as u:
            user = await u.users.get_or_create(Identity(Platform.DISCORD, "race"), "Racer", T0)
            await u.commit()
            return user.id

    ids = await asyncio.gather(*(first_message() for _ in range(20)))
    assert len(set(ids)) == 1


async def test_search_ranks_exact_then_prefix_then_word_then_substring(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as u:
        page = await u.movies.search(parse_search("matrix"), 1, 10)
    labels = [m.label for m in page.items]
    assert labels[0] == "The Matrix (1999)"
    assert set(labels[1:3]) == {"The Matrix Reloaded (2003)", "The Matrix Revolutions (2003)"}
    assert "The Animatrix (2003)" in labels[3:]


@pytest.mark.parametrize("typed", ["AMELIE", "amélie", "Amélie", "ameli"])
async def test_search_ignores_case_and_accents_and_finds_partial_words(uow: SqlUnitOfWorkFactory, typed: str) -> None:
    async with uow() as u:
        page = await u.movies.search(parse_search(typed), 1, 5)
    assert page.items[0].title == "Amelie"


async def test_search_by_genre_and_years_and_combined(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as u:
        scifi_90s = await u.movies.search(parse_search("genre:scifi 1990-1999"), 1, 50)
        two_years = await u.movies.search(parse_search("2014,2015"), 1, 5)
        heat = await u.movies.search(parse_search("heat 1995"), 1, 5)
    assert scifi_90s.total > 100
    assert all("Science Fiction" in m.genres and 1990 <= (m.year or 0) <= 1999 for m in scifi_90s.items)
    assert two_years.total > 0
    assert all(m.year in (2014, 2015) for m in two_years.items)
    assert [m.label for m in heat.items] == ["Heat (1995)"]


@pytest.mark.parametrize("typed", ["%", "_", "100%", "' OR 1=1 --", "<script>", "\\"])
async def test_sql_and_like_metacharacters_match_literally(uow: SqlUnitOfWorkFactory, typed: str) -> None:
    async with uow() as u:
        page = await u.movies.search(parse_search(typed), 1, 5)
    assert page.total < 50  # never "everything"


async def test_pages_have_totals_and_stable_order(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as u:
        first = await u.movies.search(parse_search("love"), 1, 5)
        second = await u.movies.search(parse_search("love"), 2, 5)
    assert first.total == second.total > 10
    assert first.has_next
    assert not first.has_previous
    assert second.has_previous
    assert not {m.id for m in first.items} & {m.id for m in second.items}


async def test_rating_again_replaces_and_averages_count_everyone(uow: SqlUnitOfWorkFactory) -> None:
    ann, ben = await _user(uow, "ann"), await _user(uow, "ben")
    movie = await _movie_id(uow, "Heat", 1995)
    async with uow(write=True) as u:
        assert await u.library.rate(ann, movie, 2, T0) is ChangeOutcome.DONE
        assert await u.library.rate(ann, movie, 2, T0) is ChangeOutcome.UNCHANGED
        assert await u.library.rate(ann, movie, 5, T0) is ChangeOutcome.DONE
        assert await u.library.rate(ben, movie, 4, T0) is ChangeOutcome.DONE
        assert await u.library.review(ben, movie, "Tense and beautiful", T0)
        await u.commit()
    async with uow() as u:
        stats = await u.library.rating_stats(movie)
        reviews = await u.library.reviews(movie, 1, 5)
        history = await u.library.history(ann, 1, 10)
    assert (stats.average, stats.count) == (4.5, 2)
    assert [(r.author, r.stars, r.text) for r in reviews.items] == [("Ann", 4, "Tense and beautiful")]
    assert [a.detail for a in history.items] == ["5", "2"]


async def test_a_review_needs_a_rating(uow: SqlUnitOfWorkFactory) -> None:
    user = await _user(uow)
    movie = await _movie_id(uow, "Heat", 1995)
    async with uow(write=True) as u:
        assert not await u.library.review(user, movie, "no stars", T0)


async def test_recently_removed_forgets_movies_added_back(uow: SqlUnitOfWorkFactory) -> None:
    user = await _user(uow)
    matrix, heat = await _movie_id(uow, "The Matrix", 1999), await _movie_id(uow, "Heat", 1995)
    async with uow(write=True) as u:
        lib = u.library
        for step, (op, movie) in enumerate(
            [("add", matrix), ("add", heat), ("remove", matrix), ("remove", heat), ("add", matrix)]
        ):
            at = T0 + dt.timedelta(minutes=step)
            await (lib.add_favorite(user, movie, at) if op == "add" else lib.remove_favorite(user, movie, at))
        await u.commit()
    async with uow() as u:
        removed = await u.library.recently_removed_favorites(user, 5)
        favorites = await u.library.favorites(user, ListFilter(), 1, 5)
    assert [a.movie.id for a in removed] == [heat]
    assert [i.movie.id for i in favorites.items] == [matrix]


async def test_watched_puts_a_movie_on_the_watchlist_once(uow: SqlUnitOfWorkFactory) -> None:
    user = await _user(uow)
    movie = await _movie_id(uow, "Heat", 1995)
    async with uow(write=True) as u:
        assert await u.library.mark_watched(user, movie, T0) is ChangeOutcome.DONE
        assert await u.library.mark_watched(user, movie, T0) is ChangeOutcome.UNCHANGED
        assert await u.library.add_to_watchlist(user, movie, T0, None) is ChangeOutcome.UNCHANGED
        await u.commit()
    async with uow() as u:
        to_watch = await u.library.watchlist(user, ListFilter(), 1, 5, watched=False)
        seen = await u.library.watchlist(user, ListFilter(), 1, 5, watched=True)
        kinds = [a.kind for a in (await u.library.history(user, 1, 5)).items]
    assert (to_watch.total, seen.total) == (0, 1)
    assert kinds == [ActivityKind.WATCHED]


async def test_list_filters_and_sorting(uow: SqlUnitOfWorkFactory) -> None:
    user = await _user(uow)
    titles = [("Heat", 1995), ("The Matrix", 1999), ("Toy Story", 1995), ("Alien", 1979)]
    async with uow(write=True) as u:
        for day, (title, year) in enumerate(titles):
            [movie] = await u.movies.find_by_title(title, year)
            await u.library.add_favorite(user, movie.id, T0 + dt.timedelta(days=day))
            await u.library.rate(user, movie.id, day + 1, T0)
        await u.commit()
    async with uow() as u:
        lib = u.library

        async def labels(flt: ListFilter) -> list[str]:
            return [i.movie.title for i in (await lib.favorites(user, flt, 1, 10)).items]

        assert await labels(ListFilter()) == ["Alien", "Toy Story", "The Matrix", "Heat"]
        assert await labels(ListFilter(sort=SortOrder.TITLE)) == ["Alien", "Heat", "The Matrix", "Toy Story"]
        assert await labels(ListFilter(sort=SortOrder.YEAR)) == ["The Matrix", "Heat", "Toy Story", "Alien"]
        assert await labels(ListFilter(sort=SortOrder.RATING)) == ["Alien", "Toy Story", "The Matrix", "Heat"]
        assert await labels(ListFilter(genre="Animation")) == ["Toy Story"]
        assert await labels(ListFilter(title="matr")) == ["The Matrix"]
        assert await labels(ListFilter(since=dt.date(2026, 1, 2), until=dt.date(2026, 1, 3))) == [
            "Toy Story",
            "The Matrix",
        ]
        profile = await lib.profile(user)
    assert (profile.favorites, profile.ratings, profile.average_given) == (4, 4, 2.5)
    assert len(profile.top_genres) == 3


async def test_upsert_matches_by_source_ids_then_title_and_year(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as u:
        before = await u.movies.count()
        matrix, outcome = await u.movies.upsert(
            MovieDraft(title="The Matrix", year=1999, tmdb_id=603, overview="Neo."), T0
        )
        assert outcome is UpsertOutcome.UPDATED
        assert matrix.tmdb_id == 603
        assert matrix.movielens_id is not None
        again, outcome = await u.movies.upsert(
            MovieDraft(title="The Matrix", year=1999, tmdb_id=603, overview="Neo."), T0
        )
        assert outcome is UpsertOutcome.UNCHANGED
        assert again.id == matrix.id
        new, outcome = await u.movies.upsert(
            MovieDraft(title="Brand New Film", year=2026, tmdb_id=999999, genres=("Drama",)), T0
        )
        assert outcome is UpsertOutcome.ADDED
        assert new.genres == ("Drama",)
        assert await u.movies.count() == before + 1
        assert (await u.movies.get_by_tmdb(603)) == again
        await u.commit()


async def test_tokens_keep_text_until_they_expire(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as u:
        token = await u.tokens.put("genre:comedy 1999", T0)
        assert token == await u.tokens.put("genre:comedy 1999", T0)
        await u.commit()
    async with uow() as u:
        assert await u.tokens.get(token, T0 + dt.timedelta(days=1)) == "genre:comedy 1999"
        assert await u.tokens.get(token, T0 + dt.timedelta(days=31)) is None
        assert await u.tokens.get("AAAAAAAAAA", T0) is None
        # Repeated searches within a day reuse the token without writing.
        assert await u.tokens.fresh("genre:comedy 1999", T0 + dt.timedelta(hours=3)) == token
        assert await u.tokens.fresh("genre:comedy 1999", T0 + dt.timedelta(days=2)) is None
        assert await u.tokens.fresh("never stored", T0) is None


async def test_cached_catalog_reads_see_committed_changes_at_once_and_never_rolled_back_ones(
    uow: SqlUnitOfWorkFactory,
) -> None:
    query = parse_search("zyxwv film")

    async def found() -> list[str]:
        async with uow() as u:
            return [m.title for m in (await u.movies.search(query, 1, 5)).items]

    assert await found() == []  # now cached
    async with uow(write=True) as u:
        await u.movies.upsert(MovieDraft(title="Zyxwv Film", year=2026), T0)  # rolled back: never committed
    assert await found() == []
    async with uow(write=True) as u:
        await u.movies.upsert(MovieDraft(title="Zyxwv Film", year=2026), T0)
        await u.commit()
    assert await found() == ["Zyxwv Film"]
    assert uow.cache.hits >= 1


async def test_regional_release_dates_follow_the_source_and_go_with_forgotten_tmdb_content(
    uow: SqlUnitOfWorkFactory,
) -> None:
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    user = await _user(uow)
    first = MovieDraft("Future Film", 2026, tmdb_id=9_999_001, release_dates=(("DE", dt.date(2026, 12, 10)),))
    async with uow(write=True) as w:
        movie, _ = await w.movies.upsert(first, now)
        await w.library.add_to_watchlist(user, movie.id, now, None)
        await w.commit()
    moved = MovieDraft("Future Film", 2026, tmdb_id=9_999_001, release_dates=(("DE", dt.date(2026, 12, 17)),))
    async with uow(write=True) as w:
        await w.movies.upsert(moved, now)  # TMDb moved the German date
        await w.commit()
    async with uow() as r:
        assert await r.notifications.releases_on(user, dt.date(2026, 12, 10), "DE") == []
        assert await r.notifications.releases_on(user, dt.date(2026, 12, 17), "DE") == [movie.id]
        assert await r.notifications.releases_on(user, dt.date(2026, 12, 17), "US") == []  # no date known there
    async with uow(write=True) as w:
        await w.movies.forget_tmdb(movie.id, now)
        await w.commit()
    async with uow() as r:
        assert await r.notifications.releases_on(user, dt.date(2026, 12, 17), "DE") == []
