"""Ports: what the application needs from storage and catalogs, as Protocols.

storage/ and adapters/tmdb implement these; bot/ depends only on them, so tests
and alternative backends can stand in without the application noticing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from domain.models import (
    Activity,
    Analytics,
    ChangeOutcome,
    ClaimedMessage,
    Identity,
    ListedMovie,
    MessageStatus,
    Movie,
    MovieDraft,
    MovieStatus,
    Page,
    PendingPrompt,
    PlannedMessage,
    Profile,
    RatingStats,
    Review,
    ScheduledUser,
    Signal,
    UpsertOutcome,
    User,
    UserSettings,
)
from domain.pacing import Priority
from domain.query import ListFilter, SearchQuery


class UserRepository(Protocol):
    """Users and their platform identities."""

    async def find(self, identity: Identity) -> User | None: ...

    async def get_or_create(self, identity: Identity, display_name: str, now: dt.datetime) -> User: ...

    async def get(self, user_id: int) -> User | None: ...

    async def update_settings(self, user_id: int, settings: UserSettings, now: dt.datetime) -> None:
        """Store the settings and the next scheduled run they give (domain.schedule.next_run after `now`)."""
        ...

    async def set_reachable(self, user_id: int, reachable: bool) -> None: ...


class MovieRepository(Protocol):
    """The local catalog: every movie a user can list, rate or review."""

    async def get(self, movie_id: int) -> Movie | None: ...

    async def get_by_tmdb(self, tmdb_id: int) -> Movie | None: ...

    async def find_by_title(self, title: str, year: int | None) -> list[Movie]: ...

    async def search(self, query: SearchQuery, page: int, page_size: int) -> Page[Movie]: ...

    async def popular(
        self, page: int, page_size: int, genres: Sequence[str] = (), exclude_user: int | None = None
    ) -> Page[Movie]: ...

    async def upsert(self, draft: MovieDraft, now: dt.datetime) -> tuple[Movie, UpsertOutcome]: ...

    async def bulk_insert(self, drafts: Sequence[MovieDraft], now: dt.datetime) -> int: ...

    async def count(self) -> int: ...

    async def all(self) -> list[Movie]: ...

    async def many(self, movie_ids: Sequence[int]) -> dict[int, Movie]: ...

    async def stale_tmdb(self, fetched_before: dt.datetime, limit: int) -> list[Movie]: ...

    async def forget_tmdb(self, movie_id: int, now: dt.datetime) -> None: ...


class LibraryRepository(Protocol):
    """A user's favorites, watchlist, ratings and history."""

    async def add_favorite(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome: ...

    async def remove_favorite(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome: ...

    async def add_to_watchlist(
        self, user_id: int, movie_id: int, now: dt.datetime, note: str | None
    ) -> ChangeOutcome: ...

    async def remove_from_watchlist(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome: ...

    async def mark_watched(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome: ...

    async def snooze(self, user_id: int, movie_id: int, until: dt.datetime) -> ChangeOutcome:
        """No nudge about this unwatched watchlist film before `until`; UNCHANGED when it is not there."""
        ...

    async def rate(self, user_id: int, movie_id: int, stars: int, now: dt.datetime) -> ChangeOutcome: ...

    async def review(self, user_id: int, movie_id: int, text: str, now: dt.datetime) -> bool: ...

    async def status(self, user_id: int, movie_id: int) -> MovieStatus: ...

    async def rating_stats(self, movie_id: int) -> RatingStats: ...

    async def card_facts(self, user_id: int, movie_id: int) -> tuple[RatingStats, MovieStatus]: ...

    async def favorites(self, user_id: int, flt: ListFilter, page: int, page_size: int) -> Page[ListedMovie]: ...

    async def watchlist(
        self, user_id: int, flt: ListFilter, page: int, page_size: int, watched: bool | None
    ) -> Page[ListedMovie]: ...

    async def reviews(self, movie_id: int, page: int, page_size: int) -> Page[Review]: ...

    async def history(self, user_id: int, page: int, page_size: int) -> Page[Activity]: ...

    async def recently_removed_favorites(self, user_id: int, limit: int) -> list[Activity]: ...

    async def profile(self, user_id: int) -> Profile: ...

    async def dismiss(self, user_id: int, movie_id: int, now: dt.datetime) -> ChangeOutcome: ...

    async def signals(self, user_id: int | None = None) -> list[Signal]: ...

    async def analytics(self, since: dt.datetime, limit: int) -> Analytics: ...


class NotificationRepository(Protocol):
    """The scheduled-message ledger (see domain.models.MessageStatus) and whose run is due."""

    async def due_users(self, now: dt.datetime, limit: int) -> list[ScheduledUser]:
        """Users whose `next_run_at` has come, oldest first."""
        ...

    async def advance(self, user_id: int, expected: dt.datetime, next_run_at: dt.datetime | None) -> bool:
        """Move a user's run on; False when another instance already did (it plans that run, not us)."""
        ...

    async def plan(self, messages: Sequence[PlannedMessage], now: dt.datetime) -> int:
        """Add messages to the ledger as queued; ones already there are left alone. Returns how many were new."""
        ...

    async def releases_on(self, user_id: int, day: dt.date, region: str) -> list[int]:
        """Unwatched watchlist films coming out on `day` in `region` (else anywhere) that were added before it."""
        ...

    async def nudge_candidate(self, user_id: int, added_before: dt.datetime, now: dt.datetime) -> int | None:
        """The film longest on the watchlist (since before `added_before`) whose snooze ended, or not nudged since."""
        ...

    async def mark_nudged(self, user_id: int, movie_id: int, now: dt.datetime) -> None: ...

    async def claim_next(self, now: dt.datetime, lease_until: dt.datetime) -> ClaimedMessage | None:
        """Take the oldest queued message whose attempt is due, under a lease; None when there is none."""
        ...

    async def mark_sending(self, message_id: int, now: dt.datetime) -> None:
        """Record that the message is about to leave: from here a dead sender's claim means "may have arrived"."""
        ...

    async def settle(self, message_id: int, status: MessageStatus, now: dt.datetime) -> None: ...

    async def retry_at(self, message_id: int, at: dt.datetime, now: dt.datetime) -> None:
        """Queue a claimed message again for a later attempt (it is known not to have been delivered)."""
        ...

    async def expire(self, now: dt.datetime) -> int:
        """Settle queued messages whose window has closed as expired; returns how many."""
        ...

    async def take_over(self, now: dt.datetime) -> int:
        """Dead senders' claims whose lease ran out: queued again if nothing had left, else settled as unknown.

        Returns how many were settled as unknown.
        """
        ...

    async def prune(self, before: dt.datetime) -> int:
        """Forget settled messages last touched before `before`; returns how many."""
        ...

    async def counts(self, since: dt.datetime) -> dict[MessageStatus, int]:
        """Messages by status, touched since `since` (for logs, tests and the dashboard)."""
        ...


class TokenRepository(Protocol):
    """Free text (a search query, a list filter) kept server-side behind a short token.

    Button payloads must stay under 64 bytes and must not carry user text, so a
    paging button refers to its query by token; tokens expire.
    """

    async def put(self, text: str, now: dt.datetime) -> str: ...

    async def fresh(self, text: str, now: dt.datetime) -> str | None: ...

    async def get(self, token: str, now: dt.datetime) -> str | None: ...


class PromptRepository(Protocol):
    """Pending prompts, one per (user, chat): what the user's next reply answers."""

    async def get(self, user_id: int, chat: str, now: dt.datetime) -> PendingPrompt | None:
        """The unexpired prompt waiting in this chat, if any."""
        ...

    async def put(self, prompt: PendingPrompt) -> None:
        """Ask a new question in this chat (replacing any earlier one)."""
        ...

    async def clear(self, user_id: int, chat: str) -> bool:
        """Forget the prompt of this chat; False when there was none."""
        ...


class UnitOfWork(Protocol):
    """One transaction per intent: everything commits together or not at all."""

    users: UserRepository
    movies: MovieRepository
    library: LibraryRepository
    tokens: TokenRepository
    notifications: NotificationRepository
    prompts: PromptRepository
    writable: bool

    async def commit(self) -> None: ...

    async def restart(self) -> None:
        """End a read-only transaction so the next read sees what other transactions committed."""
        ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work; `write=True` when the intent may change data."""

    def __call__(self, write: bool = False) -> UnitOfWork: ...


class SendBudget(Protocol):
    """One per-bot message budget, shared by every instance that sends with the bot's token.

    The platform limits messages per bot, not per process; `take` is called
    right before each message and returns when it may go out (at once for an
    interactive reply, in turn for a scheduled one; see domain.pacing).
    """

    async def take(self, priority: Priority) -> None: ...
