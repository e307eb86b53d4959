"""The baselines moviebot's engine has to beat, implemented here from their papers.

Each one is fitted on a ``Ratings`` training set over dense integer ids and
answers two questions: a score for every item (for top-k ranking) and, where
the method has one, a star prediction (for RMSE). Hyperparameters are tuned
on a validation split cut from the training data only, never on the test set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from bench.recsys.data import Ratings

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def interaction_matrix(train: Ratings, n_users: int, n_items: int) -> sp.csr_matrix:
    """Return the binary user x item matrix of who rated what."""
    return sp.csr_matrix((np.ones(len(train)), (train.users, train.items)), shape=(n_users, n_items))


def fit_biases(
    train: Ratings, n_users: int, n_items: int, reg_u: float = 15.0, reg_i: float = 10.0
) -> tuple[float, FloatArray, FloatArray]:
    """Fit mu + b_u + b_i by alternating regularised means (Koren's baseline predictor)."""
    mu = float(train.ratings.mean())
    bu, bi = np.zeros(n_users), np.zeros(n_items)
    cnt_u = np.bincount(train.users, minlength=n_users)
    cnt_i = np.bincount(train.items, minlength=n_items)
    for _ in range(10):
        bi = np.bincount(train.items, train.ratings - mu - bu[train.users], minlength=n_items) / (cnt_i + reg_i)
        bu = np.bincount(train.users, train.ratings - mu - bi[train.items], minlength=n_users) / (cnt_u + reg_u)
    return mu, bu, bi


class Popularity:
    """Rank by number of ratings; predict the baseline mu + b_u + b_i."""

    name = "popularity"

    def fit(self, train: Ratings, n_users: int, n_items: int) -> Popularity:
        self.counts = np.bincount(train.items, minlength=n_items).astype(np.float64)
        self.mu, self.bu, self.bi = fit_biases(train, n_users, n_items)
        return self

    def scores(self, users: IntArray) -> FloatArray:
        return np.tile(self.counts, (users.size, 1))

    def predict(self, users: IntArray, items: IntArray) -> FloatArray:
        return np.clip(self.mu + self.bu[users] + self.bi[items], 1, 5)


class ItemKNN:
    """Item-based kNN: cosine on who-rated-what for ranking, KNNBaseline (Koren 2010) for stars."""

    name = "item-kNN"

    def __init__(self, neighbors: int = 100, rating_neighbors: int = 40, shrinkage: float = 100.0) -> None:
        self.neighbors = neighbors
        self.rating_neighbors = rating_neighbors
        self.shrinkage = shrinkage

    @staticmethod
    def _top_columns(sim: FloatArray, k: int) -> FloatArray:
        k = min(k, sim.shape[0] - 1)
        keep = np.argpartition(-sim, k - 1, axis=0)[:k]
        out = np.zeros_like(sim)
        cols = np.broadcast_to(np.arange(sim.shape[1]), keep.shape)
        out[keep, cols] = sim[keep, cols]
        return out

    def fit(self, train: Ratings, n_users: int, n_items: int) -> ItemKNN:
        x = interaction_matrix(train, n_users, n_items)
        co = np.asarray((x.T @ x).todense())
        norms = np.sqrt(np.diag(co))
        sim = co / (np.outer(norms, norms) + 1e-9)
        np.fill_diagonal(sim, 0.0)
        self.x = x
        self.sim = self._top_columns(sim, self.neighbors)
        # Stars: shrunk Pearson correlation of baseline residuals.
        self.mu, self.bu, self.bi = fit_biases(train, n_users, n_items)
        resid = train.ratings - self.mu - self.bu[train.users] - self.bi[train.items]
        r = sp.csr_matrix((resid, (train.users, train.items)), shape=(n_users, n_items))
        num = np.asarray((r.T @ r).todense())
        sq = np.asarray((r.multiply(r).T @ x).todense())
        pearson = num / (np.sqrt(sq * sq.T) + 1e-9) * (co / (co + self.shrinkage))
        np.fill_diagonal(pearson, 0.0)
        self.pearson = pearson
        self.resid = r.tocsr()
        return self

    def scores(self, users: IntArray) -> FloatArray:
        return np.asarray(self.x[users] @ self.sim)

    def predict(self, users: IntArray, items: IntArray) -> FloatArray:
        out = self.mu + self.bu[users] + self.bi[items]
        for n, (u, i) in enumerate(zip(users, items, strict=True)):
            row = self.resid[u]
            rated, res = row.indices, row.data
            if rated.size == 0:
                continue
            s = self.pearson[i, rated]
            top = np.argsort(-s)[: self.rating_neighbors]
            s, res = s[top], res[top]
            keep = s > 0
            if keep.any():
                out[n] += float(s[keep] @ res[keep]) / float(s[keep].sum())
        return np.clip(out, 1, 5)


class EASE:
    """Embarrassingly Shallow Autoencoder (Steck 2019): closed-form item-item regression."""

    name = "EASE"

    def __init__(self, reg: float = 300.0) -> None:
        self.reg = reg

    def fit(self, train: Ratings, n_users: int, n_items: int) -> EASE:
        x = interaction_matrix(train, n_users, n_items)
        g = np.asarray((x.T @ x).todense())
        g[np.diag_indices(n_items)] += self.reg
        p = np.linalg.inv(g)
        b = p / (-np.diag(p))[None, :]
        b[np.diag_indices(n_items)] = 0.0
        self.x, self.b = x, b
        return self

    def scores(self, users: IntArray) -> FloatArray:
        return np.asarray(self.x[users] @ self.b)

    def predict(self, users: IntArray, items: IntArray) -> FloatArray | None:
        return None


@dataclass
class BiasedMF:
    """Biased matrix factorisation (Koren, Bell & Volinsky 2009) trained by mini-batch SGD.

    Ranks by predicted stars, as a rating model deployed for top-k would.
    """

    factors: int = 50
    lr: float = 0.01
    reg: float = 0.05
    epochs: int = 40
    batch: int = 64
    seed: int = 0
    name: str = "biased MF"

    def fit(self, train: Ratings, n_users: int, n_items: int) -> BiasedMF:
        rng = np.random.default_rng(self.seed)
        self.mu = float(train.ratings.mean())
        self.p = rng.normal(0, 0.1, (n_users, self.factors))
        self.q = rng.normal(0, 0.1, (n_items, self.factors))
        self.bu, self.bi = np.zeros(n_users), np.zeros(n_items)
        for _ in range(self.epochs):
            perm = rng.permutation(len(train))
            for start in range(0, perm.size, self.batch):
                idx = perm[start : start + self.batch]
                u, i, r = train.users[idx], train.items[idx], train.ratings[idx]
                pu, qi = self.p[u], self.q[i]
                err = r - (self.mu + self.bu[u] + self.bi[i] + np.einsum("ij,ij->i", pu, qi))
                np.add.at(self.bu, u, self.lr * (err - self.reg * self.bu[u]))
                np.add.at(self.bi, i, self.lr * (err - self.reg * self.bi[i]))
                np.add.at(self.p, u, self.lr * (err[:, None] * qi - self.reg * pu))
                np.add.at(self.q, i, self.lr * (err[:, None] * pu - self.reg * qi))
        return self

    def scores(self, users: IntArray) -> FloatArray:
        return self.mu + self.bu[users][:, None] + self.bi[None, :] + self.p[users] @ self.q.T

    def predict(self, users: IntArray, items: IntArray) -> FloatArray:
        raw: FloatArray = (
            self.mu + self.bu[users] + self.bi[items] + np.einsum("ij,ij->i", self.p[users], self.q[items])
        )
        return np.clip(raw, 1, 5)
