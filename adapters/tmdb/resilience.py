"""Retry with backoff and a circuit breaker, so a failing TMDb costs users seconds, not minutes.

Retries absorb TMDb's brief hiccups (429 throttling, a 502 from its CDN);
the breaker stops hammering a source that is down, so after a few failures
every search goes straight to the offline catalog until a cool-down has
passed and one probe request succeeds. Both are independent of HTTP: they act
on `UpstreamError`s, which the client raises with the facts they need.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger("moviebot.tmdb")


class UpstreamError(Exception):
    """A failed upstream call, described by what resilience needs to decide.

    `retryable`: worth another attempt (throttling, server errors, a dropped
    connection). `retry_after`: seconds the server asked us to wait.
    `counts_as_failure`: False for answers such as 404, which prove the
    source is healthy.
    """

    retryable = False
    counts_as_failure = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CircuitOpen(UpstreamError):
    """The breaker is open: the call was not attempted."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Full jitter (a random wait up to the exponential cap) spreads retries from
    many instances apart. A Retry-After longer than `max_retry_after` gives up at
    once: a chat user should get offline results rather than wait that long.
    """

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 2.0
    max_retry_after: float = 5.0

    def delay(self, attempt: int, retry_after: float | None, rng: Callable[[], float] = random.random) -> float | None:
        """Return seconds to wait before attempt `attempt + 1` (attempts count from 0), or None to give up."""
        if attempt + 1 >= self.attempts:
            return None
        if retry_after is not None:
            return max(0.0, retry_after) if retry_after <= self.max_retry_after else None
        return rng() * min(self.max_delay, self.base_delay * 2.0**attempt)


class BreakerState(str, enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Open after `threshold` consecutive failed calls; let one probe through after `cooldown` seconds.

    A successful probe closes the circuit, a failed one opens it for another
    cool-down. While the probe runs, other calls are refused.
    """

    def __init__(self, threshold: int = 5, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Tell whether a call may go upstream now (claiming the probe slot when half-open)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def success(self) -> None:
        if self._opened_at is not None:
            log.warning("TMDb answers again; circuit closed")
        self._failures, self._opened_at, self._probing = 0, None, False

    def failure(self, reason: str) -> None:
        self._failures += 1
        if self._probing or (self._opened_at is None and self._failures >= self.threshold):
            log.error(
                "TMDb circuit open after %d consecutive failures (last: %s); serving the offline catalog for %.0f s",
                self._failures,
                reason,
                self.cooldown,
            )
            self._opened_at = self._clock()
        self._probing = False

    def release(self) -> None:
        """Give the probe slot back without a verdict (the call was cancelled)."""
        self._probing = False


class Resilient:
    """Run upstream calls through the breaker, retrying transient failures with backoff."""

    def __init__(
        self,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self._sleep = sleep
        self._rng = rng

    async def call(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        """Call `operation` (described as `what` in logs); raise CircuitOpen or the last UpstreamError."""
        if not self.breaker.allow():
            raise CircuitOpen(f"circuit open, {what} not attempted")
        try:
            result = await self._with_retries(operation, what)
        except UpstreamError as exc:
            if exc.counts_as_failure:
                self.breaker.failure(str(exc))
            else:
                self.breaker.success()
            raise
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.success()
        return result

    async def _with_retries(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        attempt = 0
        while True:
            try:
                return await operation()
            except UpstreamError as exc:
                wait = self.retry.delay(attempt, exc.retry_after, self._rng) if exc.retryable else None
                if wait is None:
                    raise
                log.warning("TMDb %s failed (%s); retry %d in %.2f s", what, exc, attempt + 1, wait)
                await self._sleep(wait)
                attempt += 1
