"""Seed a realistic data set and time the everyday intents on SQLite and PostgreSQL.

10,000 users with long-tailed activity: over 500,000 ratings and favorites
(plus their history entries) over the bundled 9,061-movie catalog; a few heavy
users have 300+ favorites so page 50 exists. Latencies are measured through
the core (`Core.handle_message`), i.e. what an adapter waits for, including the user lookup.
Search is timed twice: as users see it (repeated queries hit the in-process
catalog cache) and with that cache emptied before every call.

Run: .venv/bin/python -m bench.core [--sqlite-only] [--calls N]
Target: p99 under 20 ms for each intent on SQLite at this size.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bot.actions import MovieAction, MovieOp, encode
from bot.bootstrap import Runtime, build
from bot.config import load_config
from bot.core import Chat, Core
from bot.services import Requester
from domain.models import ActivityKind, Platform
from storage.schema import ActivityRow, FavoriteRow, IdentityRow, MovieRow, RatingRow, UserRow

USERS = 10_000
RATINGS = 420_000  # nominal: duplicates and per-user caps trim about a quarter
FAVORITES = 280_000
MIN_ROWS = 500_000  # ratings + favorites actually stored
HEAVY_USERS = 20
HEAVY_FAVORITES = 300
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
QUERIES = [
    "matrix",
    "star wars",
    "love",
    "the",
    "amelie",
    "genre:comedy 1990-1999",
    "heat 1995",
    "2014",
    "lord of the rings",
    "xyzzy",
]


def _user_sizes(rng: random.Random, total: int) -> list[int]:
    """Long-tailed per-user counts that add up to `total` (most users do little, some a lot)."""
    weights = [rng.paretovariate(1.2) for _ in range(USERS)]
    scale = total / sum(weights)
    return [max(0, min(2000, round(w * scale))) for w in weights]


async def seed(runtime: Runtime, rng: random.Random) -> dict[str, float]:
    """Bulk-insert users, identities, ratings, favorites and history; returns timings."""
    started = time.perf_counter()
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    async with runtime.db.writer.begin() as conn:
        movie_ids = [row[0] for row in await conn.execute(select(MovieRow.id).order_by(MovieRow.popularity.desc()))]
        await conn.execute(
            insert(UserRow),
            [
                {"id": u, "display_name": f"user{u}", "created_at": now - dt.timedelta(days=u % 700)}
                for u in range(1, USERS + 1)
            ],
        )
        await conn.execute(
            insert(IdentityRow),
            [{"user_id": u, "platform": "telegram", "external_id": str(100_000 + u)} for u in range(1, USERS + 1)],
        )
        # Popular movies are picked more often, as in real use.
        popular_weights = [1 / (rank + 10) for rank in range(len(movie_ids))]
        ratings: list[dict[str, Any]] = []
        favorites: list[dict[str, Any]] = []
        activity: list[dict[str, Any]] = []
        for user, (n_ratings, n_favs) in enumerate(
            zip(_user_sizes(rng, RATINGS), _user_sizes(rng, FAVORITES), strict=True), start=1
        ):
            if user <= HEAVY_USERS:
                n_favs = HEAVY_FAVORITES
            picks = set(rng.choices(movie_ids, popular_weights, k=n_ratings + n_favs))
            chosen = list(picks)
            rng.shuffle(chosen)
            for i, movie in enumerate(chosen):
                at = now - dt.timedelta(minutes=rng.randrange(1, 500_000))
                if i < n_favs:
                    favorites.append({"user_id": user, "movie_id": movie, "added_at": at})
                    activity.append(
                        {
                            "user_id": user,
                            "movie_id": movie,
                            "kind": ActivityKind.FAVORITE_ADDED.value,
                            "at": at,
                            "detail": None,
                        }
                    )
                else:
                    stars = rng.choice([3, 4, 4, 5, 5, 2, 1, 3, 4])
                    ratings.append(
                        {"user_id": user, "movie_id": movie, "stars": stars, "created_at": at, "updated_at": at}
                    )
                    activity.append(
                        {
                            "user_id": user,
                            "movie_id": movie,
                            "kind": ActivityKind.RATED.value,
                            "at": at,
                            "detail": str(stars),
                        }
                    )
        activity.sort(key=lambda a: a["at"])
        for table, rows in ((RatingRow, ratings), (FavoriteRow, favorites), (ActivityRow, activity)):
            for start in range(0, len(rows), 20_000):
                await conn.execute(insert(table), rows[start : start + 20_000])
    if runtime.db.dialect == "postgresql":
        async with runtime.db.writer.connect() as conn:
            await conn.execute(text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    else:
        async with runtime.db.writer.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    assert len(ratings) + len(favorites) >= MIN_ROWS, "seed fewer rows than the bench promises"
    return {
        "seconds": time.perf_counter() - started,
        "ratings": len(ratings),
        "favorites": len(favorites),
        "activity": len(activity),
    }


def _cold(runtime: Runtime) -> None:
    """Empty the catalog cache, so the next search runs its SQL."""
    runtime.uow.cache.clear()


def say(core: Core, who: Requester, text: str) -> Awaitable[object]:
    """A message in the user's private chat, through the core as every platform sends it."""
    return core.handle_message(who, Chat(who.external_id), text)


