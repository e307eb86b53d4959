"""Parsers for what users type after a command.

Chat users type loosely ("matrix 1999", "genre:sci-fi 1990-1999", "★★★★"), so
every free-text argument goes through one of these parsers, which either return
a typed value or raise InvalidInput with a message telling the user what works.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from domain.errors import InvalidInput, InvalidRating
from domain.genres import canonical_genre
from domain.models import MAX_STARS, MIN_STARS
from domain.text import clean_user_text

MAX_QUERY_LENGTH = 200

_YEAR = r"(?:18[7-9]\d|19\d\d|20\d\d|2100)"
_YEAR_SPEC = re.compile(
    rf"^\(?(?:(?P<single>{_YEAR})|(?P<lo>{_YEAR})\s*[-–]\s*(?P<hi>{_YEAR})|(?P<list>{_YEAR}(?:,{_YEAR})+)|(?P<decade>(?:18[7-9]|19\d|20\d)0)s)\)?$"
)
_KEYED = re.compile(r"^(?P<key>[a-z]+):(?P<value>.*)$", re.IGNORECASE)
_INTERNAL_ID = re.compile(r"^(?:#|id:)(\d{1,9})$", re.IGNORECASE)
_TMDB_ID = re.compile(r"^tmdb:(\d{1,9})$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d{1,9}$")
_STAR_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
_STARS_LIKE = re.compile(r"^(?:\d{1,3}(?:[.,]\d+)?(?:/(?:5|10))?|[★⭐*]+|-\d+)$")

YearRange = tuple[int, int]


def _parse_year_spec(token: str) -> tuple[YearRange, ...] | None:
    """Turn "1999", "1990-1999", "2022,2023" or "1990s" into year ranges, or None."""
    match = _YEAR_SPEC.match(token)
    if not match:
        return None
    if match["single"]:
        year = int(match["single"])
        return ((year, year),)
    if match["lo"]:
        lo, hi = int(match["lo"]), int(match["hi"])
        if lo > hi:
            raise InvalidInput(f"The year range {lo}-{hi} runs backwards; try {hi}-{lo}.")
        return ((lo, hi),)
    if match["list"]:
        years = sorted({int(y) for y in match["list"].split(",")})
        return tuple((y, y) for y in years)
    start = int(match["decade"])
    return ((start, start + 9),)


def _clean_argument(text: str) -> str:
    cleaned = " ".join(clean_user_text(text).split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"That is too long: keep it under {MAX_QUERY_LENGTH} characters.")
    return cleaned


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed /search: any mix of title words, genres, years and ids."""

    title: str = ""
    genres: tuple[str, ...] = ()
    years: tuple[YearRange, ...] = ()
    tmdb_id: int | None = None
    movie_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.title or self.genres or self.years or self.tmdb_id or self.movie_id)

    def describe(self) -> str:
        """Say back what we searched for, e.g. 'matrix · Science Fiction · 1999'."""
        parts: list[str] = []
        if self.movie_id is not None:
            parts.append(f"#{self.movie_id}")
        if self.tmdb_id is not None:
            parts.append(f"TMDb {self.tmdb_id}")
        if self.title:
            parts.append(f"“{self.title}”")
        parts.extend(self.genres)
        parts.extend(str(lo) if lo == hi else f"{lo}–{hi}" for lo, hi in self.years)
        return " · ".join(parts)


SEARCH_HELP = (
    "Try /search matrix, /search matrix 1999, /search 1990-1999, /search genre:comedy 2022,2023 or /search tmdb:603."
)


def parse_search(text: str) -> SearchQuery:
    """Parse a /search argument; raise InvalidInput when nothing searchable is left."""
    cleaned = _clean_argument(text)
    tokens = cleaned.split(" ") if cleaned else []
    genres: list[str] = []
    years: list[YearRange] = []
    tmdb_id: int | None = None
    movie_id: int | None = None
    title_tokens: list[str] = []
    for token in tokens:
        if m := _INTERNAL_ID.match(token):
            movie_id = int(m[1])
            continue
        if m := _TMDB_ID.match(token):
            tmdb_id = int(m[1])
            continue
        keyed = _KEYED.match(token)
        if keyed and keyed["key"].lower() in ("genre", "g"):
            genre = canonical_genre(keyed["value"].replace("-", " ").replace("_", " "))
            if genre is None:
                raise InvalidInput(f"I don't know the genre “{keyed['value'][:40]}”. {SEARCH_HELP}")
            genres.append(genre)
            continue
        if keyed and keyed["key"].lower() in ("year", "y"):
            spec = _parse_year_spec(keyed["value"])
            if spec is None:
                raise InvalidInput(f"“{keyed['value'][:20]}” is not a year. {SEARCH_HELP}")
            years.extend(spec)
            continue
        title_tokens.append(token)
    # Trailing bare years filter ("matrix 1999"); a year inside a title ("2001 a space odyssey") stays.
    while title_tokens and (spec := _parse_year_spec(title_tokens[-1])) is not None:
        years.extend(spec)
        title_tokens.pop()
    title = " ".join(title_tokens)
    if title and not genres and (genre := canonical_genre(title)) is not None:
        genres.append(genre)
        title = ""
    query = SearchQuery(
        title=title,
        genres=tuple(dict.fromkeys(genres)),
        years=tuple(sorted(set(years))),
        tmdb_id=tmdb_id,
        movie_id=movie_id,
    )
    if query.is_empty:
        raise InvalidInput(f"What should I look for? {SEARCH_HELP}")
    return query


