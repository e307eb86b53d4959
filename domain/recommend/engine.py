"""The hybrid engine: fit once on everyone's history, then rank, explain and predict per user.

Ranking blends three scores, each scaled to its maximum over the candidates:

- collaborative: EASE item-item weights applied to the user's history, where
  each item is weighted by how much she liked it (stars above 2, favorite,
  watched, watchlisted; dismissed counts against) and by how recent it is
  (exp(-rank_from_latest / recency_items) + a floor). Recency is what beats
  plain EASE: the next film a person wants resembles the last few she loved
  more than the ones she rated years ago.
- content: cosine of TF-IDF item vectors to the user's weighted profile.
- popularity: time-decayed interaction counts (what people watch now).

The collaborative share grows with the user's history, n / (n + history_half),
so a three-favorite newcomer leans on content and a 500-rating regular on
collaborative filtering. Stars are predicted by biased MF plus a neighbour
correction. Per-user state is derived from the user's own history alone, so
``update_user`` (fold-in) refreshes a user at once without a refit.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from domain.recommend.collaborative import (
    BiasedMF,
    ease,
    fit_biased_mf,
    neighbor_correction,
    residual_neighbors,
)
from domain.recommend.content import ContentIndex
from domain.recommend.diversity import mmr
from domain.recommend.explain import choose_reason
from domain.recommend.types import (
    DISMISSED,
    FAVORITE,
    MAX_STARS,
    MIN_STARS,
    RATING,
    WATCHED,
    WATCHLIST,
    Interaction,
    ItemFeatures,
    Reason,
    Recommendation,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_KIND_CODE = {RATING: 0, FAVORITE: 1, WATCHLIST: 2, WATCHED: 3, DISMISSED: 4}
_FLAG_FAVORITE, _FLAG_WATCHLIST, _FLAG_WATCHED, _FLAG_DISMISSED = 1, 2, 4, 8
_FLAG_OF = {FAVORITE: _FLAG_FAVORITE, WATCHLIST: _FLAG_WATCHLIST, WATCHED: _FLAG_WATCHED, DISMISSED: _FLAG_DISMISSED}
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class RecommenderConfig:
    """Hyperparameters; the defaults were tuned on a validation split cut from ml-100k's training data."""

    ease_reg: float = 500.0
    max_ease_items: int = 5000
    recency_items: float = 10.0
    recency_floor: float = 0.05
    rating_offset: float = 2.0
    favorite_strength: float = 3.0
    watched_strength: float = 1.5
    watchlist_strength: float = 1.0
    dismissed_strength: float = -1.0
    history_half: float = 5.0
    content_weight: float = 0.1
    popularity_weight: float = 0.0
    popularity_half_life_days: float = 60.0
    diversity: float = 0.2
    max_per_franchise: int = 2
    mf_factors: int = 10
    mf_reg: float = 12.0
    mf_bias_reg: float = 5.0
    mf_iterations: int = 15
    knn_neighbors: int = 40
    knn_shrinkage: float = 100.0
    knn_damping: float = 1.0
    seed: int = 0


@dataclass(frozen=True, slots=True)
class _Columns:
    """Interactions as parallel arrays over internal indices, in input order."""

    users: IntArray
    items: IntArray
    ratings: FloatArray
    timestamps: FloatArray
    kinds: IntArray


@dataclass(frozen=True, slots=True)
class UserState:
    """What the model knows about one user, one row per item she touched.

    Replaced as a whole on update (never mutated), so a reader in another
    thread sees either the old or the new state, never half of each.
    """

    items: IntArray
    ratings: FloatArray  # NaN where the item was not rated
    flags: IntArray
    last_seen: FloatArray
    weights: FloatArray  # ranking weight: liking x recency (negative when dismissed)
    factors: FloatArray
    bias: float


