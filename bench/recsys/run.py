"""Benchmark moviebot's recommender against strong baselines on MovieLens 100K.

Usage (from the repository root)::

    python -m bench.recsys.run            # full run: quality on ml-100k, then speed on 1M synthetic
    python -m bench.recsys.run --quick    # smoke run: fewer tuning points, 100k synthetic
    python bench/recsys/run.py            # same as the first

Protocol:

- Ranking: temporal per-user split, each user's most recent 20% of ratings
  held out; relevant = held-out rating >= 4; top-10 over items the user has not
  rated in training. Precision, recall, NDCG at 10, catalog coverage.
- Stars: a random 80/20 split of all ratings, RMSE.
- Tuning: every hyperparameter choice (EASE's lambda, item-kNN's k, MF's
  regularisation) is made on a validation split cut from the training data by
  the same rule as the test split; the test split is only scored.
- The bar: the engine's mean per-user NDCG@10 minus the best baseline's, with
  the standard error of that paired difference; it must exceed 2 SE.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.recsys.baselines import EASE, BiasedMF, ItemKNN, Popularity
from bench.recsys.data import Movie, Ratings, load_ml100k, random_split, temporal_split
from bench.recsys.metrics import RankingResult, evaluate_rankings, paired_difference, rmse
from domain.recommend import Interaction, ItemFeatures, Recommender

K = 10
ROOT = Path(__file__).resolve().parents[2]


class Baseline(Protocol):
    name: str

    def fit(self, train: Ratings, n_users: int, n_items: int) -> Baseline: ...
    def scores(self, users: NDArray[np.int64]) -> NDArray[np.float64]: ...
    def predict(self, users: NDArray[np.int64], items: NDArray[np.int64]) -> NDArray[np.float64] | None: ...


def relevant_of(test: Ratings) -> dict[int, set[int]]:
    """Return each user's held-out items rated 4 stars or more."""
    rel: dict[int, set[int]] = {}
    for u, i, r in zip(test.users.tolist(), test.items.tolist(), test.ratings.tolist(), strict=True):
        if r >= 4:
            rel.setdefault(u, set()).add(i)
    return rel


def rank_baseline(model: Baseline, train: Ratings, test: Ratings, n_items: int) -> RankingResult:
    """Top-10 of a fitted baseline for every scorable user, training items masked out."""
    rel = relevant_of(test)
    users = np.array(sorted(rel), dtype=np.int64)
    scores = model.scores(users)
    seen: dict[int, set[int]] = {u: set() for u in users.tolist()}
    for u, i in zip(train.users.tolist(), train.items.tolist(), strict=True):
        if u in seen:
            seen[u].add(i)
    ranked: dict[int, list[int]] = {}
    for row, u in enumerate(users.tolist()):
        s = scores[row].copy()
        s[0] = -np.inf  # ml-100k ids start at 1
        s[list(seen[u])] = -np.inf
        top = np.argpartition(-s, K)[:K]
        ranked[u] = top[np.argsort(-s[top], kind="stable")].tolist()
    return evaluate_rankings(ranked, rel, n_items - 1, K)


def interactions_of(data: Ratings) -> list[Interaction]:
    """Turn columnar ratings into the engine's input rows."""
    return [
        Interaction(u, i, r, t)
        for u, i, r, t in zip(
            data.users.tolist(), data.items.tolist(), data.ratings.tolist(), data.timestamps.tolist(), strict=True
        )
    ]


def features_of(movies: list[Movie]) -> list[ItemFeatures]:
    """Turn ml-100k's movie list into the engine's item features."""
    return [ItemFeatures(item_id=m.item_id, genres=m.genres, year=m.year, title=m.title) for m in movies]


