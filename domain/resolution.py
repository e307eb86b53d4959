"""Which one movie a user meant when they typed a title: the rules every write intent shares.

A write the user did not mean is worse than a question, so the rules only ever
pick a film when the typed words leave no doubt:

1. An exact title wins. Titles and typed text are folded the same way (case,
   accents, punctuation; see domain.text.normalize), but a leading article is
   kept on both sides: "heat" is *Heat* (1995), "the heat" is *The Heat* (2013),
   and "godfather" is not exactly any film, so it asks.
2. A typed year must match. "Joker 2019" when only *Joker* (2012) exists is an
   error that names the years there are, never another film. Before the last
   word is read as a year, the whole text is tried as a title ("Blade Runner
   2049", "2001").
3. Several films with the same exact title (remakes) ask, showing their years.
4. Without an exact title, a search that finds one film takes it; several ask.

The storage layer finds candidates (exact-title matches and ranked search
hits); this module only decides, so the rules are pure and property-tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import NotFound
from domain.models import Movie
from domain.query import clip_for_echo

MAX_NAMED_YEARS = 5


@dataclass(frozen=True, slots=True)
class Choice:
    """The typed words fit several films: ask which one, listing these."""

    question: str
    movies: tuple[Movie, ...]


def _names(movies: Sequence[Movie]) -> str:
    shown = ", ".join(m.label for m in movies[:MAX_NAMED_YEARS])
    return shown + (", …" if len(movies) > MAX_NAMED_YEARS else "")


def pick_exact(title: str, exact: Sequence[Movie]) -> Movie | Choice | None:
    """Rule 1 and 3: one exact title wins; several (remakes) ask with years; none decides nothing."""
    if len(exact) == 1:
        return exact[0]
    if exact:
        ordered = tuple(sorted(exact, key=lambda m: (m.year or 0, m.id)))
        return Choice(f"Several movies are called “{clip_for_echo(exact[0].title)}”. Which one?", ordered)
    return None


def pick_in_year(title: str, year: int, exact_any_year: Sequence[Movie]) -> Movie | Choice | None:
    """Rule 2: of the exact-title films, those from `year`; a title that exists only in other years is an error."""
    in_year = [m for m in exact_any_year if m.year == year]
    if in_year:
        return pick_exact(title, in_year)
    if exact_any_year:
        raise NotFound(f"No “{clip_for_echo(title)}” from {year}; I have {_names(exact_any_year)}.")
    return None


def pick_from_hits(typed: str, hits: Sequence[Movie], total: int) -> Movie | Choice:
    """Rule 4: one search hit is the film; several ask; none is an error that suggests /search."""
    if total == 1 and hits:
        return hits[0]
    if hits:
        return Choice(f"Did you mean one of these for “{clip_for_echo(typed)}”?", tuple(hits))
    raise NotFound(f"No movie matches “{clip_for_echo(typed)}”. Try /search with part of the title.")


def year_mismatch(typed_title: str, year: int, other_years: Sequence[Movie]) -> NotFound:
    """Rule 2 for search hits: films match the words but none is from the typed year."""
    if other_years:
        return NotFound(f"No “{clip_for_echo(typed_title)}” from {year}; I have {_names(other_years)}.")
    return NotFound(f"No movie matches “{clip_for_echo(typed_title)}” from {year}. Try /search with part of the title.")
