"""The title-resolution rules (domain.resolution), property-tested: a typed year never yields another year's film,
one exact title is taken, several ask with every candidate, and no exact title with one search hit takes the hit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import NotFound
from domain.models import Movie
from domain.resolution import Choice, pick_exact, pick_from_hits, pick_in_year

years = st.integers(min_value=1900, max_value=2030)
movies = st.lists(
    st.builds(lambda i, y: Movie(title="Heat", year=y, id=i), st.integers(1, 10_000), years),
    max_size=6,
    unique_by=lambda m: m.id,
)


@given(movies)
def test_one_exact_title_wins_and_several_ask_with_all_of_them_by_year(exact: list[Movie]) -> None:
    decided = pick_exact("heat", exact)
    if not exact:
        assert decided is None
    elif len(exact) == 1:
        assert decided == exact[0]
    else:
        assert isinstance(decided, Choice)
        assert set(decided.movies) == set(exact)
        assert [m.year for m in decided.movies] == sorted(m.year or 0 for m in exact)
        assert "Which one?" in decided.question


@given(movies, years)
def test_a_typed_year_never_yields_a_film_from_another_year(exact: list[Movie], year: int) -> None:
    in_year = [m for m in exact if m.year == year]
    if exact and not in_year:
        with pytest.raises(NotFound) as err:
            pick_in_year("heat", year, exact)
        assert f"No “heat” from {year}; I have" in err.value.message
        assert all(m.label in err.value.message for m in exact[:5])
        return
    decided = pick_in_year("heat", year, exact)
    if not exact:
        assert decided is None
    elif isinstance(decided, Movie):
        assert decided.year == year
    else:
        assert isinstance(decided, Choice)
        assert all(m.year == year for m in decided.movies)


@given(movies, st.integers(min_value=0, max_value=50))
def test_search_hits_take_only_a_single_match(hits: list[Movie], extra: int) -> None:
    total = len(hits) + (extra if hits else 0)
    if not hits:
        with pytest.raises(NotFound):
            pick_from_hits("hea", hits, total)
        return
    decided = pick_from_hits("hea", hits, total)
    if total == 1:
        assert decided == hits[0]
    else:
        assert isinstance(decided, Choice)
        assert decided.movies == tuple(hits)
