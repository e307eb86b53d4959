"""Diversify a ranked list with maximal marginal relevance and a per-franchise cap.

Five sequels of one film are five good predictions and one bad screen: each
pick is chosen for its relevance minus its similarity to what is already on
the list (Carbonell & Goldstein 1998), so near-duplicates fall back a few
places instead of crowding the top; a hard cap per franchise catches the
series whose entries are so alike that no soft penalty separates them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def mmr(
    relevance: NDArray[np.float64],
    similarity: NDArray[np.float64],
    n: int,
    tradeoff: float,
    groups: Sequence[str | None] = (),
    max_per_group: int = 0,
) -> list[int]:
    """Return up to ``n`` positions into ``relevance``, in pick order.

    ``relevance`` is rescaled to [0, 1] so ``tradeoff`` means the same thing for
    every user; ``similarity`` is the candidates' pairwise cosine matrix. With
    ``tradeoff`` 0 this is plain ranking by relevance. Ties go to the earlier
    candidate, which keeps the output deterministic.
    """
    m = relevance.shape[0]
    n = min(n, m)
    if n <= 0:
        return []
    span = float(relevance.max() - relevance.min())
    rel = (relevance - relevance.min()) / span if span > 0 else np.ones(m)
    capped = max_per_group > 0 and len(groups) == m
    if tradeoff <= 0 and not capped:
        return [int(i) for i in np.argsort(-rel, kind="stable")[:n]]
    max_sim = np.zeros(m)
    chosen = np.zeros(m, dtype=bool)
    full = np.zeros(m, dtype=bool)
    taken: dict[str, int] = {}
    picks: list[int] = []
    for _ in range(n):
        gain = (1.0 - tradeoff) * rel - tradeoff * max_sim if tradeoff > 0 else rel.copy()
        gain[chosen] = -np.inf
        if capped and (~(chosen | full)).any():
            gain[full] = -np.inf
        best = int(np.argmax(gain))
        picks.append(best)
        chosen[best] = True
        if tradeoff > 0:
            np.maximum(max_sim, similarity[best], out=max_sim)
        key = groups[best] if capped else None
        if key is not None:
            taken[key] = taken.get(key, 0) + 1
            if taken[key] >= max_per_group:
                full |= np.array([g == key for g in groups])
    return picks
