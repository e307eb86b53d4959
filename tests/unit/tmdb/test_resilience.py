"""Retry policy, circuit breaker, single-flight, cache keys and Retry-After parsing, without a network."""

from __future__ import annotations

import asyncio

import pytest

from adapters.tmdb.cache import MemoryCache, SingleFlight
from adapters.tmdb.client import _retry_after, cache_key
from adapters.tmdb.resilience import BreakerState, CircuitBreaker, CircuitOpen, Resilient, RetryPolicy, UpstreamError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Transient(UpstreamError):
    retryable = True


def test_retry_delays_are_jittered_exponential_and_honour_retry_after() -> None:
    policy = RetryPolicy(attempts=4, base_delay=0.5, max_delay=1.5, max_retry_after=5)
    assert [policy.delay(a, None, rng=lambda: 1.0) for a in range(4)] == [0.5, 1.0, 1.5, None]
    assert policy.delay(0, None, rng=lambda: 0.0) == 0.0
    assert policy.delay(0, 3.0) == 3.0
    assert policy.delay(0, 30.0) is None


def test_breaker_opens_half_opens_with_one_probe_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=clock)
    breaker.failure("x")
    assert breaker.allow()
    breaker.failure("x")
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    clock.now = 10
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()
    breaker.release()
    assert breaker.allow()
    breaker.success()
    assert breaker.state is BreakerState.CLOSED


async def test_resilient_counts_one_failure_per_call_not_per_attempt() -> None:
    attempts = 0

    async def flaky() -> int:
        nonlocal attempts
        attempts += 1
        raise Transient("503")

    async def no_wait(_: float) -> None:
        return None

    resilient = Resilient(RetryPolicy(attempts=3), CircuitBreaker(threshold=2, clock=Clock()), sleep=no_wait)
    for _ in range(2):
        with pytest.raises(Transient):
            await resilient.call(flaky, "GET /x")
    assert attempts == 6
    with pytest.raises(CircuitOpen):
        await resilient.call(flaky, "GET /x")
    assert attempts == 6


async def test_single_flight_shares_results_and_errors_and_survives_a_cancelled_caller() -> None:
    flight = SingleFlight()
    runs = 0
    gate = asyncio.Event()

    async def work() -> str:
        nonlocal runs
        runs += 1
        await gate.wait()
        return "body"

    first = asyncio.ensure_future(flight.run("k", work))
    others = [asyncio.ensure_future(flight.run("k", work)) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await asyncio.gather(*others) == ["body"] * 3
    assert runs == 1
    assert flight.coalesced == 3

    async def boom() -> str:
        raise ValueError("upstream")

    results = await asyncio.gather(flight.run("e", boom), flight.run("e", boom), return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)
    assert await flight.run("k", work) == "body"
    assert runs == 2


def test_cache_keys_sort_parameters_and_drop_credentials() -> None:
    assert (
        cache_key("/search/movie", {"query": "a b", "page": 1, "api_key": "SECRET"}) == "/search/movie?page=1&query=a+b"
    )
    assert cache_key("/configuration", {}) == "/configuration"


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None


async def test_memory_cache_expires_by_kind() -> None:
    clock = Clock()
    cache = MemoryCache(timer=clock)
    await cache.set("search", "k", {"v": 1})
    await cache.set("details", "k", {"v": 2})
    clock.now = 11 * 60
    assert await cache.get("search", "k") is None
    assert await cache.get("details", "k") == {"v": 2}
