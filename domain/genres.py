"""One genre vocabulary for every source.

MovieLens says "Sci-Fi" and "Children", TMDb says "Science Fiction" and "Family";
users type "scifi". Everything is mapped onto TMDb's names so a genre filter
means the same thing whichever catalog a movie came from.
"""

from __future__ import annotations

from domain.text import normalize

GENRES: tuple[str, ...] = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "Film Noir",
    "History",
    "Horror",
    "Music",
    "Mystery",
    "Romance",
    "Science Fiction",
    "TV Movie",
    "Thriller",
    "War",
    "Western",
)

_ALIASES: dict[str, str] = {
    "sci fi": "Science Fiction",
    "scifi": "Science Fiction",
    "sf": "Science Fiction",
    "science fiction": "Science Fiction",
    "children": "Family",
    "childrens": "Family",
    "children s": "Family",
    "kids": "Family",
    "musical": "Music",
    "musicals": "Music",
    "film noir": "Film Noir",
    "noir": "Film Noir",
    "historical": "History",
    "animated": "Animation",
    "anime": "Animation",
    "romantic": "Romance",
    "romcom": "Romance",
    "documentaries": "Documentary",
    "doc": "Documentary",
    "tv": "TV Movie",
    "tv movie": "TV Movie",
    "thrillers": "Thriller",
    "westerns": "Western",
    "comedies": "Comedy",
    "dramas": "Drama",
    "horrors": "Horror",
    "mysteries": "Mystery",
    "action adventure": "Action",
    "war & politics": "War",
    "war politics": "War",
    "sci fi & fantasy": "Science Fiction",
    "sci fi fantasy": "Science Fiction",
}

_BY_KEY: dict[str, str] = {normalize(g): g for g in GENRES}
_BY_KEY.update({normalize(alias): name for alias, name in _ALIASES.items()})

# Not genres: formats and placeholders some sources put in the genre field.
_IGNORED = frozenset({normalize("(no genres listed)"), "imax", "unknown", ""})


def canonical_genre(name: str) -> str | None:
    """Return our name for a genre a source or a user gave, or None if unknown."""
    key = normalize(name)
    if key in _IGNORED:
        return None
    return _BY_KEY.get(key) or _BY_KEY.get(key.rstrip("s"))


def canonical_genres(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Map and de-duplicate a list of genre names, keeping their order."""
    seen: dict[str, None] = {}
    for name in names:
        genre = canonical_genre(name)
        if genre is not None:
            seen.setdefault(genre, None)
    return tuple(seen)
