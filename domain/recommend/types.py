"""Values the recommender takes in and hands back.

They are plain frozen dataclasses so storage can build them from rows and the
bot can render them without knowing anything about the matrices behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from domain import models
from domain.models import SignalKind

# The kinds are the signal kinds (domain.models.SignalKind), and the star range is the one users rate in:
# one definition each, named here the way the recommender's code reads best.
RATING: Final = SignalKind.RATING.value
FAVORITE: Final = SignalKind.FAVORITE.value
WATCHLIST: Final = SignalKind.WATCHLIST.value
WATCHED: Final = SignalKind.WATCHED.value
DISMISSED: Final = SignalKind.DISMISSED.value
KINDS: Final[frozenset[str]] = frozenset(kind.value for kind in SignalKind)

MIN_STARS: Final = float(models.MIN_STARS)
MAX_STARS: Final = float(models.MAX_STARS)


@dataclass(frozen=True, slots=True)
class Interaction:
    """One thing a user did with a movie: rated it, favorited it, dismissed it...

    ``rating`` is the star value for kind "rating" and ignored otherwise;
    ``timestamp`` is seconds since the epoch and orders a user's history, which
    matters because recent tastes predict the next pick better than old ones.
    """

    user_id: int
    item_id: int
    rating: float | None
    timestamp: float
    kind: str = RATING

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown interaction kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.kind == RATING and self.rating is None:
            raise ValueError("a rating interaction needs a rating value")


@dataclass(frozen=True, slots=True)
class ItemFeatures:
    """What the catalog knows about a movie, for content similarity and explanations.

    Every field but ``item_id`` may be empty: the engine uses whatever is known,
    so a MovieLens import with only genres and a TMDb-enriched movie with
    keywords, overview and people both work.
    """

    item_id: int
    genres: tuple[str, ...] = ()
    year: int | None = None
    keywords: tuple[str, ...] = ()
    overview: str | None = None
    popularity: float = 0.0
    title: str = ""
    people: tuple[str, ...] = ()


ReasonKind = Literal["similar_to", "similar_users", "top_in_genre", "popular"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item was picked, in a form the bot renders as one line.

    - ``similar_to``: "because you liked <anchor_item_id>"
    - ``similar_users``: "loved by people who rate like you"
    - ``top_in_genre``: "top-rated <genre> you haven't seen"
    - ``popular``: "popular right now"
    """

    kind: ReasonKind
    anchor_item_id: int | None = None
    genre: str | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One pick: the item, its blended score (higher is better) and why."""

    item_id: int
    score: float
    reason: Reason
