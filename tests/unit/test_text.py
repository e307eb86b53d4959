"""Folding text so search is case-, accent- and punctuation-insensitive."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.genres import GENRES, canonical_genre
from domain.text import clip, normalize, strip_article


def test_accents_case_and_punctuation_fold_away() -> None:
    assert normalize("Amélie") == normalize("AMELIE") == "amelie"
    assert normalize("Spider-Man: No Way Home") == "spider man no way home"
    assert normalize("  WALL·E  ") == "wall e"
    assert normalize("Crouching Tiger, Hidden Dragon (臥虎藏龍)") == "crouching tiger hidden dragon 臥虎藏龍"
    assert normalize("שלום") == "שלום"


def test_one_leading_article_is_dropped_for_matching() -> None:
    assert strip_article("the matrix") == "matrix"
    assert strip_article("the") == "the"
    assert strip_article("la dolce vita") == "dolce vita"


@given(st.text())
def test_normalizing_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


def test_clip_marks_shortened_text() -> None:
    assert clip("short", 10) == "short"
    assert clip("a" * 20, 10) == "a" * 9 + "…"


def test_sources_genre_names_map_onto_one_vocabulary() -> None:
    assert canonical_genre("Sci-Fi") == "Science Fiction"
    assert canonical_genre("Children's") == "Family"
    assert canonical_genre("(no genres listed)") is None
    assert canonical_genre("IMAX") is None
    assert all(canonical_genre(g) == g for g in GENRES)
