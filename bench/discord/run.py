"""Discord adapter benchmark: interactions per second and latency, moviebot vs a trivial bot.

`python -m bench.discord.run [--users 50 200] [--rounds 6]`

The fake Discord from the end-to-end tests runs here with the load driver; each
bot runs in its own process (as it would, Discord being remote). Every simulated
user repeats: autocomplete a title, run /movie with the chosen value, press the
card's first button, pausing 2–6 s between interactions like a person (--think).
Latency is measured by the fake from sending INTERACTION_CREATE to receiving the
interaction callback. Both bots face the same fake, load and run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.discord.fake_discord import FakeDiscord, Interaction

QUERIES = [
    "matrix",
    "star wars",
    "godfather",
    "toy story",
    "alien",
    "heat",
    "jaws",
    "fargo",
    "casablanca",
    "vertigo",
    "up",
    "inception",
]
TOKEN = "bench-token"


@dataclass
class Result:
    bot: str
    users: int
    count: int
    seconds: float
    latencies: list[float]
    by_kind: dict[str, list[float]]

    def line(self) -> str:
        kinds = "  ".join(
            f"{k} {percentile(v, 50):.1f}/{percentile(v, 95):.1f}" for k, v in sorted(self.by_kind.items())
        )
        return (
            f"{self.bot:<9} {self.users:>5} {self.count:>7} {self.count / self.seconds:>8.1f}"
            f" {percentile(self.latencies, 50):>8.2f} {self.p95:>8.2f} {max(self.latencies) * 1000:>8.2f}   {kinds}"
        )

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile in milliseconds (nearest rank)."""
    ms = sorted(values)
    return ms[min(len(ms) - 1, max(0, round(len(ms) * p / 100) - 1))] * 1000


async def user_session(
    fake: FakeDiscord, n: int, rounds: int, think: tuple[float, float], seen: list[Interaction]
) -> None:
    user = fake.user(900_000 + n, f"user{n}")
    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, think[1]))  # spread the arrivals
    for _ in range(rounds):
        typed = await fake.autocomplete("movie", user, value=rng.choice(QUERIES))
        seen.append(typed)
        await asyncio.sleep(rng.uniform(*think))
        value = typed.choices[0]["value"] if typed.choices else "#1"
        shown = await fake.slash("movie", user, title=value)
        seen.append(shown)
        await asyncio.sleep(rng.uniform(*think))
        message = shown.original
        if message and message.get("components"):
            first = message["components"][0]["components"][0]["custom_id"]
            seen.append(await fake.press(message, first, user))
            await asyncio.sleep(rng.uniform(*think))


async def load(fake: FakeDiscord, bot: str, users: int, rounds: int, think: tuple[float, float]) -> Result:
    seen: list[Interaction] = []
    started = time.perf_counter()
    await asyncio.gather(*(user_session(fake, n, rounds, think, seen) for n in range(users)))
    elapsed = time.perf_counter() - started
    names = {2: "command", 3: "press", 4: "autocomplete"}
    by_kind: dict[str, list[float]] = {}
    for r in seen:
        if r.latency is not None:
            by_kind.setdefault(names[r.type], []).append(r.latency)
    latencies = [x for values in by_kind.values() for x in values]
    return Result(bot, users, len(latencies), elapsed, latencies, by_kind)


async def with_bot(
    fake: FakeDiscord, bot: str, database_url: str, levels: list[int], rounds: int, think: tuple[float, float]
) -> list[Result]:
    args = [fake.base_url, fake.gateway_url, fake.token, database_url, fake.guild_id]
    # Starting the child bot blocks for a moment only, before any load runs: no need for asyncio's subprocess machinery.
    process = subprocess.Popen([sys.executable, "-m", "bench.discord.bots", bot, *args])  # noqa: ASYNC220
    try:
        await fake.connected(1, timeout=120)
        await fake.until(lambda: fake.guild_id in fake.commands, 30)
        await load(fake, bot, 20, 1, (0.0, 0.05))  # warm-up: users registered, caches and connections open
        return [await load(fake, bot, users, rounds, think) for users in levels]
    finally:
        process.terminate()
        process.wait(10)
        await fake.until(lambda: not fake.sessions, 10)
        fake.commands.pop(fake.guild_id, None)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--rounds", type=int, default=6, help="autocomplete + /movie + press rounds per user")
    parser.add_argument(
        "--think", type=float, nargs=2, default=[2.0, 6.0], help="pause between a user's interactions (s)"
    )
    args = parser.parse_args()
    fake = await FakeDiscord(token=TOKEN, heartbeat_ms=41250).start()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        for bot in ("trivial", "moviebot"):
            results += await with_bot(fake, bot, database_url, args.users, args.rounds, tuple(args.think))
    await fake.close()
    print(
        f"{'bot':<9} {'users':>5} {'count':>7} {'ips':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        "   p50/p95 ms by kind"
    )
    for r in results:
        print(r.line())
    for users in args.users:
        trivial, movie = (next(r for r in results if r.bot == b and r.users == users) for b in ("trivial", "moviebot"))
        print(
            f"{users} users: moviebot p95 is {movie.p95 - trivial.p95:+.2f} ms vs the trivial bot"
            " (target at 200 users: ≤ +20 ms)"
        )
    if fake.violations:
        print("violations:", *fake.violations[:10], sep="\n  ")


if __name__ == "__main__":
    asyncio.run(main())
