"""Collaborative filtering: EASE for ranking, biased MF plus a neighbour correction for stars.

Two different questions get two different models. "What should this user look
at next?" is a ranking question over implicit signals, where EASE (Steck 2019,
a closed-form item-item regression) is hard to beat. "How many stars would she
give it?" is a regression on explicit ratings, where a biased matrix
factorisation fitted by alternating least squares, corrected by the user's
residuals on the item's nearest neighbours (Koren 2008's integrated model,
simplified), is accurate and cheap. Both are fully vectorised numpy/scipy: no
per-rating Python loop, so a million interactions fit in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def ease(gram: FloatArray, reg: float) -> NDArray[np.float32]:
    """Return EASE's item-item weights from a dense item Gram matrix.

    B = I - P diag(1/diag(P)) with P = (G + reg I)^-1; the zero diagonal stops
    an item from recommending itself. Inverted in float64 for stability, kept
    in float32 because scoring only needs a few digits and half the memory.
    """
    n = gram.shape[0]
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    g = gram.astype(np.float64, copy=True)
    g[np.diag_indices(n)] += reg
    p = np.linalg.inv(g)
    b = p / (-np.diag(p))[None, :]
    b[np.diag_indices(n)] = 0.0
    return b.astype(np.float32)


@dataclass(frozen=True, slots=True)
class BiasedMF:
    """r(u, i) ~ mu + b_u + b_i + p_u . q_i, the workhorse of rating prediction."""

    mu: float
    user_bias: FloatArray
    item_bias: FloatArray
    user_factors: FloatArray
    item_factors: FloatArray
    reg: float
    bias_reg: float

    def predict(self, users: IntArray, items: IntArray) -> FloatArray:
        """Predict raw (unclipped) stars for parallel user and item indices."""
        dots = np.einsum("ij,ij->i", self.user_factors[users], self.item_factors[items])
        predicted: FloatArray = self.mu + self.user_bias[users] + self.item_bias[items] + dots
        return predicted

    def fold_in(self, items: IntArray, ratings: FloatArray) -> tuple[FloatArray, float]:
        """Solve one user's factors and bias against the fixed item side.

        This is one half-step of ALS for a single user: it makes a new rating
        count at once, without refitting everyone.
        """
        k = self.item_factors.shape[1]
        if items.size == 0:
            return np.zeros(k), 0.0
        y = np.hstack([self.item_factors[items], np.ones((items.size, 1))])
        target = ratings - self.mu - self.item_bias[items]
        a = y.T @ y
        a[np.diag_indices(k + 1)] += np.r_[np.full(k, self.reg), self.bias_reg]
        sol = np.linalg.solve(a, y.T @ target)
        return sol[:k], float(sol[k])


def _als_half_step(
    indicator: sp.csr_matrix,
    residual_target: sp.csr_matrix,
    fixed: FloatArray,
    reg: float,
    bias_reg: float,
    chunk: int = 8192,
) -> tuple[FloatArray, FloatArray]:
    """Solve every row entity's [factors, bias] given the other side's factors.

    The per-entity normal matrices sum outer products of the other side's
    vectors; a sparse product with the flattened outer products computes all of
    them at once, and a batched solve does the rest. Rows are chunked to bound
    memory on large catalogs.
    """
    n, k = indicator.shape[0], fixed.shape[1]
    y = np.hstack([fixed, np.ones((fixed.shape[0], 1))])
    outer = np.einsum("ij,ik->ijk", y, y).reshape(y.shape[0], (k + 1) ** 2)
    rhs = np.asarray(residual_target @ y)
    reg_diag = np.diag(np.r_[np.full(k, reg), bias_reg])
    solution = np.empty((n, k + 1))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        normal = np.asarray(indicator[start:stop] @ outer).reshape(stop - start, k + 1, k + 1) + reg_diag
        solution[start:stop] = np.linalg.solve(normal, rhs[start:stop, :, None])[:, :, 0]
    return solution[:, :k], solution[:, k]


def fit_biased_mf(
    users: IntArray,
    items: IntArray,
    ratings: FloatArray,
    n_users: int,
    n_items: int,
    factors: int = 10,
    reg: float = 12.0,
    bias_reg: float = 5.0,
    iterations: int = 15,
    seed: int = 0,
) -> BiasedMF:
    """Fit a biased MF by alternating least squares on explicit ratings."""
    rng = np.random.default_rng(seed)
    mu = float(ratings.mean()) if ratings.size else 3.5
    user_f = rng.normal(0.0, 0.1, (n_users, factors))
    item_f = rng.normal(0.0, 0.1, (n_items, factors))
    user_b = np.zeros(n_users)
    item_b = np.zeros(n_items)
    if ratings.size:
        by_user = sp.csr_matrix((np.ones(ratings.size), (users, items)), shape=(n_users, n_items))
        by_item = sp.csr_matrix(by_user.T)
        for _ in range(iterations):
            target = sp.csr_matrix((ratings - mu - item_b[items], (users, items)), shape=(n_users, n_items))
            user_f, user_b = _als_half_step(by_user, target, item_f, reg, bias_reg)
            target = sp.csr_matrix((ratings - mu - user_b[users], (items, users)), shape=(n_items, n_users))
            item_f, item_b = _als_half_step(by_item, target, user_f, reg, bias_reg)
    return BiasedMF(mu, user_b, item_b, user_f, item_f, reg, bias_reg)


def residual_neighbors(
    users: IntArray,
    items: IntArray,
    residuals: FloatArray,
    n_users: int,
    n_items: int,
    neighbors: int = 40,
    shrinkage: float = 100.0,
) -> sp.csc_matrix:
    """Return a sparse item-item similarity: shrunk correlation of rating residuals, top neighbours per item.

    Column i holds item i's ``neighbors`` most similar items (positive only);
    the shrinkage n/(n + shrinkage) distrusts similarities seen on few common
    raters, the main source of noise in neighbourhood models.
    """
    if n_items == 0 or residuals.size == 0:
        return sp.csc_matrix((n_items, n_items))
    res = sp.csr_matrix((residuals, (users, items)), shape=(n_users, n_items))
    seen = sp.csr_matrix((np.ones(residuals.size), (users, items)), shape=(n_users, n_items))
    num = np.asarray((res.T @ res).todense())
    sq = np.asarray((res.multiply(res).T @ seen).todense())
    common = np.asarray((seen.T @ seen).todense())
    sim = num / (np.sqrt(sq * sq.T) + 1e-9) * (common / (common + shrinkage))
    del num, sq, common
    np.fill_diagonal(sim, 0.0)
    np.maximum(sim, 0.0, out=sim)
    keep = min(neighbors, n_items - 1)
    if keep <= 0:
        return sp.csc_matrix((n_items, n_items))
    rows = np.argpartition(-sim, keep - 1, axis=0)[:keep]
    cols = np.broadcast_to(np.arange(n_items), rows.shape)
    vals = sim[rows, cols]
    mask = vals > 0
    return sp.csc_matrix((vals[mask], (rows[mask], cols[mask])), shape=(n_items, n_items))


def neighbor_correction(
    sim: sp.csc_matrix,
    history: IntArray,
    history_residuals: FloatArray,
    targets: IntArray,
    damping: float = 1.0,
) -> FloatArray:
    """Correct MF predictions by the user's residuals on each target's neighbours."""
    if history.size == 0 or targets.size == 0 or sim.shape[0] == 0:
        return np.zeros(targets.size)
    block = sim[history][:, targets]
    num = np.asarray(block.T @ history_residuals).ravel()
    den = np.asarray(block.sum(axis=0)).ravel()
    return num / (den + damping)
