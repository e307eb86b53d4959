"""Movie recommendations: a hybrid collaborative + content engine, usable without the bot.

Pure computation (numpy, scipy, scikit-learn; no I/O), so the bot, a notebook
and the benchmark in ``bench/recsys`` all drive the same code.

Interface
---------
Fit on everyone's history plus the catalog::

    from domain.recommend import Interaction, ItemFeatures, Recommender

    model = Recommender().fit(
        [Interaction(user_id=1, item_id=10, rating=4.5, timestamp=1.7e9, kind="rating"),
         Interaction(user_id=1, item_id=11, rating=None, timestamp=1.7e9, kind="favorite"), ...],
        [ItemFeatures(item_id=10, genres=("Crime", "Thriller"), year=1995, title="Heat",
                      keywords=("heist",), overview="...", people=("Michael Mann",)), ...],
    )

``kind`` is one of "rating" (needs ``rating``, 1-5 stars), "favorite",
"watchlist", "watched" and "dismissed" ("not interested": never shown again
and used as negative feedback).

Then, per user:

- ``model.recommend(user_id, k=5, exclude=set(), offset=0) -> list[Recommendation]``:
  top-k picks, never an item the user rated, favorited, watched, listed or
  dismissed, nor one in ``exclude``; ``offset=5`` gives the next five ("more").
  Each ``Recommendation(item_id, score, reason)`` carries a ``Reason`` whose
  ``kind`` is "similar_to" (``anchor_item_id``: "because you liked Heat"),
  "similar_users", "top_in_genre" (``genre``) or "popular". Unknown users and
  users with no history get popular, diverse picks; lists are diversified
  (MMR over content similarity) so sequels do not crowd them.
- ``model.similar_items(item_id, k=5, exclude=set())``: "more like this".
- ``model.predict(user_id, item_id) -> float``: predicted stars in [1, 5].
- ``model.update_user(user_id, interactions, replace=False)``: fold-in; the
  user's next ``recommend``/``predict`` reflect the new events at once, no
  refit. A scheduled ``fit`` still refreshes everyone else's view of them.

Output is deterministic for a given input and ``RecommenderConfig.seed``.
"""

from __future__ import annotations

from domain.recommend.engine import FittedModel, Recommender, RecommenderConfig
from domain.recommend.types import (
    DISMISSED,
    FAVORITE,
    KINDS,
    RATING,
    WATCHED,
    WATCHLIST,
    Interaction,
    ItemFeatures,
    Reason,
    Recommendation,
)

__all__ = [
    "DISMISSED",
    "FAVORITE",
    "KINDS",
    "RATING",
    "WATCHED",
    "WATCHLIST",
    "FittedModel",
    "Interaction",
    "ItemFeatures",
    "Reason",
    "Recommendation",
    "Recommender",
    "RecommenderConfig",
]