def tune(
    label: str,
    make: Callable[[float], Baseline],
    grid: list[float],
    score: Callable[[Baseline], float],
    higher_is_better: bool,
) -> float:
    """Return the grid value with the best validation score, printing the curve."""
    results = [score(make(value)) for value in grid]
    best = int(np.argmax(results) if higher_is_better else np.argmin(results))
    curve = ", ".join(f"{v:g}: {r:.4f}" for v, r in zip(grid, results, strict=True))
    print(f"  tuned {label} on validation -> {grid[best]:g}   ({curve})")
    return grid[best]


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small tuning grids and a 100k-interaction speed run")
    parser.add_argument("--no-speed", action="store_true", help="skip the synthetic speed section")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    data, movies = load_ml100k()
    n_users, n_items = int(data.users.max()) + 1, max(int(data.items.max()), max(m.item_id for m in movies)) + 1
    catalog = n_items - 1
    features = features_of(movies)
    train, test = temporal_split(data, seed=0)
    val_train, val_test = temporal_split(train, seed=0)
    r_train, r_test = random_split(data, seed=0)
    rv_train, rv_test = random_split(r_train, seed=1)
    print(f"MovieLens 100K: {len(data):,} ratings, {n_users - 1} users, {catalog} movies")
    print(
        f"  temporal split: {len(train):,} train / {len(test):,} test ratings, "
        f"{len(relevant_of(test))} users with a relevant held-out item"
    )
    print(f"  random split:   {len(r_train):,} train / {len(r_test):,} test ratings")

    print("\nTuning baselines (validation splits cut from training data only)")

    def val_ndcg(model: Baseline) -> float:
        return float(rank_baseline(model.fit(val_train, n_users, n_items), val_train, val_test, n_items).ndcg.mean())

    def val_rmse(model: Baseline) -> float:
        pred = model.fit(rv_train, n_users, n_items).predict(rv_test.users, rv_test.items)
        assert pred is not None
        return rmse(pred, rv_test.ratings)

    ease_grid = [100.0, 300.0, 1000.0] if args.quick else [50.0, 100.0, 200.0, 300.0, 500.0, 800.0, 1200.0]
    ease_reg = tune("EASE lambda", lambda v: EASE(v), ease_grid, val_ndcg, True)
    knn_grid = [50.0, 200.0] if args.quick else [20.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0]
    knn_k = int(tune("item-kNN k (ranking)", lambda v: ItemKNN(neighbors=int(v)), knn_grid, val_ndcg, True))
    mf_grid = [0.1] if args.quick else [0.05, 0.1, 0.15]
    mf_reg = tune("biased MF reg", lambda v: BiasedMF(reg=v), mf_grid, val_rmse, False)

    baselines: list[Baseline] = [Popularity(), ItemKNN(neighbors=knn_k), EASE(ease_reg), BiasedMF(reg=mf_reg)]
    ranking: dict[str, RankingResult] = {}
    errors: dict[str, float | None] = {}
    timings: dict[str, float] = {}
    for model in baselines:
        t0 = time.perf_counter()
        ranking[model.name] = rank_baseline(model.fit(train, n_users, n_items), train, test, n_items)
        pred = model.fit(r_train, n_users, n_items).predict(r_test.users, r_test.items)
        errors[model.name] = None if pred is None else rmse(pred, r_test.ratings)
        timings[model.name] = time.perf_counter() - t0

    name = "moviebot"
    t0 = time.perf_counter()
    engine = Recommender().fit(interactions_of(train), features)
    rel = relevant_of(test)
    ranked = {u: [r.item_id for r in engine.recommend(u, K)] for u in sorted(rel)}
    ranking[name] = evaluate_rankings(ranked, rel, catalog, K)
    engine = Recommender().fit(interactions_of(r_train), features)
    pred = np.empty(len(r_test))
    for u in np.unique(r_test.users).tolist():
        rows = np.flatnonzero(r_test.users == u)
        pred[rows] = engine.predict_many(u, r_test.items[rows].tolist())
    errors[name] = rmse(pred, r_test.ratings)
    timings[name] = time.perf_counter() - t0

    print("\nResults (ranking: temporal split, top-10; RMSE: random 80/20 split)")
    print(f"  {'model':<12} {'P@10':>7} {'R@10':>7} {'NDCG@10':>8} {'coverage':>9} {'RMSE':>7} {'time':>7}")
    for label, result in ranking.items():
        s = result.summary()
        err = errors[label]
        err_txt = f"{err:.4f}" if err is not None else "   n/a"
        print(
            f"  {label:<12} {s['P@10']:7.4f} {s['R@10']:7.4f} {s['NDCG@10']:8.4f} {s['coverage']:9.3f} "
            f"{err_txt:>7} {timings[label]:6.1f}s"
        )

    print("\nPaired per-user NDCG@10 difference, moviebot minus baseline (same users)")
    best_name = max((b.name for b in baselines), key=lambda n: float(ranking[n].ndcg.mean()))
    ok_ndcg = False
    for model in baselines:
        diff, se = paired_difference(ranking[name].ndcg, ranking[model.name].ndcg)
        mark = "  <- best baseline" if model.name == best_name else ""
        print(f"  vs {model.name:<12} {diff:+.4f}  SE {se:.4f}  ({diff / se:+.1f} SE){mark}")
        if model.name == best_name:
            ok_ndcg = diff > 2 * se
    ok_rmse = errors[name] is not None and float(errors[name] or 0) < 0.915
    print(
        f"\nBar: NDCG@10 beats best baseline ({best_name}) by > 2 SE: {'MET' if ok_ndcg else 'NOT MET'}; "
        f"RMSE < 0.915: {'MET' if ok_rmse else 'NOT MET'} ({errors[name]:.4f})"
    )
    print(f"quality section took {time.perf_counter() - started:.0f} s")

    if not args.no_speed:
        print("\nSpeed (separate process, so peak memory is the engine's own)")
        cmd = [sys.executable, "-m", "bench.recsys.speed"] + (["--quick"] if args.quick else [])
        subprocess.run(cmd, cwd=ROOT, check=True)
    return 0 if ok_ndcg and ok_rmse else 1


if __name__ == "__main__":
    raise SystemExit(main())