def _aggregate(cols: _Columns, n_items: int) -> tuple[IntArray, IntArray, FloatArray, IntArray, FloatArray]:
    """Collapse events to one row per (user, item): latest rating, kind flags, last time.

    Rows come back sorted by user, then by last time (input order breaks ties).
    """
    n = cols.users.size
    order = np.lexsort((np.arange(n), cols.timestamps))
    key = cols.users[order] * np.int64(max(n_items, 1)) + cols.items[order]
    uniq, inverse = np.unique(key, return_inverse=True)
    m = uniq.size
    last_pos = np.full(m, -1, dtype=np.int64)
    np.maximum.at(last_pos, inverse, np.arange(n))
    ratings = np.full(m, np.nan)
    is_rating = cols.kinds[order] == _KIND_CODE[RATING]
    rating_pos = np.full(m, -1, dtype=np.int64)
    np.maximum.at(rating_pos, inverse[is_rating], np.flatnonzero(is_rating))
    has_rating = rating_pos >= 0
    ratings[has_rating] = cols.ratings[order][rating_pos[has_rating]]
    flags = np.zeros(m, dtype=np.int64)
    for kind, flag in _FLAG_OF.items():
        hit = cols.kinds[order] == _KIND_CODE[kind]
        np.bitwise_or.at(flags, inverse[hit], flag)
    users = uniq // max(n_items, 1)
    items = uniq % max(n_items, 1)
    last_seen = cols.timestamps[order][last_pos]
    regroup = np.lexsort((last_pos, users))
    return users[regroup], items[regroup], ratings[regroup], flags[regroup], last_seen[regroup]


def _liking(ratings: FloatArray, flags: IntArray, config: RecommenderConfig) -> FloatArray:
    """Return how much each row says the user likes the item (negative for dismissed)."""
    strength = np.where(np.isnan(ratings), 0.0, np.maximum(np.nan_to_num(ratings) - config.rating_offset, 0.0))
    strength = np.where(flags & _FLAG_FAVORITE, np.maximum(strength, config.favorite_strength), strength)
    watched_only = (flags & _FLAG_WATCHED).astype(bool) & np.isnan(ratings)
    strength = np.where(watched_only, np.maximum(strength, config.watched_strength), strength)
    strength = np.where(flags & _FLAG_WATCHLIST, np.maximum(strength, config.watchlist_strength), strength)
    return np.where(flags & _FLAG_DISMISSED, config.dismissed_strength, strength)


def _ranking_weights(liking: FloatArray, config: RecommenderConfig) -> FloatArray:
    """Discount liked items by how far back they are in the (time-sorted) history."""
    positive = liking > 0
    rank = np.zeros(liking.size)
    rank[positive] = np.arange(int(positive.sum()))[::-1]
    recency = config.recency_floor + np.exp(-rank / config.recency_items)
    return np.where(positive, liking * recency, liking)


