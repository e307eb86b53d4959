"""Bench the Telegram adapter: simulated users against the fake Bot API, moviebot vs a trivial echo bot.

Usage (from the repository root)::

    python -m bench.telegram.run                 # 50 and 200 users, 10 s each, think time 1–3 s
    python -m bench.telegram.run --think 3 8     # calmer users

Each simulated user loops: send `/search <word>`, wait for the reply, think,
press a button on it (Next ›, or open a movie), wait for the edited message,
think. Latency runs from the moment the update is available to getUpdates to
the moment the fake receives the reply (sendMessage / editMessageText). The
bot runs in its own process (like a real deployment, where Telegram is
remote); the echo bot runs on the same fake, settings and adapter plumbing, in
the same run, so the difference is what moviebot itself costs.

Measuring starts after a warm-up that covers every user's first message, so
the main figures are the steady state the target is about; those first
contacts (where moviebot registers the user, a database write, while the echo
bot has nothing to do) are reported on their own line. "bot CPU/update" is the
bot process's CPU time over the measured window divided by the updates in it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.telegram.fake_bot_api import Call, FakeBotApi, Msg

WORDS = ("matrix", "star", "love", "war", "man", "night", "day", "king", "city", "dead", "heat", "alien")
REPLIES = {"sendmessage", "sendphoto", "editmessagetext", "editmessagecaption"}
ROOT = Path(__file__).resolve().parents[2]


class Users:
    """Simulated users; records update-to-reply latencies."""

    def __init__(self, fake: FakeBotApi, think: tuple[float, float]) -> None:
        self.fake = fake
        self.think = think
        self.waiters: dict[int, asyncio.Future[float]] = {}
        self.latencies: list[float] = []
        self.first_contacts: list[float] = []  # each user's first exchange: moviebot registers them (a write)
        self.measuring = False
        self.stop = float("inf")
        fake.listeners.append(self._on_call)

    def _on_call(self, call: Call) -> None:
        if call.ok and call.method.lower() in REPLIES:
            waiter = self.waiters.pop(int(call.params.get("chat_id", 0)), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(time.perf_counter())

    async def _exchange(
        self, chat_id: int, kind: str, payload: dict[str, object], *, first: bool = False
    ) -> Msg | None:
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[chat_id] = waiter
        start = time.perf_counter()
        await self.fake.push(kind, payload)
        try:
            done = await asyncio.wait_for(waiter, 30)
        except TimeoutError:
            return None
        if self.measuring and start < self.stop:
            self.latencies.append(done - start)
        if first:
            self.first_contacts.append(done - start)
        return self.fake.last(chat_id)

    async def user(self, user_id: int, stop: float) -> None:
        user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
        self.fake.chat(user_id)
        rng = random.Random(user_id)
        await asyncio.sleep(rng.uniform(*self.think))  # users do not all start at once
        first = True
        while time.perf_counter() < stop:
            reply = await self._exchange(
                user_id, "message", self.fake.user_message(user, user_id, f"/search {rng.choice(WORDS)}"), first=first
            )
            first = False
            await asyncio.sleep(rng.uniform(*self.think))
            buttons = [b for b in (reply.buttons() if reply else []) if "callback_data" in b]
            if reply is None or not buttons:
                continue
            button = next((b for b in buttons if b["text"].startswith("Next")), rng.choice(buttons))
            await self._exchange(
                user_id, "callback_query", self.fake.callback_query(user, reply, button["callback_data"])
            )
            await asyncio.sleep(rng.uniform(*self.think))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else (values[0] if values else float("nan"))
    )


async def scenario(
    kind: str, users: int, duration: float, warmup: float, think: tuple[float, float], database_url: str
) -> str:
    fake = FakeBotApi()
    await fake.start()
    # Starting the child bot blocks for a moment only, before any load runs: no need for asyncio's subprocess machinery.
    proc = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", "bench.telegram.botproc", kind, fake.base_url, fake.token, database_url], cwd=ROOT
    )
    try:
        while not fake.calls_to("getUpdates"):
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} bot exited with {proc.returncode}")
            await asyncio.sleep(0.05)
        sim = Users(fake, think)
        stop = sim.stop = time.perf_counter() + warmup + duration
        tasks = [asyncio.create_task(sim.user(100_000 + i, stop)) for i in range(users)]
        await asyncio.sleep(warmup)
        sim.measuring = True
        started, cpu_started = time.perf_counter(), cpu_seconds(proc.pid)
        await asyncio.sleep(max(0.0, stop - time.perf_counter()))
        cpu_used = cpu_seconds(proc.pid)
        await asyncio.gather(*tasks)
        elapsed = stop - started
        lat = sim.latencies
        ms = [1000 * v for v in lat]
        first_ms = [1000 * v for v in sim.first_contacts]
        cpu = (
            f"{1000 * (cpu_used - cpu_started) / len(lat):5.1f}"
            if cpu_used is not None and cpu_started is not None and lat
            else "  n/a"
        )
        return (
            f"{kind:9} users={users:3}  updates={len(lat):5}  {len(lat) / elapsed:7.1f} upd/s  "
            f"p50={percentile(ms, 50):7.1f} ms  p95={percentile(ms, 95):7.1f} ms  p99={percentile(ms, 99):7.1f} ms  "
            f"bot CPU/update={cpu} ms\n{'':9} first contacts (in warm-up): {len(sim.first_contacts)}  "
            f"p50={percentile(first_ms, 50):7.1f} ms  p95={percentile(first_ms, 95):7.1f} ms  "
            f"max={max(first_ms, default=float('nan')):7.1f} ms"
        )
    finally:
        proc.terminate()
        proc.wait(10)
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario")
    parser.add_argument(
        "--warmup", type=float, default=8.0, help="seconds before measuring; covers every user's first contact"
    )
    parser.add_argument("--kinds", nargs="+", choices=["echo", "moviebot"], default=["echo", "moviebot"])
    parser.add_argument(
        "--think", type=float, nargs=2, default=[1.0, 3.0], help="seconds a user waits between actions (uniform)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
        # Seeding finishes before the first scenario starts: nothing else is on the event loop to block.
        seed = subprocess.run([sys.executable, "-c", SEED, database_url], cwd=ROOT, check=True)  # noqa: ASYNC221
        assert seed.returncode == 0
        print(
            f"think time {args.think[0]:g}–{args.think[1]:g} s, {args.duration:g} s measured after {args.warmup:g} s"
            " warm-up; latency = update available → reply received"
        )
        for users in args.users:
            for kind in args.kinds:
                print(
                    await scenario(kind, users, args.duration, args.warmup, tuple(args.think), database_url), flush=True
                )


SEED = (
    "import asyncio, sys\nfrom bot.bootstrap import build\nfrom bot.config import load_config\n"
    "async def seed():\n    rt = await build(load_config(env={'DATABASE_URL': sys.argv[1]}))\n"
    "    await rt.close()\nasyncio.run(seed())\n"
)

if __name__ == "__main__":
    asyncio.run(main())
