"""Content similarity: one TF-IDF vector per item from whatever the catalog knows.

Content is what works when collaborative data does not: a new movie nobody has
rated yet, a new user with three favorites, "more like this" on an obscure
title. Each field gets its own vocabulary and weight, so fifty overview words
cannot drown out the genres, and the whole vector is L2-normalised so a dot
product is a cosine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from domain.recommend.types import ItemFeatures

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_TITLE_STOP = frozenset({"the", "a", "an", "of", "and", "in", "on", "to", "la", "le", "les", "el", "de", "ii", "iii"})


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


_SEQUEL_MARK = re.compile(r"^(?:\d+|[ivx]+|part|chapter|episode|vol|volume|returns|the|a|an)$")


def franchise_key(title: str) -> str | None:
    """Return a key shared by a film and its sequels ("Alien 3", "Godfather: Part II"), or None.

    Drops a subtitle after ":" or " - ", trailing numbers, roman numerals and
    words like "part", and a leading article. Crude on purpose: it only has to
    stop a list from being five entries of one series.
    """
    head = re.split(r":| - | – ", title.casefold(), maxsplit=1)[0]
    words = re.findall(r"\w+", head)
    while words and _SEQUEL_MARK.match(words[-1]):
        words.pop()
    while words and words[0] in ("the", "a", "an"):
        words.pop(0)
    return " ".join(words) or None


def _genre_tokens(item: ItemFeatures) -> list[str]:
    return [g.casefold() for g in item.genres]


def _keyword_tokens(item: ItemFeatures) -> list[str]:
    return [k.casefold() for k in item.keywords]


def _people_tokens(item: ItemFeatures) -> list[str]:
    return [p.casefold() for p in item.people]


def _overview_tokens(item: ItemFeatures) -> list[str]:
    return _tokens(item.overview or "")


def _title_tokens(item: ItemFeatures) -> list[str]:
    # Shared title words are how sequels and franchises show up ("Alien", "Aliens").
    return [t for t in _tokens(item.title) if t not in _TITLE_STOP]


def _era_tokens(item: ItemFeatures) -> list[str]:
    if item.year is None:
        return []
    decade = item.year // 10 * 10
    return [f"decade{decade}", f"lustrum{item.year // 5 * 5}"]


# (field extractor, weight, idf): weights say how much each field counts in a cosine.
_FIELDS: tuple[tuple[Callable[[ItemFeatures], list[str]], float, bool], ...] = (
    (_genre_tokens, 1.0, True),
    (_keyword_tokens, 1.0, True),
    (_people_tokens, 0.6, True),
    (_overview_tokens, 0.5, True),
    (_title_tokens, 0.5, True),
    (_era_tokens, 0.3, False),
)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _field_matrix(docs: list[list[str]], idf: bool) -> sp.csr_matrix | None:
    """Return the L2-normalised TF-IDF matrix of one field, or None if it is empty everywhere."""
    if not any(docs):
        return None
    vectorizer = TfidfVectorizer(analyzer=_identity, use_idf=idf, sublinear_tf=True, norm="l2", dtype=np.float64)
    return sp.csr_matrix(vectorizer.fit_transform(docs))


@dataclass(frozen=True, slots=True)
class ContentIndex:
    """Item content vectors, one row per item index, rows L2-normalised (or zero)."""

    vectors: sp.csr_matrix
    genres: tuple[tuple[str, ...], ...]
    franchises: tuple[str | None, ...]

    @classmethod
    def build(cls, items: Sequence[ItemFeatures]) -> ContentIndex:
        """Vectorise every item's fields and weight them into one cosine space."""
        n = len(items)
        blocks: list[sp.csr_matrix] = []
        for extract, weight, idf in _FIELDS:
            block = _field_matrix([extract(item) for item in items], idf)
            if block is not None:
                blocks.append(block * np.sqrt(weight))
        if blocks:
            vectors = sp.csr_matrix(normalize(sp.hstack(blocks, format="csr"), norm="l2"))
        else:
            vectors = sp.csr_matrix((n, 1), dtype=np.float64)
        return cls(
            vectors=vectors,
            genres=tuple(item.genres for item in items),
            franchises=tuple(franchise_key(item.title) for item in items),
        )

    def profile_scores(self, item_idx: NDArray[np.int64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """Score every item by cosine to the weighted sum of a user's items.

        The profile is kept dense so scoring the catalog is one sparse
        matrix-vector product, the fast path on a 50,000-item catalog.
        """
        n = self.vectors.shape[0]
        if item_idx.size == 0:
            return np.zeros(n)
        profile = np.asarray(self.vectors[item_idx].T @ weights).ravel()
        return np.asarray(self.vectors @ profile).ravel()

    def cosines(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
        """Return the dense cosine matrix between two small sets of items."""
        return np.asarray((self.vectors[rows] @ self.vectors[cols].T).todense())

    def similarity_to(self, item: int) -> NDArray[np.float64]:
        """Return the cosine of every item to one item."""
        return np.asarray((self.vectors @ self.vectors[item].T).todense()).ravel()

    def pairwise(self, idx: NDArray[np.int64]) -> NDArray[np.float64]:
        """Return the dense cosine matrix among a few items (for diversity)."""
        sub = self.vectors[idx]
        return np.asarray((sub @ sub.T).todense())
