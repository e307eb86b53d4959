"""Text normalisation shared by search, genre matching and title resolution.

Search must be case- and accent-insensitive ("amelie" finds "Amélie") and
ignore punctuation ("spider man" finds "Spider-Man"), so titles and queries are
folded the same way before they are compared.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_ARTICLES = ("the ", "a ", "an ", "le ", "la ", "les ", "l ", "el ", "los ", "las ", "der ", "die ", "das ", "il ")


def normalize(text: str) -> str:
    """Fold case, strip accents and punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().replace("_", " ")
    return " ".join(_NON_WORD.sub(" ", folded).split())


def strip_article(normalized: str) -> str:
    """Drop one leading article so "matrix" matches "The Matrix" exactly."""
    for article in _ARTICLES:
        if normalized.startswith(article) and len(normalized) > len(article):
            return normalized[len(article) :]
    return normalized


def clip(text: str, limit: int) -> str:
    """Shorten text for display without cutting a grapheme's combining marks off."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut.rstrip() + "…"


def clean_user_text(text: str) -> str:
    """Remove control characters (keeping newlines) and trim, for stored free text."""
    # Only control characters go: format characters (ZWJ in emoji, RTL marks) are meaningful.
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return kept.strip()
