"""One pooled httpx client for TMDb v3 that turns every failure into a typed UpstreamError.

Credentials: the v4 read access token goes in `Authorization: Bearer`; the v3
api_key (fallback) must be a query parameter, so it is added inside the
request's auth flow, after cache keys are built and never in anything we log.
httpx logs each request URL at INFO, which would print that key: its loggers
are held at WARNING. Error messages name the path only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import logging
import time
from collections.abc import Generator, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.tmdb.resilience import UpstreamError

log = logging.getLogger("moviebot.tmdb")

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
CREDENTIAL_PARAMS = frozenset({"api_key", "access_token", "session_id", "guest_session_id"})
Params = Mapping[str, str | int]

for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


class TmdbError(UpstreamError):
    """TMDb answered with an error; `status` is HTTP's, `tmdb_code` TMDb's own status_code."""

    def __init__(
        self, message: str, *, status: int | None = None, tmdb_code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status
        self.tmdb_code = tmdb_code


class TmdbNotFound(TmdbError):
    """404 (status_code 34): the resource does not exist; TMDb itself is fine."""

    counts_as_failure = False


class TmdbAuthError(TmdbError):
    """401 (status_code 7 invalid key, 3 authentication failed): retrying cannot help."""


class TmdbRequestError(TmdbError):
    """Another 4xx (a page past 500, a bad parameter): our request's fault, not TMDb's health."""

    counts_as_failure = False


class TmdbTransientError(TmdbError):
    """429 (status_code 25) or a 5xx, or the connection failed: worth a retry."""

    retryable = True


class TmdbTimeout(TmdbError):
    """No full answer within the time budget; not retried, the user has waited long enough."""


class TmdbBadResponse(TmdbError):
    """A 2xx whose body is not a JSON object (truncated, HTML from a proxy)."""


def cache_key(path: str, params: Params) -> str:
    """Build a stable key from the path and sorted parameters, never including credentials."""
    clean = sorted((k, str(v)) for k, v in params.items() if k not in CREDENTIAL_PARAMS)
    return f"{path}?{urlencode(clean)}" if clean else path


class _TmdbAuth(httpx.Auth):
    """Attach the bearer token, or else the api_key query parameter, to each request."""

    def __init__(self, token: str | None, api_key: str | None) -> None:
        self._token = token
        self._api_key = api_key

    def __repr__(self) -> str:
        return "_TmdbAuth(****)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token}"
        elif self._api_key:
            request.url = request.url.copy_merge_params({"api_key": self._api_key})
        yield request


def _retry_after(value: str | None) -> float | None:
    """Read Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _error_for(response: httpx.Response, path: str) -> TmdbError:
    """Map an error response, reading TMDb's {status_code, status_message} body when present."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    code = body.get("status_code") if isinstance(body, dict) and isinstance(body.get("status_code"), int) else None
    status = response.status_code
    message = f"GET {path}: HTTP {status}" + (f" (TMDb status_code {code})" if code is not None else "")
    kind: type[TmdbError] = TmdbError
    if 400 <= status < 500:
        kind = TmdbRequestError
    if status == 404:
        kind = TmdbNotFound
    elif status == 401:
        kind = TmdbAuthError
        message += ": TMDb rejected the credentials, check TMDB_API_TOKEN / TMDB_API_KEY"
    elif status == 429 or status >= 500:
        kind = TmdbTransientError
    return kind(message, status=status, tmdb_code=code, retry_after=_retry_after(response.headers.get("Retry-After")))


class TmdbClient:
    """GET JSON from TMDb over one pooled connection set, within a total time budget per request.

    `calls` counts requests sent upstream (tests and the bench read it).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        token: str | None = None,
        api_key: str | None = None,
        timeout: float = 3.0,
        max_connections: int = 20,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not (token or api_key):
            raise ValueError("TmdbClient needs a read access token or an api_key")
        self.timeout = timeout
        self.calls = 0
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            auth=_TmdbAuth(token, api_key),
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"Accept": "application/json", "User-Agent": "moviebot"},
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"TmdbClient({str(self._http.base_url)!r})"

    async def get_json(self, path: str, params: Params) -> dict[str, Any]:
        """GET `path` (relative to the base URL) and return its JSON object, or raise a TmdbError."""
        self.calls += 1
        started = time.perf_counter()
        try:
            # httpx's timeout is per phase; a server that trickles bytes needs a total deadline too.
            async with asyncio.timeout(self.timeout):
                response = await self._http.get(path.lstrip("/"), params=dict(params))
        except (TimeoutError, httpx.TimeoutException):
            raise TmdbTimeout(f"GET {path}: no answer within {self.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise TmdbTransientError(f"GET {path}: {type(exc).__name__}") from None
        log.debug("GET %s -> %d in %.0f ms", path, response.status_code, (time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise _error_for(response, path)
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise TmdbBadResponse(f"GET {path}: malformed JSON", status=response.status_code) from None
        if not isinstance(body, dict):
            raise TmdbBadResponse(
                f"GET {path}: expected a JSON object, got {type(body).__name__}", status=response.status_code
            )
        return body

    async def aclose(self) -> None:
        await self._http.aclose()
