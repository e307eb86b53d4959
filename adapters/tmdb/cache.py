"""Response caches for TMDb (in-process or Redis) and single-flight coalescing of identical calls.

Each kind of request has its own TTL and size bound: searches change within
minutes, movie details within hours, configuration and genres within days.
TMDb's terms allow keeping its data at most six months, so every TTL is capped
there. Only successful JSON objects are stored: callers never pass errors in.
Redis lets several bot instances share one cache; when Redis fails, the cache
behaves as a miss so TMDb (or the offline catalog) still answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import cachetools
import redis.asyncio as aioredis
from redis.exceptions import RedisError

T = TypeVar("T")
Json = dict[str, Any]

log = logging.getLogger("moviebot.tmdb")

MAX_TTL = 182 * 24 * 3600  # six months: TMDb's limit on caching its content


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """How long one kind of response stays fresh, and how many the in-process cache keeps."""

    ttl: float
    maxsize: int

    @property
    def capped_ttl(self) -> float:
        return max(1.0, min(self.ttl, MAX_TTL))


SEARCH, DETAILS, LISTS, STATIC = "search", "details", "lists", "static"

DEFAULT_POLICIES: Mapping[str, CachePolicy] = {
    SEARCH: CachePolicy(ttl=10 * 60, maxsize=2048),
    DETAILS: CachePolicy(ttl=6 * 3600, maxsize=4096),
    LISTS: CachePolicy(ttl=30 * 60, maxsize=512),  # trending, discover, upcoming
    STATIC: CachePolicy(ttl=24 * 3600, maxsize=16),  # configuration, genre list
}


class JsonCache(Protocol):
    """Where responses are kept: `kind` picks the TTL, `key` is credential-free."""

    async def get(self, kind: str, key: str) -> Json | None: ...

    async def set(self, kind: str, key: str, value: Json) -> None: ...

    async def aclose(self) -> None: ...


class MemoryCache:
    """One bounded cachetools.TTLCache per kind, in this process."""

    def __init__(
        self, policies: Mapping[str, CachePolicy] = DEFAULT_POLICIES, timer: Callable[[], float] | None = None
    ) -> None:
        # time.monotonic is TTLCache's own default timer.
        self._caches: dict[str, cachetools.TTLCache[str, Json]] = {
            kind: cachetools.TTLCache(maxsize=p.maxsize, ttl=p.capped_ttl, timer=timer or time.monotonic)
            for kind, p in policies.items()
        }

    async def get(self, kind: str, key: str) -> Json | None:
        return self._caches[kind].get(key)

    async def set(self, kind: str, key: str, value: Json) -> None:
        self._caches[kind][key] = value

    async def aclose(self) -> None:
        for cache in self._caches.values():
            cache.clear()


class RedisCache:
    """The same interface over Redis: JSON strings under `prefix + kind + key`, expiring with SET EX.

    Size is bounded by TTLs (and Redis's own maxmemory policy), not by maxsize.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        policies: Mapping[str, CachePolicy] = DEFAULT_POLICIES,
        prefix: str = "moviebot:tmdb:v1:",
    ) -> None:
        self._redis = client
        self._ttls = {kind: int(p.capped_ttl) for kind, p in policies.items()}
        self.prefix = prefix
        self._healthy = True

    @classmethod
    def from_url(cls, url: str, policies: Mapping[str, CachePolicy] = DEFAULT_POLICIES) -> RedisCache:
        """Connect lazily to `url` (it may hold a password: never log it)."""
        return cls(aioredis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5), policies)

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}:{key}"

    def _degraded(self, exc: Exception) -> None:
        if self._healthy:
            log.warning(
                "Redis cache unavailable (%s); TMDb responses are not cached until it is back", type(exc).__name__
            )
        self._healthy = False

    async def get(self, kind: str, key: str) -> Json | None:
        if kind not in self._ttls:
            raise KeyError(kind)
        try:
            raw = await self._redis.get(self._key(kind, key))
        except (RedisError, OSError) as exc:
            self._degraded(exc)
            return None
        self._healthy = True
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return value if isinstance(value, dict) else None

    async def set(self, kind: str, key: str, value: Json) -> None:
        try:
            await self._redis.set(self._key(kind, key), json.dumps(value, separators=(",", ":")), ex=self._ttls[kind])
        except (RedisError, OSError) as exc:
            self._degraded(exc)

    async def aclose(self) -> None:
        await self._redis.aclose()


class SingleFlight:
    """Coalesce concurrent calls with the same key into one, sharing its result or exception.

    The shared call runs as its own task, so a caller that gives up (a
    cancelled chat request) does not cancel it for everyone else waiting.
    `coalesced` counts callers that joined a call already in flight.
    """

    def __init__(self) -> None:
        self._calls: dict[str, asyncio.Task[Any]] = {}
        self.coalesced = 0

    async def run(self, key: str, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        task = self._calls.get(key)
        if task is None:
            task = asyncio.ensure_future(factory())
            self._calls[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        else:
            self.coalesced += 1
        result: T = await asyncio.shield(task)
        return result

    def _finished(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._calls.get(key) is task:
            del self._calls[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so an error nobody awaited is not reported as lost

    async def aclose(self) -> None:
        """Cancel calls still in flight (shutdown)."""
        tasks = list(self._calls.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