class FittedModel:
    """A fitted recommender: rank, explain, find similar items, predict stars, fold in new events.

    Not thread-safe for concurrent ``update_user`` calls on the same user;
    reads during an update see a consistent old or new user state.
    """

    def __init__(
        self,
        *,
        config: RecommenderConfig,
        item_ids: IntArray,
        content: ContentIndex,
        head: IntArray,
        ease_weights: NDArray[np.float32],
        mf: BiasedMF,
        neighbors: sp.csc_matrix,
        popularity: FloatArray,
        users: dict[int, UserState],
    ) -> None:
        self.config = config
        self._item_ids = item_ids
        self._index = {int(item): idx for idx, item in enumerate(item_ids)}
        self._content = content
        self._head = head
        self._head_pos = np.full(item_ids.size, -1, dtype=np.int64)
        self._head_pos[head] = np.arange(head.size)
        self._ease = ease_weights
        self._mf = mf
        self._neighbors = neighbors
        self._popularity = popularity
        self._users = users

    # -- introspection -------------------------------------------------------------------

    @property
    def n_items(self) -> int:
        """Return the number of items the model can recommend."""
        return int(self._item_ids.size)

    def known_items(self, user_id: int) -> set[int]:
        """Return every item the user has touched (rated, favorited, listed, watched, dismissed)."""
        state = self._users.get(user_id)
        return set() if state is None else {int(self._item_ids[i]) for i in state.items}

    # -- fold-in -------------------------------------------------------------------------

    def update_user(self, user_id: int, interactions: Iterable[Interaction], *, replace: bool = False) -> None:
        """Merge new events into one user's state (or replace it) without refitting.

        The ranking side reads the user's history directly, so it is exact; the
        rating side re-solves the user's MF factors against the fixed items.
        Events on items the model does not know are ignored until the next fit.
        """
        rows = [e for e in interactions if e.item_id in self._index]
        old = None if replace else self._users.get(user_id)
        items: list[int] = [self._index[e.item_id] for e in rows]
        ratings: list[float] = [float(e.rating) if e.rating is not None else np.nan for e in rows]
        times: list[float] = [float(e.timestamp) for e in rows]
        kinds: list[int] = [_KIND_CODE[e.kind] for e in rows]
        if old is not None:
            # Re-express the old state as events that precede the new ones.
            first_new = min(times) if times else 0.0
            prefix: list[tuple[int, float, float, int]] = []
            for item, rating, flag, seen in zip(old.items, old.ratings, old.flags, old.last_seen, strict=True):
                t = min(float(seen), first_new)
                if not np.isnan(rating):
                    prefix.append((int(item), float(rating), t, _KIND_CODE[RATING]))
                for kind, bit in _FLAG_OF.items():
                    if int(flag) & bit:
                        prefix.append((int(item), np.nan, t, _KIND_CODE[kind]))
            prefix_items = [p[0] for p in prefix]
            prefix_ratings = [p[1] for p in prefix]
            prefix_times = [p[2] for p in prefix]
            prefix_kinds = [p[3] for p in prefix]
            items, ratings = prefix_items + items, prefix_ratings + ratings
            times, kinds = prefix_times + times, prefix_kinds + kinds
        cols = _Columns(
            users=np.zeros(len(items), dtype=np.int64),
            items=np.asarray(items, dtype=np.int64),
            ratings=np.asarray(ratings, dtype=np.float64),
            timestamps=np.asarray(times, dtype=np.float64),
            kinds=np.asarray(kinds, dtype=np.int64),
        )
        _, it, rt, fl, seen = _aggregate(cols, self.n_items)
        rated = ~np.isnan(rt)
        factors, bias = self._mf.fold_in(it[rated], rt[rated])
        liking = _liking(rt, fl, self.config)
        self._users[user_id] = UserState(it, rt, fl, seen, _ranking_weights(liking, self.config), factors, bias)

    # -- ranking -------------------------------------------------------------------------

    def _scaled(self, scores: FloatArray, allowed: NDArray[np.bool_]) -> FloatArray:
        top = float(scores[allowed].max()) if allowed.any() else 0.0
        return scores / top if top > 0 else np.zeros_like(scores)

    def _collaborative(self, items: IntArray, weights: FloatArray) -> FloatArray:
        pos = self._head_pos[items]
        in_head = pos >= 0
        scores = np.zeros(self.n_items)
        if in_head.any():
            head_scores = weights[in_head].astype(np.float32) @ self._ease[pos[in_head]]
            scores[self._head] = head_scores
        return scores

    def recommend(
        self,
        user_id: int,
        k: int = 5,
        exclude: Collection[int] = frozenset(),
        offset: int = 0,
    ) -> list[Recommendation]:
        """Return picks number offset+1 .. offset+k for a user, best first, each with a reason.

        Everything the user touched and everything in ``exclude`` is left out.
        Unknown users get popular, diverse picks. "More" is the same call with
        ``offset`` advanced by k: the list is computed deterministically, so the
        pages do not overlap as long as the user's state has not changed.
        """
        n = self.n_items
        if n == 0 or k <= 0:
            return []
        state = self._users.get(user_id)
        banned = np.zeros(n, dtype=bool)
        for item_id in exclude:
            idx = self._index.get(int(item_id))
            if idx is not None:
                banned[idx] = True
        if state is not None:
            banned[state.items] = True
        allowed = ~banned
        pop = self._scaled(self._popularity, allowed)
        liked = state.weights > 0 if state is not None else np.zeros(0, dtype=bool)
        cf = np.zeros(n)
        ct = np.zeros(n)
        if state is not None and liked.any():
            cf = self._scaled(self._collaborative(state.items, state.weights), allowed)
            ct = self._scaled(self._content.profile_scores(state.items, state.weights), allowed)
            n_head = float(np.count_nonzero(self._head_pos[state.items[liked]] >= 0))
            share = n_head / (n_head + self.config.history_half)
            cf_part = share * cf
            ct_part = (1.0 - share + self.config.content_weight) * ct
            pop_part = self.config.popularity_weight * pop
        else:
            cf_part, ct_part, pop_part = cf, ct, pop
        score = cf_part + ct_part + pop_part
        want = offset + k
        n_allowed = int(allowed.sum())
        pool = min(n_allowed, max(3 * want, want + 20))
        if pool <= 0:
            return []
        masked = np.where(allowed, score, -np.inf)
        cand = np.argpartition(-masked, pool - 1)[:pool] if pool < n else np.arange(n)
        cand = cand[np.lexsort((cand, -masked[cand]))]
        cand = cand[np.isfinite(masked[cand])]
        franchises = [self._content.franchises[i] for i in cand]
        picks = mmr(
            masked[cand],
            self._content.pairwise(cand),
            want,
            self.config.diversity,
            franchises,
            self.config.max_per_franchise,
        )
        chosen = cand[np.asarray(picks, dtype=np.int64)][offset:want]
        reasons = self._reasons(state, chosen, cf_part[chosen], ct_part[chosen], pop_part[chosen])
        return [
            Recommendation(item_id=int(self._item_ids[i]), score=float(score[i]), reason=reason)
            for i, reason in zip(chosen, reasons, strict=True)
        ]

    def _reasons(
        self, state: UserState | None, chosen: IntArray, cf: FloatArray, ct: FloatArray, pop: FloatArray
    ) -> list[Reason]:
        """Explain each pick from its score parts; the per-user work is done once for all picks."""
        liked = state.weights > 0 if state is not None else np.zeros(0, dtype=bool)
        if state is None or not liked.any():
            return [Reason("popular") for _ in chosen]
        hist, weights = state.items[liked], state.weights[liked]
        pos = self._head_pos[hist]
        in_head = pos >= 0
        cosines = self._content.cosines(hist, chosen)
        affinity: dict[str, float] = defaultdict(float)
        for idx, weight in zip(hist.tolist(), weights.tolist(), strict=True):
            for genre in self._content.genres[idx]:
                affinity[genre] += weight
        anchors = self._item_ids[hist]
        reasons = []
        for col, item in enumerate(chosen.tolist()):
            contrib = np.zeros(hist.size)
            target = self._head_pos[item]
            if target >= 0 and in_head.any():
                contrib[in_head] = weights[in_head] * self._ease[pos[in_head], target]
            reasons.append(
                choose_reason(
                    collaborative=float(cf[col]),
                    content=float(ct[col]),
                    popularity=float(pop[col]),
                    cf_contributions=contrib,
                    content_cosines=cosines[:, col],
                    content_weights=weights,
                    anchors=anchors,
                    item_genres=self._content.genres[item],
                    genre_affinity=affinity,
                )
            )
        return reasons

    def similar_items(self, item_id: int, k: int = 5, exclude: Collection[int] = frozenset()) -> list[Recommendation]:
        """Return "more like this": items closest in content, nudged by who watches them together."""
        idx = self._index.get(int(item_id))
        if idx is None or k <= 0:
            return []
        score = self._content.similarity_to(idx)
        pos = self._head_pos[idx]
        if pos >= 0:
            both = np.maximum(self._ease[pos], self._ease[:, pos]).astype(np.float64)
            top = float(both.max())
            if top > 0:
                score[self._head] += 0.5 * np.maximum(both, 0.0) / top
        score[idx] = -np.inf
        for other in exclude:
            j = self._index.get(int(other))
            if j is not None:
                score[j] = -np.inf
        order = np.lexsort((np.arange(score.size), -score))[:k]
        reason = Reason("similar_to", anchor_item_id=int(item_id))
        return [Recommendation(int(self._item_ids[i]), float(score[i]), reason) for i in order if np.isfinite(score[i])]

    # -- rating prediction ---------------------------------------------------------------

    def predict(self, user_id: int, item_id: int) -> float:
        """Predict the stars (1-5) a user would give an item."""
        return float(self.predict_many(user_id, [item_id])[0])

    def predict_many(self, user_id: int, item_ids: Sequence[int]) -> FloatArray:
        """Predict stars for several items of one user at once (what an evaluation loop wants)."""
        mf = self._mf
        state = self._users.get(user_id)
        factors = state.factors if state is not None else np.zeros(mf.item_factors.shape[1])
        bias = state.bias if state is not None else 0.0
        idx = np.array([self._index.get(int(i), -1) for i in item_ids], dtype=np.int64)
        known = idx >= 0
        out = np.full(idx.size, mf.mu + bias)
        if known.any():
            items = idx[known]
            base = mf.mu + bias + mf.item_bias[items] + mf.item_factors[items] @ factors
            if state is not None:
                rated = ~np.isnan(state.ratings)
                hist = state.items[rated]
                hist_pos = self._head_pos[hist]
                target_pos = self._head_pos[items]
                ok_h, ok_t = hist_pos >= 0, target_pos >= 0
                if ok_h.any() and ok_t.any():
                    resid = state.ratings[rated][ok_h] - (
                        mf.mu + bias + mf.item_bias[hist[ok_h]] + mf.item_factors[hist[ok_h]] @ factors
                    )
                    base[ok_t] += neighbor_correction(
                        self._neighbors, hist_pos[ok_h], resid, target_pos[ok_t], self.config.knn_damping
                    )
            out[known] = base
        clipped: FloatArray = np.clip(out, MIN_STARS, MAX_STARS)
        return clipped


