"""Typed button actions and the one codec that turns them into payloads and back.

Payloads look like `v1:<op>:<arg>...`, ASCII only, at most 64 bytes (Telegram's
callback_data limit, well under Discord's 100-character custom_id). They are
untrusted input: decoding fullmatches one pattern, checks every range and
raises StaleAction for anything forged, garbled, truncated or from another
version. A payload never says *who* acts: that is always the presser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from domain.errors import StaleAction
from domain.models import MAX_STARS, MIN_STARS

VERSION = "v1"
MAX_PAYLOAD_BYTES = 64
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
TOKEN_PATTERN = r"[A-Za-z0-9]{10}"


class ListName(str, Enum):
    """Lists a page button can page through."""

    SEARCH = "s"
    FAVORITES = "f"
    WATCHLIST = "w"
    WATCHED = "wd"
    HISTORY = "h"
    TRENDING = "t"
    UPCOMING = "u"
    RECOMMEND = "r"


class MovieOp(str, Enum):
    """Things a button can do to one movie."""

    OPEN = "m"
    FAVORITE = "fa"
    UNFAVORITE = "fr"
    WATCHLIST_ADD = "wa"
    WATCHLIST_REMOVE = "wr"
    WATCHED = "ww"
    RATE_PICKER = "rp"
    REVIEW_PROMPT = "rw"
    SHARE = "sh"
    SIMILAR = "sm"  # more like this
    DISMISS = "dx"  # not interested
    PICK = "pk"  # onboarding: "I like this one"
    SNOOZE = "sz"  # a nudge's "⏰ Snooze 2 weeks"


class Setting(str, Enum):
    """Settings with a button: switches flip, the others open a picker (or ask, for the timezone)."""

    REMINDERS = "rem"  # release-day reminders
    WEEKLY = "wk"
    NUDGES = "nd"
    DAY = "dy"
    HOUR = "hr"
    QUIET = "qt"
    TIMEZONE = "tz"
    OPT_IN = "in"  # /start's "Weekly picks on Fridays at 18:00 your time?"
    MENU = "mn"  # back to the settings screen


SWITCHES = frozenset({Setting.REMINDERS, Setting.WEEKLY, Setting.NUDGES})
CHOICES = {Setting.DAY: 7, Setting.HOUR: 24, Setting.QUIET: 5}  # how many values each picker offers


@dataclass(frozen=True, slots=True)
class MovieAction:
    op: MovieOp
    movie_id: int


@dataclass(frozen=True, slots=True)
class RateAction:
    movie_id: int
    stars: int


@dataclass(frozen=True, slots=True)
class PageAction:
    """Show page `page` of a list; `token` names stored filter or query text."""

    list: ListName
    page: int
    token: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewsPage:
    movie_id: int
    page: int


@dataclass(frozen=True, slots=True)
class ToggleSetting:
    setting: Setting


@dataclass(frozen=True, slots=True)
class ChooseSetting:
    """A picker's value: a weekday (0 = Monday), an hour, or a quiet-hours preset."""

    setting: Setting
    value: int


Action = MovieAction | RateAction | PageAction | ReviewsPage | ToggleSetting | ChooseSetting

_ID = r"([1-9]\d{0,9})"
_PAGE = r"([1-9]\d{0,5})"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"v1:({'|'.join(o.value for o in MovieOp)}):{_ID}"), "movie"),
    (re.compile(rf"v1:r:{_ID}:([1-5])"), "rate"),
    (re.compile(rf"v1:p:({'|'.join(n.value for n in ListName)}):{_PAGE}(?::({TOKEN_PATTERN}))?"), "page"),
    (re.compile(rf"v1:rv:{_ID}:{_PAGE}"), "reviews"),
    (re.compile(rf"v1:st:({'|'.join(s.value for s in Setting)})"), "setting"),
    (re.compile(rf"v1:sc:({'|'.join(s.value for s in CHOICES)}):(0|[1-9]\d?)"), "choice"),
]


def _check_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise ValueError(f"id out of range: {value}")
    return value


def _check_page(value: int) -> int:
    if not 1 <= value <= MAX_PAGE:
        raise ValueError(f"page out of range: {value}")
    return value


def _check_choice(setting: Setting, value: int) -> int:
    if setting not in CHOICES or not 0 <= value < CHOICES[setting]:
        raise ValueError(f"no choice {value} for {setting}")
    return value


def encode(action: Action) -> str:
    """Payload for an action; raises ValueError for values no decoder would accept."""
    if isinstance(action, MovieAction):
        payload = f"{VERSION}:{action.op.value}:{_check_id(action.movie_id)}"
    elif isinstance(action, RateAction):
        if not MIN_STARS <= action.stars <= MAX_STARS:
            raise ValueError(f"stars out of range: {action.stars}")
        payload = f"{VERSION}:r:{_check_id(action.movie_id)}:{action.stars}"
    elif isinstance(action, PageAction):
        payload = f"{VERSION}:p:{action.list.value}:{_check_page(action.page)}"
        if action.token is not None:
            if not re.fullmatch(TOKEN_PATTERN, action.token):
                raise ValueError(f"bad token {action.token!r}")
            payload += f":{action.token}"
    elif isinstance(action, ReviewsPage):
        payload = f"{VERSION}:rv:{_check_id(action.movie_id)}:{_check_page(action.page)}"
    elif isinstance(action, ToggleSetting):
        payload = f"{VERSION}:st:{action.setting.value}"
    elif isinstance(action, ChooseSetting):
        payload = f"{VERSION}:sc:{action.setting.value}:{_check_choice(action.setting, action.value)}"
    else:
        raise TypeError(f"not an action: {action!r}")
    assert len(payload.encode("ascii")) <= MAX_PAYLOAD_BYTES
    return payload


def decode(payload: object) -> Action:
    """Parse a payload from a button press; anything invalid raises StaleAction."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_BYTES or not payload.isascii():
        raise StaleAction
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(payload)
        if match is None:
            continue
        groups = match.groups()
        try:
            if kind == "movie":
                return MovieAction(MovieOp(groups[0]), _check_id(int(groups[1])))
            if kind == "rate":
                return RateAction(_check_id(int(groups[0])), int(groups[1]))
            if kind == "page":
                return PageAction(ListName(groups[0]), _check_page(int(groups[1])), groups[2])
            if kind == "reviews":
                return ReviewsPage(_check_id(int(groups[0])), _check_page(int(groups[1])))
            if kind == "choice":
                setting = Setting(groups[0])
                return ChooseSetting(setting, _check_choice(setting, int(groups[1])))
            return ToggleSetting(Setting(groups[0]))
        except ValueError:
            raise StaleAction from None
    raise StaleAction
