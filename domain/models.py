"""Domain values: what moviebot knows about movies, users and their lists.

These are plain frozen dataclasses so every layer can pass them around without
dragging the ORM or a chat library along; storage maps its rows onto them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_REVIEW_LENGTH = 500
MIN_STARS = 1
MAX_STARS = 5


class Platform(str, Enum):
    """Where a user talks to us from; one user may have several identities."""

    TELEGRAM = "telegram"
    DISCORD = "discord"
    CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class Identity:
    """A user's address on one platform (the platform's own user id)."""

    platform: Platform
    external_id: str


@dataclass(frozen=True, slots=True)
class UserSettings:
    """Preferences a user can change with /settings."""

    language: str = "en"
    timezone: str | None = None  # None: never told us; scheduled messages wait until they do
    region: str = "US"
    # Scheduled messages are opt-in: nothing is sent until the user says yes.
    weekly_picks: bool = False
    release_reminders: bool = False  # a watchlisted film announced on the day it comes out
    nudges: bool = False  # a film long on the watchlist suggested again, at most weekly
    weekly_day: int = 4  # 0 = Monday; weekly picks and nudges come on this local day
    hour: int = 18  # local hour of every scheduled message
    quiet_start: int | None = 22  # no scheduled message from this local hour...
    quiet_end: int | None = 8  # ...until this one (None or equal: no quiet hours)


@dataclass(frozen=True, slots=True)
class User:
    """An internal user; platform identities point at it."""

    id: int
    display_name: str
    settings: UserSettings
    created_at: dt.datetime
    reachable: bool = True


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone who may get scheduled messages: where to reach them and what they asked for."""

    user_id: int
    display_name: str
    settings: UserSettings
    identities: tuple[Identity, ...]
    reachable: bool = True


class MessageKind(str, Enum):
    """Kinds of scheduled message."""

    WEEKLY = "weekly"  # five picks on the user's weekly day
    RELEASE = "release"  # a watchlisted film comes out today
    NUDGE = "nudge"  # a film long on the watchlist, suggested again


class MessageStatus(str, Enum):
    """Where a scheduled message is in its life; the last five are final."""

    QUEUED = "queued"  # waiting for its time or its next attempt
    CLAIMED = "claimed"  # one instance is composing it, under a lease; nothing has left yet
    SENDING = "sending"  # handed to the platform, under a lease
    SENT = "sent"
    UNKNOWN = "unknown"  # the request left and no answer came, or its sender died: never sent again
    UNREACHABLE = "unreachable"  # blocked the bot / DMs closed
    FAILED = "failed"  # composing or sending raised
    EXPIRED = "expired"  # its window closed before it could go
    NOTHING = "nothing"  # nothing to say when its time came (no taste known, film gone)


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """A scheduled message to add to the ledger (unique per user, kind, period and movie)."""

    user_id: int
    kind: MessageKind
    period: str
    due_at: dt.datetime
    window_end: dt.datetime
    movie_id: int = 0  # 0: not about one film


