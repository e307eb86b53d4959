"""Pace outgoing messages under one per-bot send budget: a GCRA (virtual scheduling) rule.

Telegram accepts about 30 messages per second per bot, counted over every
process that uses the token. Each instance limiting itself to 30/s lets N
instances send 30·N/s, so the budget is one "theoretical arrival time" (tat)
shared by all of them: every message pushes it forward by its cost, and a
message that must stay inside the budget waits until the tat it found.

Two priorities share the one budget:

* INTERACTIVE (a reply to someone who is waiting) never waits for the budget: it
  is sent at once and still pushes tat forward, so scheduled sends slow down
  while people are chatting.
* SCHEDULED (reminders, weekly picks) gets the slot `max(tat, now)` and waits
  until it. It reserves that slot only once it is at most `lookahead` (10 ms)
  away; until then it waits without holding it (`reserve` hands the tat back
  unchanged). A slot reserved further ahead could not be pushed back by the
  replies that arrive before it, and they would go out on top of it: reserving
  at once, with one to four instances and replies at 15–29/s, simulated sliding
  seconds hold 31 to 43 messages. Ten milliseconds covers the store's round
  trip and a late wake-up, so the pace is not lost.

Costs, with the budget's rate R = 29/s and the scheduled share s = 0.95:

* an interactive message costs 1/R of budget time, a scheduled one 1/(s·R).
  Scheduled sends alone therefore go out at s·R = 27.55/s: at least 27/s (90%
  of Telegram's 30) even when each send starts a little late (a late wake-up,
  the store's round trip).
* With interactive traffic at i/s and a backlog of scheduled sends, the tat
  advances by exactly one second per second when i/R + x/(s·R) = 1, so the
  scheduled rate is x = s·(R − i) and the total is s·R + (1 − s)·i: at most R
  for every i ≤ R. Above R, replies alone are (nearly) over the limit and
  nothing here can help (Telegram answers 429 and PTB retries).
* R is one under Telegram's 30 because limits are counted in sliding seconds,
  not on average: a scheduled message holds its slot for up to `lookahead`
  and a reply that arrives then goes out at once, on top of it. Simulated over
  every interactive rate up to R (tests/unit/test_pacing.py), with R = 29 no
  sliding second holds more than 30 messages; with R = 30 it reaches 31 from
  about 20 replies a second.
* Left over when nobody chats: 1.45/s of margin for scheduler and network
  jitter between the budget and Telegram, and clocks read microseconds apart.

No burst tolerance: an idle budget lets the first scheduled message go at once
and the next 37 ms later. A burst allowance would let every instance's first
messages and the interactive ones land in the same second on top of a full
pace, which is exactly what the shared budget is there to prevent, and 37 ms of
latency on a message nobody is waiting for costs nothing.

Times are seconds on any one clock (the database's, Redis's, or a monotonic
one in-process); only differences matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

PLATFORM_RATE = 30.0  # Telegram: messages per second per bot
BUDGET_RATE = 29.0
SCHEDULED_SHARE = 0.95
LOOKAHEAD_SECONDS = 0.010


class Priority(Enum):
    """Who is waiting for a message: a person (INTERACTIVE) or nobody in particular (SCHEDULED)."""

    INTERACTIVE = "interactive"
    SCHEDULED = "scheduled"


@dataclass(frozen=True, slots=True)
class Pace:
    """The budget's parameters: its rate, the share scheduled sends may use alone, how early they reserve."""

    rate: float = BUDGET_RATE
    scheduled_share: float = SCHEDULED_SHARE
    lookahead: float = LOOKAHEAD_SECONDS

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise ValueError(f"rate must be positive, not {self.rate}")
        if not 0 < self.scheduled_share <= 1:
            raise ValueError(f"scheduled_share must be in (0, 1], not {self.scheduled_share}")
        if not self.lookahead >= 0:
            raise ValueError(f"lookahead must not be negative, not {self.lookahead}")

    def cost(self, priority: Priority) -> float:
        """How far one message of this priority pushes the tat (seconds of budget)."""
        return cost(priority, self.rate, self.scheduled_share)


def cost(priority: Priority, rate: float, scheduled_share: float) -> float:
    """Seconds of budget one message uses: 1/rate, or 1/(share·rate) for a scheduled one."""
    return 1 / rate if priority is Priority.INTERACTIVE else 1 / (rate * scheduled_share)


def reserve(
    tat: float,
    now: float,
    priority: Priority,
    rate: float = BUDGET_RATE,
    scheduled_share: float = SCHEDULED_SHARE,
    lookahead: float = math.inf,
) -> tuple[float, float]:
    """Reserve one message: returns (the new tat, when the message may be sent).

    Both priorities move the tat to `max(tat, now) + cost`; a scheduled message
    starts at `max(tat, now)`, an interactive one at `now`. A scheduled slot more
    than `lookahead` away is not reserved: the tat comes back unchanged with the
    slot it would have had, and the caller asks again `lookahead` before it.
    """
    slot = max(tat, now)
    if priority is Priority.INTERACTIVE:
        return slot + cost(priority, rate, scheduled_share), now
    if slot - now > lookahead:
        return tat, slot
    return slot + cost(priority, rate, scheduled_share), slot


def send_in(new_tat: float, now: float, priority: Priority, pace: Pace) -> float:
    """Seconds from `now` until a message may go, given the tat a shared store moved to for it.

    The PostgreSQL and Redis budgets run `reserve` as one atomic statement that
    returns the new tat and the store's clock; the slot is the new tat less the
    message's cost (an interactive message goes at once).
    """
    if priority is Priority.INTERACTIVE:
        return 0.0
    return max(0.0, new_tat - pace.cost(priority) - now)


def ask_again_in(tat: float, now: float, pace: Pace) -> float:
    """Seconds from `now` until a scheduled slot that was not reserved is well within `lookahead`.

    Halfway into the lookahead, not at its edge: a caller that sleeps exactly
    that long is then sure to be inside it despite rounding and a prompt wake-up,
    and still early enough for the store's round trip.
    """
    return max(0.0, tat - pace.lookahead / 2 - now)
