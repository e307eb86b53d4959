"""Turn a pick's score breakdown into the one-line reason a user sees.

A reason must be true, not decorative: it names the part of the blend that
actually put the item on the list. "Because you liked Heat" only when one
liked film carries a real share of the collaborative or content score;
"people who rate like you" when the collaborative score is spread over many
films; the genre line when content dominates without one clear anchor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from domain.recommend.types import Reason

# An anchor film must carry at least this share of the positive evidence to be named.
ANCHOR_SHARE = 0.3
# A content anchor must be at least this similar (cosine) to be named.
ANCHOR_COSINE = 0.35


def _anchor(contributions: NDArray[np.float64], anchors: NDArray[np.int64], share: float) -> int | None:
    if contributions.size == 0:
        return None
    positive = np.maximum(contributions, 0.0)
    total = float(positive.sum())
    best = int(np.argmax(positive))
    if total <= 0 or positive[best] < share * total:
        return None
    return int(anchors[best])


def choose_reason(
    *,
    collaborative: float,
    content: float,
    popularity: float,
    cf_contributions: NDArray[np.float64],
    content_cosines: NDArray[np.float64],
    content_weights: NDArray[np.float64],
    anchors: NDArray[np.int64],
    item_genres: Sequence[str],
    genre_affinity: Mapping[str, float],
) -> Reason:
    """Pick the reason for one recommended item from its score parts.

    ``anchors`` are the external ids of the user's liked items, aligned with
    ``cf_contributions`` (their share of the collaborative score), and with
    ``content_cosines`` / ``content_weights`` (their similarity to the item and
    how much the user liked them).
    """
    if max(collaborative, content) <= popularity or anchors.size == 0:
        return Reason("popular")
    if collaborative >= content:
        anchor = _anchor(cf_contributions, anchors, ANCHOR_SHARE)
        return Reason("similar_to", anchor_item_id=anchor) if anchor is not None else Reason("similar_users")
    weighted = content_cosines * np.maximum(content_weights, 0.0)
    if weighted.size and float(content_cosines[int(np.argmax(weighted))]) >= ANCHOR_COSINE:
        return Reason("similar_to", anchor_item_id=int(anchors[int(np.argmax(weighted))]))
    if item_genres:
        genre = max(item_genres, key=lambda g: (genre_affinity.get(g, 0.0), -item_genres.index(g)))
        return Reason("top_in_genre", genre=genre)
    return Reason("similar_users")
