"""TmdbCatalog: the RemoteCatalog port over TMDb v3, cached, coalesced and resilient.

A request goes: cache -> single-flight -> circuit breaker -> retries -> HTTP.
Only successful bodies reach the cache. Whatever goes wrong upstream leaves
here as `CatalogUnavailable` (user-safe) after one log line for admins, except
a 404 on details, which is an answer: None.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.tmdb import mapping
from adapters.tmdb.cache import DETAILS, LISTS, SEARCH, STATIC, JsonCache, MemoryCache, RedisCache, SingleFlight
from adapters.tmdb.client import DEFAULT_BASE_URL, Params, TmdbAuthError, TmdbClient, TmdbNotFound, cache_key
from adapters.tmdb.resilience import CircuitOpen, Resilient, UpstreamError
from domain.catalog import CatalogUnavailable, TrendingWindow, WatchProviders, YearRange
from domain.models import MovieDraft, Page

log = logging.getLogger("moviebot.tmdb")

DETAILS_APPEND = "keywords,release_dates,watch/providers"
GENRE_LANGUAGE = "en"  # our genre vocabulary is English whatever language cards use
STATIC_REFRESH_SECONDS = 24 * 3600
STATIC_RETRY_SECONDS = 5 * 60


@dataclass
class CatalogStats:
    """Counters for tests, the bench and admin diagnostics."""

    requests: int = 0
    cache_hits: int = 0
    failures: int = 0

    @property
    def hit_ratio(self) -> float:
        return self.cache_hits / self.requests if self.requests else 0.0


class TmdbCatalog:
    """Live movie data from TMDb; see the module docstring for the request path."""

    name = "TMDb"

    def __init__(
        self,
        client: TmdbClient,
        cache: JsonCache | None = None,
        *,
        language: str = "en-US",
        resilient: Resilient | None = None,
    ) -> None:
        self.client = client
        self.cache: JsonCache = cache or MemoryCache()
        self.language = language
        self.resilient = resilient or Resilient()
        self.flight = SingleFlight()
        self.stats = CatalogStats()
        self._images = mapping.ImageConfig()
        self._genres = dict(mapping.DEFAULT_GENRES)
        self._static_until = float("-inf")

    @classmethod
    def create(
        cls,
        *,
        token: str | None,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 3.0,
        language: str = "en-US",
        redis_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> TmdbCatalog:
        """Build the catalog from configuration values (the composition root calls this)."""
        client = TmdbClient(base_url, token=token, api_key=api_key, timeout=timeout, transport=transport)
        cache: JsonCache = RedisCache.from_url(redis_url) if redis_url else MemoryCache()
        return cls(client, cache, language=language)

    def __repr__(self) -> str:
        return f"TmdbCatalog({self.client!r}, cache={type(self.cache).__name__})"

    async def aclose(self) -> None:
        await self.flight.aclose()
        await self.client.aclose()
        await self.cache.aclose()

    # ---- the request path ------------------------------------------------------------------

    async def _get(self, kind: str, path: str, params: Params) -> dict[str, Any]:
        """Fetch one JSON body through cache and single-flight; raise CatalogUnavailable or TmdbNotFound."""
        self.stats.requests += 1
        key = cache_key(path, params)
        cached = await self.cache.get(kind, key)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        return await self.flight.run(key, lambda: self._fetch(kind, key, path, params))

    async def _fetch(self, kind: str, key: str, path: str, params: Params) -> dict[str, Any]:
        try:
            body = await self.resilient.call(lambda: self.client.get_json(path, params), f"GET {path}")
        except TmdbNotFound:  # an answer, not an outage: callers turn it into None
            raise
        except CircuitOpen:
            self.stats.failures += 1
            raise CatalogUnavailable from None
        except UpstreamError as exc:
            self.stats.failures += 1
            level = logging.ERROR if isinstance(exc, TmdbAuthError) else logging.WARNING  # a bad token needs an admin
            log.log(level, "TMDb unavailable (%s); falling back to the offline catalog", exc)
            raise CatalogUnavailable from None
        await self.cache.set(kind, key, body)
        return body

    async def _page(self, kind: str, path: str, params: dict[str, str | int], page: int) -> Page[MovieDraft]:
        page = max(1, min(page, mapping.MAX_PAGES))
        try:
            body = await self._get(kind, path, {**params, "language": self.language, "page": page})
        except TmdbNotFound:
            return Page(items=(), page=page, page_size=mapping.PAGE_SIZE, total=0)
        await self._refresh_static()
        return mapping.page_of(body, self._genres, page)

    async def _details_body(self, tmdb_id: int) -> dict[str, Any] | None:
        if tmdb_id <= 0:
            return None
        try:
            return await self._get(
                DETAILS, f"/movie/{tmdb_id}", {"language": self.language, "append_to_response": DETAILS_APPEND}
            )
        except TmdbNotFound:
            return None

    async def _refresh_static(self) -> None:
        """Load the poster configuration and genre list once a day (cached); keep what we have on failure.

        Held in memory rather than read through the cache on every search: with
        Redis that would be two extra round trips per request for data that
        changes a few times a year.
        """
        now = time.monotonic()
        if now < self._static_until:
            return
        loaded = True
        try:
            self._images = mapping.image_config(await self._get(STATIC, "/configuration", {}))
            self._genres = mapping.genre_table(
                await self._get(STATIC, "/genre/movie/list", {"language": GENRE_LANGUAGE})
            )
        except (CatalogUnavailable, TmdbNotFound):
            loaded = False
            log.info(
                "TMDb /configuration or genre list unavailable; using %s and the built-in genre table for now",
                self._images.base_url,
            )
        self._static_until = now + (STATIC_REFRESH_SECONDS if loaded else STATIC_RETRY_SECONDS)

    # ---- the port --------------------------------------------------------------------------

    async def start(self) -> None:
        """Warm the image configuration and genre list, so the first card has its poster."""
        await self._refresh_static()

    async def search(self, query: str, year: int | None = None, page: int = 1) -> Page[MovieDraft]:
        """Search titles (original and translated); `year` matches any release in that year.

        TMDb's search ignores case and extra spaces, so the query is folded
        before it becomes a cache key: "Alien" and "alien " share one entry.
        """
        text = " ".join(query.split()).lower()
        if not text:
            return Page(items=(), page=1, page_size=mapping.PAGE_SIZE, total=0)
        params: dict[str, str | int] = {"query": text, "include_adult": "false"}
        if year is not None:
            params["year"] = year
        return await self._page(SEARCH, "/search/movie", params, page)

    async def details(self, tmdb_id: int) -> MovieDraft | None:
        """The full record for a TMDb id (genres, keywords, imdb id, runtime); None if TMDb has no such movie."""
        body = await self._details_body(tmdb_id)
        if body is None:
            return None
        await self._refresh_static()
        return mapping.draft_from_details(body, self._genres)

    async def trending(self, window: TrendingWindow = "day", page: int = 1) -> Page[MovieDraft]:
        if window not in ("day", "week"):
            raise ValueError(f"trending window must be 'day' or 'week', not {window!r}")
        return await self._page(LISTS, f"/trending/movie/{window}", {}, page)

    async def discover(
        self, genres: Sequence[str] = (), years: YearRange | None = None, page: int = 1
    ) -> Page[MovieDraft]:
        """Popular movies in all of `genres` (our names or TMDb's) released within `years`."""
        params: dict[str, str | int] = {
            "sort_by": "popularity.desc",
            "include_adult": "false",
            "include_video": "false",
        }
        if genres:
            await self._refresh_static()
            ids, missing = mapping.genre_ids(genres, self._genres)
            if missing:  # a genre TMDb does not have (Film Noir): nothing can match all of them
                return Page(items=(), page=page, page_size=mapping.PAGE_SIZE, total=0)
            params["with_genres"] = ",".join(map(str, ids))
        if years is not None:
            params["primary_release_date.gte"] = f"{min(years):04d}-01-01"
            params["primary_release_date.lte"] = f"{max(years):04d}-12-31"
        return await self._page(LISTS, "/discover/movie", params, page)

    async def upcoming(self, region: str | None = None, page: int = 1) -> Page[MovieDraft]:
        return await self._page(LISTS, "/movie/upcoming", {"region": region.upper()} if region else {}, page)

    async def watch_providers(self, tmdb_id: int, region: str) -> WatchProviders:
        """Where to watch in `region`, read from the (cached) details call rather than a second request."""
        body = await self._details_body(tmdb_id)
        block: Mapping[str, Any] | None = body.get("watch/providers") if body else None
        return mapping.watch_providers_from(block, region)

    def poster_url(self, path: str | None) -> str | None:
        return self._images.poster_url(path)
