"""The remote catalog port: live movie data (TMDb) behind a Protocol, plus the values it returns.

The bot asks a `RemoteCatalog` for search results, details, trending lists and
where-to-watch facts without knowing about HTTP, caches or retries; the TMDb
adapter implements it and tests stand in with fakes. When the source cannot
answer, implementations raise `CatalogUnavailable` so the bot can fall back to
the local catalog with a one-line notice instead of failing the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from domain.errors import DomainError
from domain.models import MovieDraft, Page

TrendingWindow = Literal["day", "week"]
YearRange = tuple[int, int]

JUSTWATCH_CREDIT = "Streaming data by JustWatch"


class CatalogUnavailable(DomainError):
    """The remote catalog cannot answer now (down, slow, throttling, or rejecting our credentials).

    The message is shown to users next to offline results, so it says what
    happens instead, never why in technical terms; admins see the cause in logs.
    """

    def __init__(
        self, message: str = "TMDb is not answering right now; showing results from the offline catalog."
    ) -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class WatchProviders:
    """Where a movie streams, rents or sells in one region, as TMDb (via JustWatch) reports it.

    TMDb's terms require crediting JustWatch wherever these are shown, so the
    credit travels with the value.
    """

    region: str
    link: str | None = None
    flatrate: tuple[str, ...] = ()
    rent: tuple[str, ...] = ()
    buy: tuple[str, ...] = ()
    credit: str = JUSTWATCH_CREDIT

    @property
    def empty(self) -> bool:
        """True when no provider is known for the region."""
        return not (self.flatrate or self.rent or self.buy)


class RemoteCatalog(Protocol):
    """A live source of movie data; every call may raise `CatalogUnavailable`.

    Pages follow the source's own page size (TMDb: 20 results).
    """

    name: str

    async def search(self, query: str, year: int | None = None, page: int = 1) -> Page[MovieDraft]: ...

    async def details(self, tmdb_id: int) -> MovieDraft | None:
        """The full record (genres, keywords, imdb id, runtime), or None when the id is unknown."""
        ...

    async def trending(self, window: TrendingWindow = "day", page: int = 1) -> Page[MovieDraft]: ...

    async def discover(
        self, genres: Sequence[str] = (), years: YearRange | None = None, page: int = 1
    ) -> Page[MovieDraft]: ...

    async def upcoming(self, region: str | None = None, page: int = 1) -> Page[MovieDraft]: ...

    async def watch_providers(self, tmdb_id: int, region: str) -> WatchProviders: ...

    def poster_url(self, path: str | None) -> str | None:
        """An absolute image URL for a poster path (None stays None); never does I/O."""
        ...
