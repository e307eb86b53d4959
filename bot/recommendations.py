"""Keep a fitted recommender in memory, refit it on demand, and keep users fresh between fits.

The engine (domain.recommend) is pure computation; this service feeds it from
storage, fits off the event loop (a fit takes about a second on the bundled
catalog), and folds a user's new signals in right after they rate, favorite or
dismiss something, so their next /recommend reflects it without a full refit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from domain.models import Movie, Signal
from domain.ports import UnitOfWorkFactory
from domain.recommend import FittedModel, Interaction, ItemFeatures, Recommendation, Recommender

log = logging.getLogger(__name__)


def to_interaction(signal: Signal) -> Interaction:
    return Interaction(
        user_id=signal.user_id,
        item_id=signal.movie_id,
        rating=float(signal.stars) if signal.stars is not None else None,
        timestamp=signal.at.timestamp(),
        kind=signal.kind.value,
    )


def to_features(movie: Movie) -> ItemFeatures:
    return ItemFeatures(
        item_id=movie.id,
        genres=movie.genres,
        year=movie.year,
        keywords=movie.keywords,
        overview=movie.overview,
        popularity=movie.popularity,
        title=movie.title,
    )


class RecommendationService:
    """The current model, swapped atomically on refit; None until the first fit."""

    def __init__(self, uow: UnitOfWorkFactory, recommender: Recommender | None = None) -> None:
        self._uow = uow
        self._recommender = recommender or Recommender()
        self._model: FittedModel | None = None
        self._fitting = asyncio.Lock()

    async def refit(self) -> None:
        """Fit on everyone's signals and the whole catalog, then swap the model in."""
        async with self._fitting:
            await self._fit()

    async def _fit(self) -> None:
        started = time.perf_counter()
        async with self._uow() as uow:
            signals = await uow.library.signals()
            movies = await uow.movies.all()
        interactions = [to_interaction(s) for s in signals]
        features = [to_features(m) for m in movies]
        self._model = await asyncio.to_thread(self._recommender.fit, interactions, features)
        log.info(
            "recommender fitted on %d signals, %d movies in %.1f s",
            len(signals),
            len(movies),
            time.perf_counter() - started,
        )

    @property
    def fitted(self) -> bool:
        return self._model is not None

    async def model(self) -> FittedModel:
        """The fitted model, fitting it first if none exists yet (once, however many ask at once)."""
        if self._model is None:
            async with self._fitting:
                if self._model is None:
                    await self._fit()
        assert self._model is not None
        return self._model

    async def refresh_user(self, user_id: int) -> FittedModel:
        """Fold one user's current signals into the model, so their picks reflect what they just did."""
        model = await self.model()
        async with self._uow() as uow:
            signals = await uow.library.signals(user_id)
        model.update_user(user_id, [to_interaction(s) for s in signals], replace=True)
        return model

    async def recommend(self, user_id: int, k: int, offset: int) -> list[Recommendation]:
        """Top picks for a user, fresh: their latest ratings count even between scheduled refits."""
        return (await self.refresh_user(user_id)).recommend(user_id, k=k, offset=offset)

    async def similar(self, movie_id: int, k: int, exclude: Sequence[int] = ()) -> list[Recommendation]:
        return (await self.model()).similar_items(movie_id, k=k, exclude=set(exclude))
