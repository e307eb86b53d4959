"""Turn TMDb v3 JSON into domain values, trusting nothing about its shape.

TMDb's OpenAPI schemas are generated from examples: nothing is marked nullable
or required, yet `poster_path`, `release_date` ("" for unreleased films),
`runtime` and others are null or missing in real responses. Every reader here
is total: odd values become None or empty, and a result without an id or title
is dropped instead of failing a whole page. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.catalog import WatchProviders
from domain.genres import canonical_genre, canonical_genres
from domain.models import MovieDraft, Page

PAGE_SIZE = 20
MAX_PAGES = 500  # TMDb refuses page > 500 whatever total_pages says

# TMDb's movie genre ids are stable; English names let us map them to our vocabulary
# even before (or without) a /genre/movie/list answer.
DEFAULT_GENRES: dict[int, str] = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}

DEFAULT_IMAGE_BASE = "https://image.tmdb.org/t/p/"
DEFAULT_POSTER_SIZE = "w342"
PREFERRED_POSTER_SIZES = ("w342", "w500", "w185", "w780", "original")


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """Where posters live: TMDb's secure image base URL and the size we show."""

    base_url: str = DEFAULT_IMAGE_BASE
    poster_size: str = DEFAULT_POSTER_SIZE

    def poster_url(self, path: str | None) -> str | None:
        """Build the absolute poster URL; None or an empty path means no poster."""
        if not path:
            return None
        return f"{self.base_url.rstrip('/')}/{self.poster_size}/{path.lstrip('/')}"


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def parse_date(value: Any) -> dt.date | None:
    """Read "YYYY-MM-DD" (or an ISO timestamp's date part); "", null and garbage give None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def genre_table(body: Any) -> dict[int, str]:
    """Read /genre/movie/list into id -> name, on top of the built-in English table."""
    table = dict(DEFAULT_GENRES)
    if isinstance(body, Mapping):
        for genre in _dicts(body.get("genres")):
            gid, name = _int(genre.get("id")), _text(genre.get("name"))
            # Only names we can map replace the defaults: a German list must not erase "Comedy".
            if gid is not None and name and canonical_genre(name):
                table[gid] = name
    return table


def genre_ids(names: Iterable[str], table: Mapping[int, str]) -> tuple[list[int], list[str]]:
    """TMDb ids for genre names (ours or TMDb's), for /discover's with_genres, and the names TMDb lacks."""
    by_name = {canonical_genre(name): gid for gid, name in table.items()}
    ids: dict[int, None] = {}
    missing: list[str] = []
    for name in names:
        gid = by_name.get(canonical_genre(name))
        if gid is None:
            missing.append(name)
        else:
            ids.setdefault(gid, None)
    return list(ids), missing


def _genres_from_ids(ids: Any, table: Mapping[int, str]) -> tuple[str, ...]:
    names = [table[i] for i in ids if isinstance(i, int) and i in table] if isinstance(ids, list) else []
    return canonical_genres(names)


def _genre_name(genre: Mapping[str, Any], table: Mapping[int, str]) -> str:
    """Name a genre object by its id when we know it (language-independent), else by the name TMDb sent."""
    gid = _int(genre.get("id"))
    return table[gid] if gid is not None and gid in table else _text(genre.get("name")) or ""


def _popularity(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def draft_from_result(item: Any, table: Mapping[int, str]) -> MovieDraft | None:
    """Map one list result (search, trending, discover, upcoming); None when unusable."""
    if not isinstance(item, Mapping):
        return None
    tmdb_id, title = _int(item.get("id")), _text(item.get("title")) or _text(item.get("original_title"))
    if tmdb_id is None or title is None:
        return None
    released = parse_date(item.get("release_date"))
    return MovieDraft(
        title=title,
        year=released.year if released else None,
        genres=_genres_from_ids(item.get("genre_ids"), table),
        tmdb_id=tmdb_id,
        original_title=_text(item.get("original_title")),
        release_date=released,
        overview=_text(item.get("overview")),
        poster_path=_text(item.get("poster_path")),
        popularity=_popularity(item.get("popularity")),
    )


def _earliest_release(body: Mapping[str, Any]) -> dt.date | None:
    """The earliest date in append_to_response=release_dates, for films whose release_date is empty."""
    block = body.get("release_dates")
    countries = _dicts(block.get("results")) if isinstance(block, Mapping) else []
    dates = [parse_date(r.get("release_date")) for c in countries for r in _dicts(c.get("release_dates"))]
    return min((d for d in dates if d is not None), default=None)


# TMDb release types: 1 premiere, 2 limited theatrical, 3 theatrical, 4 digital, 5 physical, 6 TV.
# A film "comes out" for a viewer at its first limited, theatrical or digital release in their country.
_COMES_OUT = frozenset({2, 3, 4})


def _regional_releases(body: Mapping[str, Any]) -> tuple[tuple[str, dt.date], ...]:
    """Per country, the day the film comes out there (append_to_response=release_dates)."""
    block = body.get("release_dates")
    found: dict[str, dt.date] = {}
    for country in _dicts(block.get("results")) if isinstance(block, Mapping) else []:
        region = _text(country.get("iso_3166_1"))
        if region is None or len(region) != 2 or not region.isascii() or not region.isalpha():
            continue
        dates = [
            parse_date(r.get("release_date"))
            for r in _dicts(country.get("release_dates"))
            if _int(r.get("type")) in _COMES_OUT
        ]
        earliest = min((d for d in dates if d is not None), default=None)
        if earliest is not None:
            found[region.upper()] = earliest
    return tuple(sorted(found.items()))


def _keywords(body: Mapping[str, Any]) -> tuple[str, ...]:
    block = body.get("keywords")
    names = (_text(k.get("name")) for k in _dicts(block.get("keywords"))) if isinstance(block, Mapping) else ()
    return tuple(dict.fromkeys(n for n in names if n))


def draft_from_details(body: Any, table: Mapping[int, str]) -> MovieDraft | None:
    """Map /movie/{id} (with keywords and release_dates appended) to a full draft."""
    base = draft_from_result(body, table)
    if base is None:
        return None
    assert isinstance(body, Mapping)
    genre_objects = _dicts(body.get("genres"))
    names = [_genre_name(g, table) for g in genre_objects]
    released = base.release_date or _earliest_release(body)
    imdb_id = _text(body.get("imdb_id"))
    runtime = _int(body.get("runtime"))
    return MovieDraft(
        title=base.title,
        year=released.year if released else None,
        genres=canonical_genres(names) if genre_objects else base.genres,
        tmdb_id=base.tmdb_id,
        imdb_id=imdb_id if imdb_id and imdb_id.startswith("tt") else None,
        original_title=base.original_title,
        release_date=released,
        overview=base.overview,
        poster_path=base.poster_path,
        runtime=runtime or None,
        popularity=base.popularity,
        keywords=_keywords(body),
        release_dates=_regional_releases(body),
    )


def page_of(body: Any, table: Mapping[int, str], page: int) -> Page[MovieDraft]:
    """Map a paged TMDb list; totals are capped where TMDb stops serving pages."""
    if not isinstance(body, Mapping):
        return Page(items=(), page=page, page_size=PAGE_SIZE, total=0)
    items = tuple(d for d in (draft_from_result(r, table) for r in _dicts(body.get("results"))) if d is not None)
    total = _int(body.get("total_results")) or len(items)
    return Page(
        items=items, page=_int(body.get("page")) or page, page_size=PAGE_SIZE, total=min(total, MAX_PAGES * PAGE_SIZE)
    )


def _provider_names(entries: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    ranked = sorted(entries, key=lambda e: _int(e.get("display_priority")) or 0)
    return tuple(dict.fromkeys(n for n in (_text(e.get("provider_name")) for e in ranked) if n))


def watch_providers_from(body: Any, region: str) -> WatchProviders:
    """Read one region out of /watch/providers (or the same block appended to details)."""
    results = body.get("results") if isinstance(body, Mapping) else None
    block = results.get(region.upper()) if isinstance(results, Mapping) else None
    if not isinstance(block, Mapping):
        return WatchProviders(region=region.upper())
    return WatchProviders(
        region=region.upper(),
        link=_text(block.get("link")),
        flatrate=_provider_names(_dicts(block.get("flatrate"))),
        rent=_provider_names(_dicts(block.get("rent"))),
        buy=_provider_names(_dicts(block.get("buy"))),
    )


def image_config(body: Any) -> ImageConfig:
    """Pick the secure base URL and a card-sized poster from /configuration; defaults otherwise."""
    images = body.get("images") if isinstance(body, Mapping) else None
    if not isinstance(images, Mapping):
        return ImageConfig()
    base = _text(images.get("secure_base_url"))
    sizes = [s for s in images.get("poster_sizes") or () if isinstance(s, str)]
    size = next((s for s in PREFERRED_POSTER_SIZES if s in sizes), sizes[0] if sizes else DEFAULT_POSTER_SIZE)
    return ImageConfig(base_url=base if base and base.startswith("https://") else DEFAULT_IMAGE_BASE, poster_size=size)
