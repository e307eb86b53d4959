"""Specification of parse_movielens_title: MovieLens catalogue titles to display titles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.movielens_titles import parse_movielens_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Matrix, The (1999)", ("The Matrix", None, 1999)),
        (
            "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
            ("The City of Lost Children", "La Cité des enfants perdus", 1995),
        ),
        ("Shawshank Redemption, The (1994)", ("The Shawshank Redemption", None, 1994)),
        ("Seven (a.k.a. Se7en) (1995)", ("Seven", None, 1995)),
        ("Babe: Pig in the City (1998)", ("Babe: Pig in the City", None, 1998)),
        (
            "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
            ("Amelie", "Le Fabuleux destin d'Amélie Poulain", 2001),
        ),
        ("Armée des ombres, L' (1969)", ("L'Armée des ombres", None, 1969)),
        ("Misérables, Les (1995)", ("Les Misérables", None, 1995)),
        ("Andalusian Dog, An (Chien andalou, Un) (1929)", ("An Andalusian Dog", "Un Chien andalou", 1929)),
        (
            "Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
            ("Léon: The Professional", "Léon", 1994),
        ),
        # A foreign display title: the parentheses hold a translation, not the original.
        ("Boot, Das (Boat, The) (1981)", ("Das Boot", None, 1981)),
        # Repeating the title in other spacing is not an original title.
        ("Heavyweights (Heavy Weights) (1995)", ("Heavyweights", None, 1995)),
        (
            "Good, the Bad and the Ugly, The (Buono, il brutto, il cattivo, Il) (1966)",
            ("The Good, the Bad and the Ugly", "Il Buono, il brutto, il cattivo", 1966),
        ),
        ("Girl, Interrupted (1999)", ("Girl, Interrupted", None, 1999)),
        ("Yes, Madam (1985)", ("Yes, Madam", None, 1985)),
        ("Evangelion: 1.0 You Are (Not) Alone (2007)", ("Evangelion: 1.0 You Are (Not) Alone", None, 2007)),
        ("(500) Days of Summer (2009)", ("(500) Days of Summer", None, 2009)),
        ("1984 (1984)", ("1984", None, 1984)),
        ("2046", ("2046", None, None)),
        # Titles without a year (the dslabs table keeps the year in its own column).
        ("Matrix, The", ("The Matrix", None, None)),
        ("Twelve Monkeys (a.k.a. 12 Monkeys)", ("Twelve Monkeys", None, None)),
        ("Stranger Things (2016\u2013 )", ("Stranger Things", None, 2016)),
        ("Band of Brothers (2001-2001)", ("Band of Brothers", None, 2001)),
        ("Matrix, The (1999)   ", ("The Matrix", None, 1999)),
        ("  Matrix,   The  ", ("The Matrix", None, None)),
    ],
)
def test_parses_movielens_titles(raw: str, expected: tuple[str, str | None, int | None]) -> None:
    assert parse_movielens_title(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ("", None, None)),
        ("   ", ("", None, None)),
        ("(1999)", ("", None, 1999)),
        ("Foo (bar", ("Foo (bar", None, None)),
        ("Foo bar) (2001)", ("Foo bar)", None, 2001)),
        ("Foo ((a) (2001)", ("Foo (", "a", 2001)),
        ("(Untitled)", ("(Untitled)", None, None)),
        ("(a.k.a. Something) (2003)", ("(a.k.a. Something)", None, 2003)),
        (", The", (", The", None, None)),
        ("Foo () (2001)", ("Foo", None, 2001)),
    ],
)
def test_odd_input_comes_back_as_text(raw: str, expected: tuple[str, str | None, int | None]) -> None:
    assert parse_movielens_title(raw) == expected


@given(st.text())
def test_never_raises_and_returns_trimmed_text(raw: str) -> None:
    title, original, year = parse_movielens_title(raw)
    assert title == title.strip()
    assert original is None or (original and original == original.strip())
    assert year is None or 1800 <= year <= 2099


@given(st.text().filter(str.strip), st.integers(min_value=1800, max_value=2099))
def test_title_is_never_empty_when_something_precedes_the_year(prefix: str, year: int) -> None:
    title, _, parsed_year = parse_movielens_title(f"{prefix} ({year})")
    assert title
    assert parsed_year == year
