"""Benchmark the TMDb adapter's caching and coalescing against a fake TMDb with real network latency.

Usage (from the repository root)::

    .venv/bin/python -m bench.tmdb.run                     # 1,000 searches, 50 ms latency
    .venv/bin/python -m bench.tmdb.run --searches 5000 --concurrency 50

Protocol: the fake TMDb (tests/integration/tmdb/fake_tmdb.py, aiohttp on
127.0.0.1) runs in a child process, so its CPU does not queue behind the
client's, and sleeps `--latency` before each answer. `--concurrency` users issue
`--searches` searches in total, drawn from `--distinct` queries with Zipf-like
popularity (weight 1/rank^s; a few queries are very common, most are rare),
10% of them asking for page 2. The catalog runs with its production defaults
(in-process TTL caches, single-flight, retries, breaker). Start-up warm-up
(/configuration, /genre/movie/list) happens before counting.

Reported: upstream calls, cache hit ratio (requests answered from the cache)
and the share of searches served without their own upstream call (cache or
coalesced), p50 / p95 / max per search. Targets, checked and printed: a
repeated search within its TTL makes zero upstream calls; 200 concurrent
identical searches make exactly one. Exits 1 when a target fails.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import sys
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection

from adapters.tmdb.catalog import TmdbCatalog
from adapters.tmdb.client import TmdbClient
from tests.integration.tmdb.fake_tmdb import TOKEN, FakeTmdb

WORDS = [
    "star",
    "night",
    "love",
    "war",
    "city",
    "dark",
    "blue",
    "last",
    "lost",
    "king",
    "dead",
    "girl",
    "man",
    "house",
    "road",
    "sea",
    "fire",
    "time",
    "ghost",
    "dream",
]


def zipf_queries(count: int, distinct: int, s: float, rng: random.Random) -> list[tuple[str, int]]:
    """Draw (query, page) pairs: query popularity ~ 1/rank^s, page 2 one time in ten."""
    vocabulary = [f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7 + 3) % len(WORDS)]} {i}" for i in range(distinct)]
    weights = [1 / (rank + 1) ** s for rank in range(distinct)]
    picks = rng.choices(vocabulary, weights=weights, k=count)
    return [(q, 2 if rng.random() < 0.1 else 1) for q in picks]


def percentile(sorted_ms: Sequence[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def serve_fake(latency: float, conn: Connection) -> None:
    """Run the fake TMDb in this (child) process until terminated; send its base URL back."""

    async def serve() -> None:
        fake = FakeTmdb(latency=latency)
        conn.send(await fake.start())
        await asyncio.Event().wait()

    asyncio.run(serve())


async def _load(catalog: TmdbCatalog, workload: list[tuple[str, int]], concurrency: int) -> list[float]:
    queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    for item in workload:
        queue.put_nowait(item)
    latencies: list[float] = []

    async def user() -> None:
        while not queue.empty():
            query, page = queue.get_nowait()
            started = time.perf_counter()
            await catalog.search(query, page=page)
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(user() for _ in range(concurrency)))
    return latencies


async def main(args: argparse.Namespace) -> int:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(args.latency, child), daemon=True)
    server.start()
    catalog = TmdbCatalog(TmdbClient(parent.recv(), token=TOKEN, timeout=3.0))
    upstream = catalog.client  # counts requests sent to TMDb
    try:
        await catalog.start()
        upstream.calls = catalog.stats.requests = catalog.stats.cache_hits = 0
        workload = zipf_queries(args.searches, args.distinct, args.zipf, random.Random(args.seed))

        began = time.perf_counter()
        latencies = sorted(await _load(catalog, workload, args.concurrency))
        wall = time.perf_counter() - began
        calls, hits, coalesced = upstream.calls, catalog.stats.cache_hits, catalog.flight.coalesced

        repeat_query, repeat_page = workload[0]
        before = upstream.calls
        await catalog.search(repeat_query, page=repeat_page)
        repeat_calls = upstream.calls - before

        before = upstream.calls
        await asyncio.gather(*(catalog.search("two hundred at once") for _ in range(200)))
        burst_calls = upstream.calls - before
    finally:
        await catalog.aclose()
        server.terminate()
        server.join()

    print(
        f"TMDb adapter bench: {args.searches} searches, {args.distinct} distinct queries"
        f" (Zipf s={args.zipf}, 10% page 2),"
    )
    print(f"  {args.concurrency} concurrent users, fake TMDb latency {args.latency * 1000:.0f} ms, seed {args.seed}")
    print(f"  distinct (query, page) requests:  {len(set(workload))}")
    print(f"  upstream calls:                   {calls}")
    print(f"  cache hit ratio:                  {hits / args.searches:.1%} ({hits} of {args.searches})")
    print(f"  served without own upstream call: {1 - calls / args.searches:.1%} (cache hits + {coalesced} coalesced)")
    print(
        f"  per search: p50 {statistics.median(latencies):.2f} ms, p95 {percentile(latencies, 0.95):.2f} ms,"
        f" max {latencies[-1]:.2f} ms; wall {wall:.2f} s"
    )
    targets = [
        ("a repeated search within its TTL makes 0 upstream calls", repeat_calls, 0),
        ("200 concurrent identical searches make 1 upstream call", burst_calls, 1),
    ]
    ok = True
    for label, got, want in targets:
        ok &= got == want
        print(f"  target: {label}: {got} -> {'PASS' if got == want else 'FAIL'}")
    return 0 if ok else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=300)
    parser.add_argument("--zipf", type=float, default=1.1)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