@dataclass(frozen=True, slots=True)
class MovieRef:
    """How a user pointed at one movie: an id, or a title with an optional year."""

    title: str = ""
    year: int | None = None
    movie_id: int | None = None
    tmdb_id: int | None = None


MOVIE_REF_HELP = "Name a movie by title (add the year to pick one: “Heat 1995”), #id or tmdb:id."


def parse_movie_ref(text: str) -> MovieRef:
    """Parse a reference to a single movie: '#12', 'tmdb:550', '550', 'Heat 1995', 'Heat (1995)'."""
    cleaned = _clean_argument(text)
    if not cleaned:
        raise InvalidInput(f"Which movie? {MOVIE_REF_HELP}")
    if m := _INTERNAL_ID.match(cleaned):
        return MovieRef(movie_id=int(m[1]))
    if m := _TMDB_ID.match(cleaned):
        return MovieRef(tmdb_id=int(m[1]))
    if _DIGITS.match(cleaned):
        # A bare number is a TMDb id if we know one, else a title like "300" or "1917".
        return MovieRef(title=cleaned, tmdb_id=int(cleaned))
    tokens = cleaned.split(" ")
    if len(tokens) > 1:
        spec = _parse_year_spec(tokens[-1])
        if spec is not None and len(spec) == 1 and spec[0][0] == spec[0][1]:
            return MovieRef(title=" ".join(tokens[:-1]), year=spec[0][0])
    return MovieRef(title=cleaned)


def parse_stars(text: str) -> int:
    """Parse stars as typed: '4', '4/5', '★★★★'; anything else outside 1–5 is refused."""
    token = text.strip()
    if token and set(token) <= set("★⭐*"):
        count = len(token)
    else:
        match = re.fullmatch(r"(\d{1,2})(?:/5)?", token)
        if not match:
            raise InvalidRating(f"Stars are a whole number from {MIN_STARS} to {MAX_STARS}, like /rate heat 4.")
        count = int(match[1])
    if not MIN_STARS <= count <= MAX_STARS:
        raise InvalidRating(f"{count} is out of range: stars go from {MIN_STARS} to {MAX_STARS}.")
    return count


def split_rate_args(text: str) -> tuple[str, str | None]:
    """Split '/rate heat 1995 4' into ('heat 1995', '4'); no stars given -> (text, None).

    The last word counts as a star attempt when it looks like one ("4", "0", "4/5",
    "★★", "five"), so "/rate heat five" is refused rather than searched as a title.
    """
    cleaned = _clean_argument(text)
    head, _, last = cleaned.rpartition(" ")
    if head and ((_STARS_LIKE.match(last) and not _YEAR_SPEC.match(last)) or last.lower() in _STAR_WORDS):
        if last.lower() in _STAR_WORDS:
            raise InvalidRating(f"Use digits for stars, from {MIN_STARS} to {MAX_STARS}: /rate {clip_for_echo(head)} 4")
        return head, last
    return cleaned, None


def clip_for_echo(text: str, limit: int = 60) -> str:
    """Shorten user text we repeat back, so a 5,000-character argument never floods the chat."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SortOrder(str, Enum):
    """How favorites and the watchlist can be sorted."""

    RECENT = "recent"
    TITLE = "title"
    YEAR = "year"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Filters for /favorites and /watchlist."""

    title: str = ""
    genre: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    sort: SortOrder = SortOrder.RECENT

    @property
    def is_default(self) -> bool:
        return self == ListFilter()

    def describe(self) -> str:
        parts = [f"“{self.title}”"] if self.title else []
        if self.genre:
            parts.append(self.genre)
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        if self.sort is not SortOrder.RECENT:
            parts.append(f"by {self.sort.value}")
        return " · ".join(parts)


LIST_HELP = (
    "Filter with words from the title, genre:drama, since:2026-01-31, until:2026-06-30, sort:recent|title|year|rating."
)


def _parse_date(key: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{key}: needs a date like 2026-01-31. {LIST_HELP}") from None


def parse_list_filter(text: str) -> ListFilter:
    """Parse the arguments of /favorites or /watchlist."""
    cleaned = _clean_argument(text)
    title: list[str] = []
    genre: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    sort = SortOrder.RECENT
    for token in cleaned.split(" ") if cleaned else []:
        keyed = _KEYED.match(token)
        key = keyed["key"].lower() if keyed else ""
        if keyed and key in ("genre", "g"):
            genre = canonical_genre(keyed["value"].replace("-", " "))
            if genre is None:
                raise InvalidInput(f"I don't know the genre “{clip_for_echo(keyed['value'], 40)}”.")
        elif keyed and key == "since":
            since = _parse_date("since", keyed["value"])
        elif keyed and key == "until":
            until = _parse_date("until", keyed["value"])
        elif keyed and key == "sort":
            try:
                sort = SortOrder(keyed["value"].lower())
            except ValueError:
                raise InvalidInput(f"sort: can be recent, title, year or rating. {LIST_HELP}") from None
        else:
            title.append(token)
    if since and until and since > until:
        raise InvalidInput("since: is after until: — nothing can match.")
    return ListFilter(title=" ".join(title), genre=genre, since=since, until=until, sort=sort)
