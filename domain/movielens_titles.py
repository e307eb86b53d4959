"""Split MovieLens titles into a display title, an original title and a year.

MovieLens writes titles the way library catalogues sort them: the article goes
to the end ("Matrix, The (1999)"), the original-language title follows in
parentheses ("City of Lost Children, The (Cité des enfants perdus, La) (1995)")
and alternative English titles are marked "a.k.a.". People search for and expect
to see "The Matrix", so titles are turned back into their spoken form here,
once, for every MovieLens source.
"""

from __future__ import annotations

import re

# A trailing year, or a year range such as "(2005\u2013 )" or "(1994-1998)" (hyphen,
# en or em dash); the first year is the release year. Years are limited to
# 1800-2099 so a title such as "Number 0042 (0042)" keeps its parenthetical.
_TRAILING_YEAR = re.compile(r"\s*\(\s*((?:18|19|20)\d\d)(?:\s*[-\u2013\u2014]\s*(?:\d{4})?)?\s*\)\Z")
_AKA = re.compile(r"a\.?\s?k\.?\s?a\.?(?:\s|\Z)", re.IGNORECASE)
_TRAILING_WORD = re.compile(r"(?P<rest>.*\S),\s?(?P<word>[^\s,]+)\Z")

# Articles MovieLens moves to the end, in the languages its catalogue uses most.
# Elided forms ("L'") attach to the next word without a space.
_ENGLISH_ARTICLES = frozenset({"the", "a", "an"})
_ARTICLES = _ENGLISH_ARTICLES | frozenset(
    {
        "le", "la", "les", "l'", "l\u2019", "un", "une",  # French
        "el", "los", "las", "una",  # Spanish
        "il", "lo", "gli", "i", "uno",  # Italian
        "der", "die", "das", "ein", "eine",  # German
        "o", "os", "as",  # Portuguese
        "de", "het", "een",  # Dutch
        "den", "det", "en", "ett",  # Scandinavian
    }
)  # fmt: skip


def parse_movielens_title(raw: str) -> tuple[str, str | None, int | None]:
    """Return (display title, original title or None, year or None) for a MovieLens title.

    Never raises: odd input (empty, only a year, unbalanced parentheses) comes
    back as whatever text there is, so an importer can decide to skip it.
    The display title is empty only when the input is blank or nothing but a year.
    """
    text = " ".join(raw.split())
    year: int | None = None
    match = _TRAILING_YEAR.search(text)
    if match:
        year = int(match.group(1))
        text = text[: match.start()]

    original: str | None = None
    while (split := _split_trailing_group(text)) is not None:
        text, group = split
        if original is None and not _AKA.match(group):
            original, _ = _move_article_front(group)

    title, article = _move_article_front(text)
    # "Boot, Das (Boat, The)": when the title itself is foreign, the parentheses
    # hold a translation, not the original title.
    foreign_title = article is not None and article.casefold() not in _ENGLISH_ARTICLES
    if foreign_title or not original or _squash(original) == _squash(title):
        original = None
    return title, original, year


def _move_article_front(title: str) -> tuple[str, str | None]:
    """Turn "Matrix, The" into "The Matrix" (and "Armée des ombres, L'" into "L'Armée des ombres").

    Returns the article that was moved too, as a hint to the title's language.
    """
    match = _TRAILING_WORD.fullmatch(title.strip())
    if not match or match.group("word").casefold() not in _ARTICLES:
        return title.strip(), None
    article, rest = match.group("word"), match.group("rest")
    separator = "" if article.endswith(("'", "\u2019")) else " "
    return f"{article}{separator}{rest}", article


def _split_trailing_group(text: str) -> tuple[str, str] | None:
    """Split "Title (group)" into ("Title", "group"), or None if it does not end so.

    Nested parentheses are matched; a group with nothing before it stays part
    of the title, so peeling never leaves an empty title behind.
    """
    text = text.rstrip()
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                head = text[:index].rstrip()
                return (head, text[index + 1 : -1].strip()) if head else None
    return None


def _squash(text: str) -> str:
    """Fold case and drop everything but letters and digits, to spot a repeated title."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())
