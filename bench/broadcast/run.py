"""Weekly picks to many opted-in users through the fake Bot API with Telegram's limits on.

    python -m bench.broadcast.run --users 100000 --db sqlite postgres --instances 1 2 [--kill-after 20]

Per scenario: a fresh database seeded with the bundled catalog and `--users`
opted-in users (one favorite each, so picks have a taste to start from), one
or more moviebot processes (`bench.broadcast.instance`; the first also answers
people by long polling), all due at once. A few simulated people keep using
/search throughout. Printed: messages/s achieved against Telegram's 30/s,
the busiest second, 429s received, duplicates, misses, peak RSS per instance,
and the people's p95 reply time before (idle) and during the broadcast.
`--kill-after S` kills the first instance with SIGKILL S seconds in and starts
it again (a crash and restart at the hour).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.telegram.run import ROOT, SEED, Users, cpu_seconds, percentile
from tests.e2e.telegram.fake_bot_api import FakeBotApi, busiest_second, rate
from tests.scheduled_users import make_due, seed_opted_in

FIRST_CHAT = 10_000_000
PEOPLE = 5  # simulated people using the bot during the broadcast
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


async def prepare(db: str, users: int, workdir: Path) -> str:
    """A fresh, migrated, seeded database with `users` opted-in users whose run is not yet due."""
    if db == "sqlite":
        url = f"sqlite:///{workdir}/broadcast.sqlite3"
    else:
        import asyncpg

        name = f"moviebot_broadcast_{os.getpid()}"
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    seed = await asyncio.create_subprocess_exec(sys.executable, "-c", SEED, url, cwd=ROOT)
    assert await seed.wait() == 0
    await seed_opted_in(url, users, FIRST_CHAT, dt.datetime.now(dt.UTC))
    return url


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (Linux VmHWM), in MB."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class Instance:
    index: int
    proc: asyncio.subprocess.Process
    peak_mb: float = 0.0


async def spawn(index: int, fake: FakeBotApi, url: str, budget: str, workers: int, lease: float) -> Instance:
    args = [fake.base_url, fake.token, url, "--budget", budget, "--workers", str(workers), "--lease", str(lease)]
    if index == 0:
        args.append("--poll")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.broadcast.instance", *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 300)
    if b"ready" not in line:
        raise RuntimeError(f"instance {index} did not start: {line!r}")
    asyncio.get_running_loop().create_task(_drain(proc))
    return Instance(index, proc)


async def _drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdout is not None
    while await proc.stdout.readline():
        pass


def scheduled(fake: FakeBotApi, users: int) -> Counter[int]:
    """Accepted messages per broadcast chat."""
    return Counter(
        s.chat_id for s in fake.sent if s.chat_id is not None and FIRST_CHAT <= s.chat_id < FIRST_CHAT + users
    )


async def scenario(args: argparse.Namespace, db: str, instances: int, workdir: Path) -> str:
    fake = FakeBotApi(limits=True)
    for i in range(args.users):
        fake.chat(FIRST_CHAT + i)  # each of them started the bot once
    await fake.start()
    url = await prepare(db, args.users, workdir)
    budget = "postgres" if db == "postgres" else ("local" if instances == 1 else "redis")
    running = [await spawn(i, fake, url, budget, args.workers, args.lease) for i in range(instances)]
    people = Users(fake, (0.5, 1.5))
    stop = people.stop = float("inf")
    tasks = [asyncio.create_task(people.user(9_000_000 + i, stop)) for i in range(PEOPLE)]
    try:
        await asyncio.sleep(8)  # every person's first contact (a registration) and warm-up happen before measuring
        people.measuring = True
        await asyncio.sleep(args.idle)
        idle = [1000 * v for v in people.latencies]
        people.latencies = []
        cpu_before = sum(cpu_seconds(inst.proc.pid or 0) or 0.0 for inst in running)
        await make_due(url, dt.datetime.now(dt.UTC))
        started = time.perf_counter()
        killed = False
        last_progress, last_count = started, 0
        while True:
            await asyncio.sleep(0.5)
            for inst in running:
                inst.peak_mb = max(inst.peak_mb, peak_rss_mb(inst.proc.pid or 0))
            if args.kill_after is not None and not killed and time.perf_counter() - started >= args.kill_after:
                victim = running[0]
                victim.proc.send_signal(signal.SIGKILL)
                await victim.proc.wait()
                running[0] = await spawn(0, fake, url, budget, args.workers, args.lease)
                running[0].peak_mb = victim.peak_mb
                killed = True
            count = len(scheduled(fake, args.users))
            if count >= args.users:
                break
            if count > last_count:
                last_progress, last_count = time.perf_counter(), count
            elif time.perf_counter() - last_progress > args.lease + 60:
                break  # stuck: report the misses
        elapsed = time.perf_counter() - started
        cpu_used = sum(cpu_seconds(inst.proc.pid or 0) or 0.0 for inst in running) - cpu_before
        during = [1000 * v for v in people.latencies]
        people.latencies = []
        await asyncio.sleep(args.idle)  # the same bot, warm and idle again: the baseline for "during"
        after = [1000 * v for v in people.latencies]
        per_chat = scheduled(fake, args.users)
        sent = [s for s in fake.sent if s.chat_id is not None and FIRST_CHAT <= s.chat_id < FIRST_CHAT + args.users]
        window = [s for s in fake.sent if sent and sent[0].at <= s.at <= sent[-1].at]  # people's replies too
        flooded_people = sum(1 for s in fake.flooded if s.chat_id not in per_chat)
        duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
        misses = args.users - len(per_chat)
        rss = " ".join(f"{inst.peak_mb:.0f}" for inst in running)
        return (
            f"{db:8} instances={instances} users={args.users}{' killed+restarted' if killed else ''}: "
            f"scheduled {rate(sent):4.1f} msg/s, all {rate(window):4.1f} msg/s (busiest second "
            f"{busiest_second(fake.sent)}), 429s={len(fake.flooded) - flooded_people} scheduled + "
            f"{flooded_people} people's, "
            f"duplicates={duplicates}, misses={misses}, peak RSS MB [{rss}], "
            f"instance CPU {100 * cpu_used / elapsed:.0f}% of a core, "
            f"people p95: idle after {percentile(after, 95):.1f} ms, during {percentile(during, 95):.1f} ms "
            f"(cold start before: {percentile(idle, 95):.1f} ms; n={len(after)}/{len(during)}/{len(idle)})"
        )
    finally:
        for task in tasks:
            task.cancel()
        for inst in running:
            with contextlib.suppress(ProcessLookupError):
                inst.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(inst.proc.wait(), 20)
            if inst.proc.returncode is None:
                inst.proc.kill()
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--lease", type=float, default=15.0, help="seconds a claim is held (short, for --kill-after)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of people's replies measured before")
    parser.add_argument("--kill-after", type=float, default=None)
    args = parser.parse_args()
    print(f"Telegram limits on: 30 msg/s per bot, 1/s per chat; {PEOPLE} people using /search throughout", flush=True)
    for db in args.db:
        for instances in args.instances:
            with tempfile.TemporaryDirectory() as tmp:
                print(await scenario(args, db, instances, Path(tmp)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
