"""Speed and memory of the engine on a synthetic catalog of realistic shape.

Run in its own process (``python -m bench.recsys.speed``) so the peak resident
memory it reports belongs to the fit and the recommendations alone, not to the
ml-100k evaluation that ran before it.

The data has the long tails real ones have: item popularity is Zipf-like
(a few blockbusters, a long tail nobody rates), user activity log-normal (most
users rate a handful, a few rate hundreds), stars from a latent factor model.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from domain.recommend import Interaction, ItemFeatures, Recommender

_GENRES = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "History",
    "Horror",
    "Music",
    "Mystery",
    "Romance",
    "Science Fiction",
    "Thriller",
    "War",
    "Western",
)


def synthetic(
    n_interactions: int, n_users: int, n_items: int, heavy_users: int, heavy_size: int, seed: int = 0
) -> tuple[list[Interaction], list[ItemFeatures], list[int]]:
    """Return interactions, item features and the ids of the users with exactly ``heavy_size`` ratings."""
    rng = np.random.default_rng(seed)
    item_p = 1.0 / np.arange(1, n_items + 1) ** 0.9
    item_p /= item_p.sum()
    item_perm = rng.permutation(n_items)
    cdf = np.cumsum(item_p)
    activity = rng.lognormal(mean=0.0, sigma=1.0, size=n_users)
    budget = n_interactions - heavy_users * heavy_size
    sizes = np.maximum(3, np.round(activity / activity.sum() * budget)).astype(np.int64)
    sizes[:heavy_users] = heavy_size
    missing = n_interactions - int(sizes.sum())
    if missing > 0:
        share = activity[heavy_users:] / activity[heavy_users:].sum()
        sizes[heavy_users:] += rng.multinomial(missing, share)
    factors_u = rng.normal(0, 0.5, (n_users, 8))
    factors_i = rng.normal(0, 0.5, (n_items, 8))
    bias_i = rng.normal(0, 0.4, n_items)
    users: list[np.ndarray] = []
    items: list[np.ndarray] = []
    for u, size in enumerate(sizes):
        size = int(min(size, n_items // 2))
        draw = item_perm[np.minimum(np.searchsorted(cdf, rng.random(int(size * 1.3) + 8)), n_items - 1)]
        chosen = np.unique(draw)
        while chosen.size < size:
            chosen = np.unique(np.r_[chosen, rng.integers(0, n_items, size)])
        chosen = rng.permutation(chosen)[:size]
        users.append(np.full(size, u))
        items.append(chosen)
    u_arr = np.concatenate(users)[:n_interactions]
    i_arr = np.concatenate(items)[:n_interactions]
    raw = (
        3.6 + bias_i[i_arr] + np.einsum("ij,ij->i", factors_u[u_arr], factors_i[i_arr]) + rng.normal(0, 0.7, u_arr.size)
    )
    stars = np.clip(np.round(raw), 1, 5)
    times = 1.6e9 + rng.random(u_arr.size) * 2 * 365 * 86_400
    interactions = [
        Interaction(int(u), int(i), float(r), float(t))
        for u, i, r, t in zip(u_arr.tolist(), i_arr.tolist(), stars.tolist(), times.tolist(), strict=True)
    ]
    vocab = [f"kw{n}" for n in range(3000)]
    rank = np.empty(n_items, dtype=np.int64)
    rank[item_perm] = np.arange(n_items)
    features = [
        ItemFeatures(
            item_id=i,
            genres=tuple(rng.choice(_GENRES, size=int(rng.integers(1, 4)), replace=False).tolist()),
            year=int(rng.integers(1930, 2025)),
            keywords=tuple(vocab[k] for k in rng.integers(0, len(vocab), 5)),
            title=f"Film {i}",
            popularity=float(item_p[rank[i]] * 1e4),
        )
        for i in range(n_items)
    ]
    return interactions, features, list(range(heavy_users))


def main(argv: list[str] | None = None) -> None:
    """Time one fit and many recommendations; print the speed section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k interactions over 5,000 items")
    args = parser.parse_args(argv)
    n_inter, n_users, n_items = (100_000, 2_000, 5_000) if args.quick else (1_000_000, 20_000, 50_000)
    interactions, features, heavy = synthetic(n_inter, n_users, n_items, heavy_users=20, heavy_size=500)
    start = time.perf_counter()
    model = Recommender().fit(interactions, features)
    fit_s = time.perf_counter() - start
    latencies = []
    for _ in range(10):
        for user in heavy:
            t0 = time.perf_counter()
            picks = model.recommend(user, k=5)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert len(picks) == 5
    p50, p99 = np.percentile(latencies, [50, 99])
    t0 = time.perf_counter()
    for user in heavy:
        model.predict(user, 123)
    predict_ms = (time.perf_counter() - t0) * 1000 / len(heavy)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  synthetic data        {len(interactions):,} interactions, {n_users:,} users, {n_items:,} items "
        f"(Zipf items, log-normal users)"
    )
    print(f"  fit                   {fit_s:6.1f} s   (bar: < 60 s on 2 cores)")
    print(
        f"  recommend k=5         p50 {p50:5.1f} ms   p99 {p99:5.1f} ms   ({len(latencies)} calls, users with "
        f"500 ratings, {n_items:,}-item catalog; bar: p99 < 20 ms)"
    )
    print(f"  predict               {predict_ms:5.2f} ms per call")
    print(f"  peak memory (maxrss)  {peak_mib:,.0f} MiB  (whole process: data generation + fit + serving)")


if __name__ == "__main__":
    main()
