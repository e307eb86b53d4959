"""A fake TMDb v3 server (aiohttp on 127.0.0.1) answering with the shapes of TMDb's OpenAPI spec.

Used by the TMDb adapter's tests and by `bench/tmdb`. It counts every request
per path, checks credentials like TMDb (Bearer token or api_key), adds a fixed
latency, and plays scripted faults in order: error statuses with TMDb's
status_code bodies, Retry-After, slow answers and malformed JSON. Real TMDb
data quirks are reproduced: a movie with a null poster_path and an empty
release_date, and German genre names in /genre/movie/list (the spec's example).
"""

from __future__ import annotations

import asyncio
import zlib
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

TOKEN = "fake-read-access-token-0123456789"
API_KEY = "fakeapikey0123456789abcdef"

ERRORS: dict[int, tuple[int, str]] = {
    401: (7, "Invalid API key: You must be granted a valid key."),
    404: (34, "The resource you requested could not be found."),
    429: (25, "Your request count (#) is over the allowed limit of (40)."),
    500: (11, "Internal error: Something went wrong, contact TMDB."),
    503: (9, "Service offline: This service is temporarily offline, try again later."),
}

FIGHT_CLUB: dict[str, Any] = {
    "adult": False,
    "backdrop_path": "/hZkgoQYus5vegHoetLkCJzb17zJ.jpg",
    "belongs_to_collection": None,
    "budget": 63000000,
    "genres": [{"id": 18, "name": "Drama"}, {"id": 53, "name": "Thriller"}, {"id": 35, "name": "Comedy"}],
    "homepage": "http://www.foxmovies.com/movies/fight-club",
    "id": 550,
    "imdb_id": "tt0137523",
    "origin_country": ["US"],
    "original_language": "en",
    "original_title": "Fight Club",
    "overview": (
        "A ticking-time-bomb insomniac and a slippery soap salesman channel primal male aggression "
        "into a shocking new form of therapy."
    ),
    "popularity": 73.433,
    "poster_path": "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg",
    "production_companies": [],
    "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
    "release_date": "1999-10-15",
    "revenue": 100853753,
    "runtime": 139,
    "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
    "status": "Released",
    "tagline": "Mischief. Mayhem. Soap.",
    "title": "Fight Club",
    "video": False,
    "vote_average": 8.433,
    "vote_count": 26279,
}

UNTITLED: dict[str, Any] = {
    **FIGHT_CLUB,
    "id": 999001,
    "imdb_id": None,
    "title": "Untitled Wachowski Project",
    "original_title": "Untitled Wachowski Project",
    "overview": "",
    "poster_path": None,
    "backdrop_path": None,
    "release_date": "",
    "runtime": None,
    "genres": [{"id": 878, "name": "Science Fiction"}],
    "popularity": 1.5,
}

MOVIES: dict[int, dict[str, Any]] = {m["id"]: m for m in (FIGHT_CLUB, UNTITLED)}

APPENDS: dict[str, Any] = {
    "keywords": {"keywords": [{"id": 825, "name": "support group"}, {"id": 4565, "name": "dual identity"}]},
    "release_dates": {
        "results": [
            {
                "iso_3166_1": "US",
                "release_dates": [
                    {
                        "certification": "R",
                        "descriptors": [],
                        "iso_639_1": "",
                        "note": "",
                        "release_date": "1999-10-15T00:00:00.000Z",
                        "type": 3,
                    }
                ],
            }
        ]
    },
    "watch/providers": {
        "results": {
            "US": {
                "link": "https://www.themoviedb.org/movie/550-fight-club/watch?locale=US",
                "rent": [
                    {
                        "logo_path": "/5NyLm42TmCqCMOZFvH4fcoSNKEW.jpg",
                        "provider_id": 10,
                        "provider_name": "Amazon Video",
                        "display_priority": 13,
                    }
                ],
                "flatrate": [
                    {
                        "logo_path": "/zxrVdFjIjLqkfnwyghnfywTn3Lh.jpg",
                        "provider_id": 15,
                        "provider_name": "Hulu",
                        "display_priority": 6,
                    },
                    {
                        "logo_path": "/jPXksae158ukMLFhhlNvzsvaEyt.jpg",
                        "provider_id": 257,
                        "provider_name": "fuboTV",
                        "display_priority": 5,
                    },
                ],
                "buy": [
                    {
                        "logo_path": "/peURlLlr8jggOwK53fJ5wdQl05y.jpg",
                        "provider_id": 2,
                        "provider_name": "Apple TV",
                        "display_priority": 4,
                    }
                ],
            }
        }
    },
}

# The spec's own example: German names (the example was fetched with language=de).
GENRE_LIST = {
    "genres": [
        {"id": 28, "name": "Action"},
        {"id": 12, "name": "Abenteuer"},
        {"id": 16, "name": "Animation"},
        {"id": 35, "name": "Komödie"},
        {"id": 80, "name": "Krimi"},
        {"id": 18, "name": "Drama"},
        {"id": 878, "name": "Science Fiction"},
        {"id": 53, "name": "Thriller"},
    ]
}

