"""The send budget kept in this process: for one instance (SQLite), or as the fallback of a shared one.

It applies domain.pacing's rule to a tat held in memory. Scheduled callers
queue here one at a time (FIFO, an asyncio.Lock) and only the head of the queue
asks for a slot, which it reserves once the slot is due (domain.pacing's
lookahead): were every waiting reminder to reserve its slot up front, an
interactive reply arriving now could not push them back, and the slots already
given out would go out on top of it. Interactive callers skip the queue and
never sleep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from domain.pacing import Pace, Priority, ask_again_in, reserve


class LocalSendBudget:
    """The `SendBudget` port in memory; `clock` and `sleep` are injectable so tests can run it on virtual time."""

    def __init__(
        self,
        pace: Pace | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.pace = pace or Pace()
        self._clock, self._sleep = clock, sleep
        self._tat = float("-inf")
        self._scheduled = asyncio.Lock()

    async def take(self, priority: Priority) -> None:
        """Return when one message of this priority may be sent."""
        if priority is Priority.INTERACTIVE:
            self._tat, _ = self._reserve(priority, self._clock())
            return
        async with self._scheduled:
            while True:
                now = self._clock()
                tat, start = self._reserve(priority, now)
                granted = tat != self._tat  # a reservation always moves the tat forward
                self._tat = tat
                wait = start - now if granted else ask_again_in(start, now, self.pace)
                if wait > 0:
                    await self._sleep(wait)
                if granted:
                    return

    def _reserve(self, priority: Priority, now: float) -> tuple[float, float]:
        pace = self.pace
        return reserve(self._tat, now, priority, pace.rate, pace.scheduled_share, pace.lookahead)