@dataclass(frozen=True, slots=True)
class Recommender:
    """Fit a :class:`FittedModel` from interactions and item features."""

    config: RecommenderConfig = field(default_factory=RecommenderConfig)

    def fit(self, interactions: Iterable[Interaction], items: Iterable[ItemFeatures] = ()) -> FittedModel:
        """Fit every part of the engine; items seen only in interactions get empty features."""
        cfg = self.config
        features: dict[int, ItemFeatures] = {f.item_id: f for f in items}
        raw_users: list[int] = []
        raw_items: list[int] = []
        raw_ratings: list[float] = []
        raw_times: list[float] = []
        raw_kinds: list[int] = []
        for e in interactions:
            raw_users.append(e.user_id)
            raw_items.append(e.item_id)
            raw_ratings.append(np.nan if e.rating is None else float(e.rating))
            raw_times.append(e.timestamp)
            raw_kinds.append(_KIND_CODE[e.kind])
        item_arr = np.asarray(raw_items, dtype=np.int64)
        all_items = np.union1d(np.fromiter(features.keys(), dtype=np.int64, count=len(features)), item_arr)
        catalog = [features.get(int(i), ItemFeatures(item_id=int(i))) for i in all_items]
        user_ids, user_idx = np.unique(np.asarray(raw_users, dtype=np.int64), return_inverse=True)
        cols = _Columns(
            users=user_idx.astype(np.int64),
            items=np.searchsorted(all_items, item_arr).astype(np.int64),
            ratings=np.asarray(raw_ratings, dtype=np.float64),
            timestamps=np.asarray(raw_times, dtype=np.float64),
            kinds=np.asarray(raw_kinds, dtype=np.int64),
        )
        n_users, n_items = int(user_ids.size), int(all_items.size)
        content = ContentIndex.build(catalog)

        users, items_, ratings, flags, last_seen = _aggregate(cols, n_items)
        positive = (flags & _FLAG_DISMISSED) == 0
        counts = np.bincount(items_[positive], minlength=n_items).astype(np.float64)
        popularity = self._popularity(items_[positive], last_seen[positive], catalog, n_items)

        # EASE over the most-interacted items: its cost is cubic in their number.
        head = np.flatnonzero(counts > 0)
        if head.size > cfg.max_ease_items:
            head = np.sort(head[np.argsort(-counts[head], kind="stable")[: cfg.max_ease_items]])
        head_pos = np.full(n_items, -1, dtype=np.int64)
        head_pos[head] = np.arange(head.size)
        in_head = positive & (head_pos[items_] >= 0)
        x = sp.csr_matrix(
            (np.ones(int(in_head.sum())), (users[in_head], head_pos[items_[in_head]])), shape=(n_users, head.size)
        )
        ease_weights = ease(np.asarray((x.T @ x).todense()), cfg.ease_reg)
        del x

        rated = ~np.isnan(ratings)
        mf = fit_biased_mf(
            users[rated],
            items_[rated],
            ratings[rated],
            n_users,
            n_items,
            factors=cfg.mf_factors,
            reg=cfg.mf_reg,
            bias_reg=cfg.mf_bias_reg,
            iterations=cfg.mf_iterations,
            seed=cfg.seed,
        )
        rated_head = rated & (head_pos[items_] >= 0)
        ru, ri = users[rated_head], items_[rated_head]
        baseline_resid = ratings[rated_head] - (mf.mu + mf.user_bias[ru] + mf.item_bias[ri])
        neighbors = residual_neighbors(
            ru, head_pos[ri], baseline_resid, n_users, int(head.size), cfg.knn_neighbors, cfg.knn_shrinkage
        )

        liking = _liking(ratings, flags, cfg)
        states: dict[int, UserState] = {}
        bounds = np.flatnonzero(np.r_[True, users[1:] != users[:-1], True]) if users.size else np.array([0])
        for start, stop in itertools.pairwise(bounds):
            u = int(users[start])
            sl = slice(int(start), int(stop))
            states[int(user_ids[u])] = UserState(
                items=items_[sl],
                ratings=ratings[sl],
                flags=flags[sl],
                last_seen=last_seen[sl],
                weights=_ranking_weights(liking[sl], cfg),
                factors=mf.user_factors[u],
                bias=float(mf.user_bias[u]),
            )
        return FittedModel(
            config=cfg,
            item_ids=all_items,
            content=content,
            head=head,
            ease_weights=ease_weights,
            mf=mf,
            neighbors=neighbors,
            popularity=popularity,
            users=states,
        )

    def _popularity(
        self, items: IntArray, seen: FloatArray, catalog: Sequence[ItemFeatures], n_items: int
    ) -> FloatArray:
        """Score items by time-decayed interaction counts, with catalog popularity as a tie-breaker.

        Decay is relative to the newest event, so "popular" means popular lately,
        and the catalog's own popularity figure ranks items nobody here has touched yet.
        """
        decayed = np.zeros(n_items)
        if items.size:
            age_days = (seen.max() - seen) / _SECONDS_PER_DAY
            np.add.at(decayed, items, 0.5 ** (age_days / self.config.popularity_half_life_days))
        external = np.log1p(np.maximum(np.array([f.popularity for f in catalog], dtype=np.float64), 0.0))
        score = np.log1p(decayed)
        if score.max(initial=0.0) > 0:
            score /= score.max()
        if external.max(initial=0.0) > 0:
            score += 0.1 * external / external.max()
        return score