CONFIGURATION = {
    "images": {
        "base_url": "http://image.fake/t/p/",
        "secure_base_url": "https://image.fake/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "original"],
        "still_sizes": ["w92", "original"],
    },
    "change_keys": ["adult", "genres", "title"],
}

LIST_KEYS = (
    "adult",
    "backdrop_path",
    "id",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "poster_path",
    "release_date",
    "title",
    "video",
)
LIST_KEYS += ("vote_average", "vote_count")


def list_item(movie: dict[str, Any]) -> dict[str, Any]:
    """A details record as it appears in search/discover/trending results."""
    item = {k: movie[k] for k in LIST_KEYS if k in movie}
    item["genre_ids"] = [g["id"] for g in movie["genres"]]
    return item


def synthetic(query: str, page: int) -> list[dict[str, Any]]:
    """Deterministic results for any query, so the bench can search for anything."""
    seed = zlib.crc32(query.encode())
    items = []
    for i in range(20):
        tmdb_id = 1_000_000 + (seed % 100_000) * 100 + (page - 1) * 20 + i
        items.append(
            list_item(
                {
                    **FIGHT_CLUB,
                    "id": tmdb_id,
                    "title": f"{query.title()} {page}-{i}",
                    "original_title": f"{query.title()} {page}-{i}",
                    "release_date": f"{1950 + tmdb_id % 75}-0{1 + i % 9}-1{i % 10}",
                    "poster_path": None if i % 7 == 0 else f"/p{tmdb_id}.jpg",
                    "popularity": float(100 - i),
                }
            )
        )
    return items


@dataclass(frozen=True)
class Fault:
    """One scripted answer: an error status, a delay, or a raw (malformed) body."""

    status: int = 500
    delay: float = 0.0
    retry_after: str | None = None
    raw: str | None = None


class FakeTmdb:
    """The server; `calls[path]` counts requests (after the /3 prefix), `requests` keeps each query and headers."""

    def __init__(self, *, latency: float = 0.0, token: str = TOKEN, api_key: str = API_KEY) -> None:
        self.latency = latency
        self.token = token
        self.api_key = api_key
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.faults: deque[Fault] = deque()
        self.down: Fault | None = None
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def fail(self, *faults: Fault) -> None:
        """Answer the next requests with these faults, in order, whatever their path."""
        self.faults.extend(faults)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/3/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/3"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- request handling -----------------------------------------------------------------

    def _error(self, status: int, retry_after: str | None = None) -> web.Response:
        code, message = ERRORS.get(status, (11, "Internal error"))
        headers = {"Retry-After": retry_after} if retry_after else None
        return web.json_response(
            {"success": False, "status_code": code, "status_message": message}, status=status, headers=headers
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        self.calls[path] += 1
        self.requests.append((path, dict(request.query), dict(request.headers)))
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.faults.popleft() if self.faults else self.down
        if fault is not None:
            await asyncio.sleep(fault.delay)
            if fault.raw is not None:
                return web.Response(text=fault.raw, status=fault.status, content_type="application/json")
            if fault.status != 200:
                return self._error(fault.status, fault.retry_after)
        bearer = request.headers.get("Authorization") == f"Bearer {self.token}"
        if not bearer and request.query.get("api_key") != self.api_key:
            return self._error(401)
        body = self._body(path, request.query)
        return self._error(404) if body is None else web.json_response(body)

    def _body(self, path: str, query: Any) -> dict[str, Any] | None:
        page = int(query.get("page", "1"))
        parts = path.strip("/").split("/")
        if path == "/configuration":
            return CONFIGURATION
        if path == "/genre/movie/list":
            return GENRE_LIST
        if path == "/search/movie":
            text = query.get("query", "").casefold()
            known = [list_item(m) for m in MOVIES.values() if text in m["title"].casefold()]
            results = known or synthetic(text, page)
            return {
                "page": page,
                "results": results,
                "total_pages": 7,
                "total_results": 137 if not known else len(known),
            }
        if parts[:2] == ["trending", "movie"] and parts[2:] in (["day"], ["week"]):
            return {
                "page": page,
                "results": [{**list_item(m), "media_type": "movie"} for m in MOVIES.values()],
                "total_pages": 1,
                "total_results": len(MOVIES),
            }
        if path == "/discover/movie":
            return {"page": page, "results": [list_item(FIGHT_CLUB)], "total_pages": 1, "total_results": 1}
        if path == "/movie/upcoming":
            dates = {"maximum": "2026-12-01", "minimum": "2026-11-01"}
            return {
                "dates": dates,
                "page": page,
                "results": [list_item(UNTITLED)],
                "total_pages": 1,
                "total_results": 1,
            }
        if len(parts) >= 2 and parts[0] == "movie" and parts[1].isdigit() and int(parts[1]) in MOVIES:
            movie = MOVIES[int(parts[1])]
            if parts[2:] == ["watch", "providers"]:
                return {"id": movie["id"], **APPENDS["watch/providers"]}
            if parts[2:]:
                return None
            appended = [a for a in query.get("append_to_response", "").split(",") if a in APPENDS]
            return {**movie, **{a: {"id": movie["id"], **APPENDS[a]} for a in appended}}
        return None
