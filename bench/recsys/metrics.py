"""Top-k ranking metrics, per user, and the paired comparison the bar is judged on.

Metrics are kept per user (not only averaged) because the bar is a paired test:
the mean per-user NDCG difference against the best baseline must exceed two of
its standard errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class RankingResult:
    """Per-user precision, recall and NDCG at k, plus catalog coverage."""

    users: NDArray[np.int64]
    precision: NDArray[np.float64]
    recall: NDArray[np.float64]
    ndcg: NDArray[np.float64]
    coverage: float

    def summary(self) -> dict[str, float]:
        """Return the means the table prints."""
        return {
            "P@10": float(self.precision.mean()),
            "R@10": float(self.recall.mean()),
            "NDCG@10": float(self.ndcg.mean()),
            "coverage": self.coverage,
        }


def evaluate_rankings(
    ranked: Mapping[int, Sequence[int]],
    relevant: Mapping[int, set[int]],
    n_catalog: int,
    k: int = 10,
) -> RankingResult:
    """Score top-k lists against each user's relevant held-out items.

    Users without a relevant held-out item are skipped (they cannot be scored);
    recall divides by all of a user's relevant items, NDCG's ideal is capped at k.
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    users = sorted(u for u, rel in relevant.items() if rel)
    precision = np.zeros(len(users))
    recall = np.zeros(len(users))
    ndcg = np.zeros(len(users))
    shown: set[int] = set()
    for row, user in enumerate(users):
        top = list(ranked.get(user, ()))[:k]
        shown.update(top)
        rel = relevant[user]
        gains = np.array([1.0 if item in rel else 0.0 for item in top] + [0.0] * (k - len(top)))
        hits = gains.sum()
        precision[row] = hits / k
        recall[row] = hits / len(rel)
        ideal = discounts[: min(len(rel), k)].sum()
        ndcg[row] = float(gains @ discounts) / ideal
    return RankingResult(np.array(users, dtype=np.int64), precision, recall, ndcg, len(shown) / max(n_catalog, 1))


def paired_difference(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[float, float]:
    """Return the mean of a - b over the same users and its standard error."""
    diff = a - b
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))


def rmse(predicted: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """Return the root mean squared error of predicted stars."""
    return float(np.sqrt(np.mean((predicted - actual) ** 2)))