def tap(core: Core, who: Requester, payload: str) -> Awaitable[object]:
    return core.handle_press(who, Chat(who.external_id), payload)


async def measure(name: str, calls: int, make: Callable[[int], Awaitable[object]]) -> tuple[str, float, float, float]:
    for i in range(min(20, calls)):  # warm caches and pools
        await make(i)
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        await make(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return name, statistics.median(samples), p99, max(samples)


async def bench(url: str, label: str, calls: int) -> None:
    runtime = await build(load_config(env={"DATABASE_URL": url}))
    try:
        rng = random.Random(7)
        facts = await seed(runtime, rng)
        print(
            f"\n{label}: seeded {USERS:,} users, {facts['ratings']:,} ratings, {facts['favorites']:,} favorites, "
            f"{facts['activity']:,} history entries in {facts['seconds']:.1f} s"
        )
        core = runtime.core
        users = [Requester(Platform.TELEGRAM, str(100_000 + u), f"user{u}") for u in range(1, USERS + 1)]
        heavy = users[:HEAVY_USERS]
        async with runtime.db.reader.connect() as conn:
            movie_ids = [row[0] for row in await conn.execute(select(MovieRow.id))]

        def cold_search(i: int) -> Awaitable[object]:
            _cold(runtime)
            return say(core, rng.choice(users), f"/search {QUERIES[i % len(QUERIES)]}")

        rows = [
            await measure(
                "search", calls, lambda i: say(core, rng.choice(users), f"/search {QUERIES[i % len(QUERIES)]}")
            ),
            await measure("search (cold cache)", calls, cold_search),
            await measure(
                "add favorite",
                calls,
                lambda i: tap(core, rng.choice(users), encode(MovieAction(MovieOp.FAVORITE, rng.choice(movie_ids)))),
            ),
            await measure("favorites page 1", calls, lambda i: say(core, rng.choice(users), "/favorites")),
            await measure("favorites page 50", calls, lambda i: say(core, rng.choice(heavy), "/favorites 50")),
            await measure("profile", calls, lambda i: say(core, rng.choice(users), "/profile")),
        ]
        print(f"  {'intent':<20}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}   ({calls} calls each)")
        for name, p50, p99, worst in rows:
            flag = "" if p99 < 20 else "   <- over the 20 ms target"
            print(f"  {name:<20}{p50:>9.2f}{p99:>9.2f}{worst:>9.2f}{flag}")
    finally:
        await runtime.close()


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite (file, WAL)", args.calls)
    if args.sqlite_only:
        return
    name = "moviebot_bench"
    try:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await _pg_admin(f"CREATE DATABASE {name}")
    except OSError as exc:
        print(f"\nPostgreSQL skipped: not reachable ({exc})")
        return
    try:
        await bench(f"postgresql://postgres@127.0.0.1:5432/{name}", "PostgreSQL", args.calls)
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    asyncio.run(main())