@dataclass(frozen=True, slots=True)
class ScheduledUser:
    """A user whose scheduled run is due, with what they asked for."""

    user_id: int
    settings: UserSettings
    run_at: dt.datetime
    reachable: bool


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A scheduled message this instance holds the lease on and must now send (or settle)."""

    id: int
    kind: MessageKind
    movie_id: int | None
    attempts: int
    window_end: dt.datetime
    recipient: Recipient


@dataclass(frozen=True, slots=True)
class MovieFacts:
    """What is known about a film, whatever its source: shared by drafts and catalog movies."""

    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    tmdb_id: int | None = None
    imdb_id: str | None = None
    movielens_id: int | None = None
    original_title: str | None = None
    release_date: dt.date | None = None
    overview: str | None = None
    poster_path: str | None = None
    runtime: int | None = None
    popularity: float = 0.0
    keywords: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Title with the year, the way people tell same-titled films apart."""
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass(frozen=True, slots=True)
class MovieDraft(MovieFacts):
    """A movie as a source describes it, before it has an internal id.

    Catalog sources (the bundled file, MovieLens imports, TMDb) produce drafts;
    storage upserts them, matching on source ids first, then title + year.
    """

    fetched_at: dt.datetime | None = None  # when fetched from TMDb, whose terms limit how long we keep it
    # (region, date) of the film's release in each country TMDb lists: release-day reminders use the user's.
    release_dates: tuple[tuple[str, dt.date], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Movie(MovieFacts):
    """A movie in our catalog, with its internal id."""

    id: int


@dataclass(frozen=True, slots=True)
class RatingStats:
    """Average stars and how many ratings it is based on."""

    average: float | None
    count: int


@dataclass(frozen=True, slots=True)
class Review:
    """A rating with text, as shown in /reviews."""

    author: str
    stars: int
    text: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ListedMovie:
    """A movie on someone's favorites or watchlist, with list-specific facts."""

    movie: Movie
    added_at: dt.datetime
    watched_at: dt.datetime | None = None
    note: str | None = None
    your_stars: int | None = None


@dataclass(frozen=True, slots=True)
class MovieStatus:
    """Where one movie stands for one user; drives the card's buttons."""

    favorite: bool = False
    on_watchlist: bool = False
    watched: bool = False
    stars: int | None = None
    review: str | None = None


class ActivityKind(str, Enum):
    """Things a user did, recorded append-only in their history."""

    FAVORITE_ADDED = "favorite_added"
    FAVORITE_REMOVED = "favorite_removed"
    WATCHLIST_ADDED = "watchlist_added"
    WATCHLIST_REMOVED = "watchlist_removed"
    WATCHED = "watched"
    RATED = "rated"
    REVIEWED = "reviewed"


class SignalKind(str, Enum):
    """What a user's relation to a movie says about their taste (recommender input)."""

    RATING = "rating"
    FAVORITE = "favorite"
    WATCHLIST = "watchlist"
    WATCHED = "watched"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of taste evidence: who, which movie, what, when (and stars for ratings)."""

    user_id: int
    movie_id: int
    kind: SignalKind
    at: dt.datetime
    stars: int | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """One entry of a user's history."""

    kind: ActivityKind
    movie: Movie
    at: dt.datetime
    detail: str | None = None


class UpsertOutcome(str, Enum):
    """What a catalog upsert did with a draft."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class ChangeOutcome(str, Enum):
    """What an add or remove did, so replies can say 'already in your favorites'."""

    DONE = "done"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Profile:
    """Numbers for /profile."""

    favorites: int
    to_watch: int
    watched: int
    ratings: int
    average_given: float | None
    top_genres: tuple[str, ...]
    member_since: dt.datetime


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list; pages count from 1."""

    items: tuple[T, ...]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1, so an empty list still has page 1)."""
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class Analytics:
    """Admin view of how moviebot is used over a period."""

    since: dt.datetime
    most_favorited: tuple[tuple[Movie, int], ...]
    most_active: tuple[tuple[str, int], ...]  # display name, actions in the period
    top_genres: tuple[tuple[str, int], ...]
    users: int
    active_users: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What a catalog import did, with reasons for anything skipped."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


class PromptKind(str, Enum):
    """What a pending prompt waits for."""

    REVIEW = "review"  # the text of a review, after rating or the ✍ Review button
    TIMEZONE = "timezone"  # a zone name or the local time, from /settings
    OPT_IN = "opt_in"  # the same, after saying yes to weekly picks: the answer also turns them on


@dataclass(frozen=True, slots=True)
class PendingPrompt:
    """A question the bot asked one user in one chat, whose answer is their next reply to it.

    Stored (not kept in a process), so the answer is understood on any instance
    and after a restart; any other command clears it, and it expires.
    """

    user_id: int
    chat: str
    kind: PromptKind
    movie_id: int | None
    expires_at: dt.datetime
