"""Fetch MovieLens 100K at bench time and cut the evaluation splits.

The data is never committed: the PyPI wheel of recbole ships ml-100k under
``recbole/dataset_example/ml-100k/``, PyPI is reachable from every machine of
this project, so the bench downloads that wheel once into ``bench/.cache/``
(git-ignored) and reads the two files it needs straight out of the zip.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache"
_MEMBER = "recbole/dataset_example/ml-100k/ml-100k"


@dataclass(frozen=True, slots=True)
class Ratings:
    """Columnar ratings: parallel arrays, one row per (user, item) rating."""

    users: NDArray[np.int64]
    items: NDArray[np.int64]
    ratings: NDArray[np.float64]
    timestamps: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.users.shape[0])

    def take(self, idx: NDArray[np.int64] | NDArray[np.bool_]) -> Ratings:
        """Return the rows selected by an index or a mask."""
        return Ratings(self.users[idx], self.items[idx], self.ratings[idx], self.timestamps[idx])


@dataclass(frozen=True, slots=True)
class Movie:
    """What ml-100k tells about a movie: title, year and genres."""

    item_id: int
    title: str
    year: int | None
    genres: tuple[str, ...]


def _wheel(cache_dir: Path) -> Path:
    """Return the cached recbole wheel, downloading it with pip on first use."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = sorted(cache_dir.glob("recbole-*.whl"))
    if found:
        return found[-1]
    print(f"fetching ml-100k (recbole wheel from PyPI) into {cache_dir} ...", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "recbole", "-d", str(cache_dir)],
        check=True,
    )
    found = sorted(cache_dir.glob("recbole-*.whl"))
    if not found:
        raise RuntimeError("pip download recbole produced no wheel")
    return found[-1]


def load_ml100k(cache_dir: Path = CACHE_DIR) -> tuple[Ratings, list[Movie]]:
    """Return ml-100k's 100,000 ratings and 1,682 movies."""
    with zipfile.ZipFile(_wheel(cache_dir)) as archive:
        inter = archive.read(_MEMBER + ".inter").decode("utf-8").splitlines()
        item = archive.read(_MEMBER + ".item").decode("latin-1").splitlines()
    rows = np.array([line.split("\t") for line in inter[1:] if line], dtype=np.float64)
    ratings = Ratings(
        users=rows[:, 0].astype(np.int64),
        items=rows[:, 1].astype(np.int64),
        ratings=rows[:, 2],
        timestamps=rows[:, 3],
    )
    movies: list[Movie] = []
    for line in item[1:]:
        if not line:
            continue
        parts = line.split("\t")
        item_id, title = int(parts[0]), parts[1]
        year = int(parts[2]) if len(parts) > 2 and parts[2].strip().isdigit() else None
        genres = tuple(parts[3].split()) if len(parts) > 3 else ()
        movies.append(Movie(item_id, title, year, genres))
    return ratings, movies


def temporal_split(data: Ratings, holdout: float = 0.2, seed: int = 0) -> tuple[Ratings, Ratings]:
    """Hold out each user's most recent ``holdout`` share of ratings.

    Many ml-100k ratings share a timestamp (a user rates a page at once); ties
    are broken by a seeded random key, not by item id, so no id order leaks into
    what counts as "most recent".
    """
    rng = np.random.default_rng(seed)
    tiebreak = rng.random(len(data))
    order = np.lexsort((tiebreak, data.timestamps, data.users))
    users = data.users[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], len(users)]
    is_test = np.zeros(len(users), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        n_test = round(holdout * (end - start))
        if 0 < n_test < end - start:
            is_test[end - n_test : end] = True
    return data.take(order[~is_test]), data.take(order[is_test])


def random_split(data: Ratings, holdout: float = 0.2, seed: int = 0) -> tuple[Ratings, Ratings]:
    """Hold out a random ``holdout`` share of all ratings (the classic RMSE protocol)."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(data))
    n_test = round(holdout * len(data))
    return data.take(np.sort(perm[n_test:])), data.take(np.sort(perm[:n_test]))
