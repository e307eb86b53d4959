"""In-process caches of hot reads: catalog lookups and the user behind each chat identity.

Searching, paging and opening cards are most of what users do. The rows
behind them change rarely (a catalog import, a TMDb refresh, a settings
change), yet without a cache every chat message would cost several SQL round
trips. The cached values are immutable domain values, so requests can share
them safely.

Two rules keep the caches honest:
- A change made by this process invalidates the affected entries right after
  its commit. Changes made by another instance show up within the cache's TTL.
- A reader fills the cache only if nothing was invalidated since its unit of
  work began. Otherwise a read that started before a commit could put the old
  rows back after the commit had cleared them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache

CATALOG_TTL_SECONDS = 300
CATALOG_MAX_ENTRIES = 4096
# Users change their settings rarely, but another instance may mark one unreachable at any time. A short TTL
# bounds how long a cached "reachable" can hide that (the next message after it ages out restores it).
USER_TTL_SECONDS = 10
USER_MAX_ENTRIES = 20_000

MISSING: Any = object()


class ReadCache:
    """A bounded TTL map with hit counting and an invalidation generation."""

    def __init__(self, ttl: float, size: int, *, timer: Callable[[], float] = time.monotonic) -> None:
        self._entries: TTLCache[Hashable, Any] = TTLCache(maxsize=size, ttl=ttl, timer=timer)
        self.generation = 0
        self.hits = 0
        self.misses = 0

    def reader(self) -> CacheReader:
        """A view for one unit of work: it may fill the cache only while nothing has been invalidated."""
        return CacheReader(self)

    def get(self, key: Hashable) -> Any:
        """The cached value, or `MISSING`."""
        value = self._entries.get(key, MISSING)
        if value is MISSING:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def invalidate(self, stale: Callable[[Any], bool] | None = None) -> None:
        """Drop the entries whose value is `stale` (every entry by default), after a commit changed them."""
        self.generation += 1
        if stale is None:
            self._entries.clear()
            return
        for key in [k for k, v in self._entries.items() if stale(v)]:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self.invalidate()

    def _put(self, key: Hashable, value: Any, generation: int) -> None:
        if generation == self.generation:
            self._entries[key] = value


class CacheReader:
    """One unit of work's access to a ReadCache."""

    def __init__(self, cache: ReadCache) -> None:
        self._cache = cache
        self._generation = cache.generation

    def renew(self) -> None:
        """The unit of work took a fresh snapshot: it reads rows at least as new as the last invalidation."""
        self._generation = self._cache.generation

    def get(self, key: Hashable) -> Any:
        return self._cache.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        self._cache._put(key, value, self._generation)
