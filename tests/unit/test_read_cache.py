"""The read caches' two promises: invalidation is immediate, and a read that began before it cannot undo it."""

from __future__ import annotations

from storage.read_cache import MISSING, ReadCache


def test_a_read_that_began_before_an_invalidation_cannot_put_old_rows_back() -> None:
    cache = ReadCache(ttl=60, size=10)
    slow_reader = cache.reader()  # its snapshot predates the commit below
    cache.invalidate()  # a writer committed a change
    slow_reader.put("matrix", "the old row")
    assert cache.get("matrix") is MISSING
    cache.reader().put("matrix", "the new row")  # a read that began after the commit may fill it
    assert cache.get("matrix") == "the new row"


def test_a_renewed_reader_may_fill_again() -> None:
    cache = ReadCache(ttl=60, size=10)
    reader = cache.reader()
    cache.invalidate()
    reader.renew()  # the unit of work took a fresh snapshot
    reader.put("k", "v")
    assert cache.get("k") == "v"


def test_invalidating_some_entries_keeps_the_others() -> None:
    cache = ReadCache(ttl=60, size=10)
    reader = cache.reader()
    reader.put("alice", 1)
    reader.put("bob", 2)
    cache.invalidate(lambda user_id: user_id == 2)
    assert cache.get("alice") == 1
    assert cache.get("bob") is MISSING


def test_entries_age_out() -> None:
    now = [0.0]
    cache = ReadCache(ttl=10, size=10, timer=lambda: now[0])
    cache.reader().put("k", "v")
    now[0] = 11
    assert cache.get("k") is MISSING
