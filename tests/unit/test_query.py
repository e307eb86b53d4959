"""Parsers for what users type: loose input in, typed values or a helpful refusal out."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput, InvalidRating
from domain.query import (
    ListFilter,
    MovieRef,
    SearchQuery,
    SortOrder,
    parse_list_filter,
    parse_movie_ref,
    parse_search,
    parse_stars,
    split_rate_args,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("matrix", SearchQuery(title="matrix")),
        ("  The   Matrix  ", SearchQuery(title="The Matrix")),
        ("matrix 1999", SearchQuery(title="matrix", years=((1999, 1999),))),
        ("matrix (1999)", SearchQuery(title="matrix", years=((1999, 1999),))),
        ("1999", SearchQuery(years=((1999, 1999),))),
        ("2022,2023", SearchQuery(years=((2022, 2022), (2023, 2023)))),
        ("1990-1999", SearchQuery(years=((1990, 1999),))),
        ("1990s", SearchQuery(years=((1990, 1999),))),
        ("genre:sci-fi", SearchQuery(genres=("Science Fiction",))),
        ("comedy", SearchQuery(genres=("Comedy",))),
        ("genre:comedy 2022,2023", SearchQuery(genres=("Comedy",), years=((2022, 2022), (2023, 2023)))),
        ("heat genre:crime", SearchQuery(title="heat", genres=("Crime",))),
        ("tmdb:603", SearchQuery(tmdb_id=603)),
        ("#12", SearchQuery(movie_id=12)),
        ("2001 a space odyssey", SearchQuery(title="2001 a space odyssey")),
        ("amélie", SearchQuery(title="amélie")),
        ("100%", SearchQuery(title="100%")),
    ],
)
def test_search_queries_parse_into_title_genres_years_and_ids(text: str, expected: SearchQuery) -> None:
    assert parse_search(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "x" * 5000, "1999-1990", "genre:nonsense", "year:abc"])
def test_unsearchable_input_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_search(text)
    assert len(err.value.message) < 300


@given(st.text(max_size=300))
def test_search_parsing_never_fails_with_anything_but_a_user_message(text: str) -> None:
    try:
        query = parse_search(text)
    except InvalidInput:
        return
    assert not query.is_empty
    assert all(1870 <= lo <= hi <= 2100 for lo, hi in query.years)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#42", MovieRef(movie_id=42)),
        ("tmdb:550", MovieRef(tmdb_id=550)),
        ("550", MovieRef(title="550", tmdb_id=550)),
        ("Heat 1995", MovieRef(title="Heat", year=1995)),
        ("Heat (1995)", MovieRef(title="Heat", year=1995)),
        ("1917", MovieRef(title="1917", tmdb_id=1917)),
        ("Blade Runner 2049", MovieRef(title="Blade Runner", year=2049)),
        ("sin city", MovieRef(title="sin city")),
    ],
)
def test_movie_references(text: str, expected: MovieRef) -> None:
    assert parse_movie_ref(text) == expected


@pytest.mark.parametrize(("text", "stars"), [("4", 4), ("1", 1), ("5/5", 5), ("★★★", 3), (" 2 ", 2)])
def test_stars_as_people_type_them(text: str, stars: int) -> None:
    assert parse_stars(text) == stars


@pytest.mark.parametrize("text", ["0", "6", "five", "4.5", "-1", "", "★★★★★★", "99999999999"])
def test_stars_outside_one_to_five_are_refused(text: str) -> None:
    with pytest.raises(InvalidRating):
        parse_stars(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heat 4", ("heat", "4")),
        ("heat 1995 5", ("heat 1995", "5")),
        ("heat", ("heat", None)),
        ("heat 0", ("heat", "0")),
        ("heat 6", ("heat", "6")),
        ("heat ★★★", ("heat", "★★★")),
        ("the matrix 1999", ("the matrix 1999", None)),
        ("300", ("300", None)),
    ],
)
def test_rate_arguments_split_title_from_stars(text: str, expected: tuple[str, str | None]) -> None:
    assert split_rate_args(text) == expected


def test_stars_written_as_words_are_refused_not_searched() -> None:
    with pytest.raises(InvalidRating) as err:
        split_rate_args("heat five")
    assert "/rate heat 4" in err.value.message


def test_list_filters() -> None:
    assert parse_list_filter("") == ListFilter()
    assert parse_list_filter("matrix genre:scifi since:2026-01-01 until:2026-06-30 sort:year") == ListFilter(
        title="matrix",
        genre="Science Fiction",
        since=dt.date(2026, 1, 1),
        until=dt.date(2026, 6, 30),
        sort=SortOrder.YEAR,
    )


@pytest.mark.parametrize("text", ["since:yesterday", "sort:random", "genre:polka", "since:2026-02-01 until:2026-01-01"])
def test_bad_list_filters_say_what_works(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_list_filter(text)
