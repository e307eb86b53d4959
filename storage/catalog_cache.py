"""An in-process cache of catalog reads: search pages and movies by id or title.

Searching and opening cards are most of what users do, and the catalog behind
them changes rarely (an import, a TMDb refresh). Caching the domain values
(immutable, so safely shared between requests) skips the SQL and the ORM work
on repeats. Only catalog data is cached — never anything per user. A catalog
change made by this process clears the cache at once; changes made by another
instance show up within `TTL_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from cachetools import TTLCache

TTL_SECONDS = 300
MAX_ENTRIES = 4096

_MISSING = object()


class CatalogCache:
    """A bounded TTL map with hit counting, shared by every unit of work of one database."""

    def __init__(self, ttl: float = TTL_SECONDS, size: int = MAX_ENTRIES) -> None:
        self._entries: TTLCache[Hashable, Any] = TTLCache(maxsize=size, ttl=ttl)
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any:
        """The cached value, or `MISSING`."""
        value = self._entries.get(key, _MISSING)
        if value is _MISSING:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value

    def clear(self) -> None:
        self._entries.clear()


MISSING = _MISSING
