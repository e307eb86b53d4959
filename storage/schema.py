"""SQLAlchemy table models, kept apart from the domain values they map to.

Unique constraints here (not checks in code) are what make adds idempotent when
the same button is tapped twice at once. Alembic owns the schema: a change here
needs a migration in storage/migrations/versions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no timestamp type and hands back naive values; storing UTC and
    re-attaching the zone on read keeps comparisons and ordering identical to
    PostgreSQL's timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # SQLAlchemy types it as any FromClause (a class may map a join or subquery); every model here maps one
        # Table, and saying so lets insert(), delete() and upsert_insert() take it.
        __table__: ClassVar[Table]


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    display_name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(2), default="US")
    weekly_picks: Mapped[bool] = mapped_column(Boolean, default=False)
    release_reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    nudges: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_day: Mapped[int] = mapped_column(SmallInteger, default=4)
    send_hour: Mapped[int] = mapped_column(SmallInteger, default=18)
    quiet_start: Mapped[int | None] = mapped_column(SmallInteger, default=22)
    quiet_end: Mapped[int | None] = mapped_column(SmallInteger, default=8)
    # The user's next scheduled run (UTC), from domain.schedule.next_run; NULL when they want nothing.
    # Indexed: the planner asks "whose run is due?" without reading everyone who opted in.
    next_run_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class IdentityRow(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_identities_platform_external"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))


class MovieRow(Base):
    __tablename__ = "movies"
    __table_args__ = (
        Index("ix_movies_norm_title", "norm_title"),
        Index("ix_movies_norm_core", "norm_core"),
        Index("ix_movies_popularity", "popularity"),
        Index("ix_movies_year", "year"),
        Index("ix_movies_tmdb_fetched_at", "tmdb_fetched_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    tmdb_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    imdb_id: Mapped[str | None] = mapped_column(String(16), unique=True)
    movielens_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    original_title: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(SmallInteger)
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    overview: Mapped[str | None] = mapped_column(Text)
    poster_path: Mapped[str | None] = mapped_column(String(200))
    runtime: Mapped[int | None] = mapped_column(SmallInteger)
    popularity: Mapped[float] = mapped_column(Float, default=0.0)
    keywords: Mapped[str] = mapped_column(Text, default="")  # "|"-joined; only ever read whole
    # Folded copies for accent- and case-insensitive search (see domain.text.normalize).
    norm_title: Mapped[str] = mapped_column(String(300))
    norm_core: Mapped[str] = mapped_column(String(300))
    norm_all: Mapped[str] = mapped_column(String(700))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # Set when TMDb supplied the row's content; its terms allow keeping that six months at most.
    tmdb_fetched_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ReleaseDateRow(Base):
    """The day a film comes out in one country (TMDb release dates): release-day reminders use the user's region."""

    __tablename__ = "movie_release_dates"

    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    release_date: Mapped[dt.date] = mapped_column(Date)


class GenreRow(Base):
    __tablename__ = "genres"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class MovieGenreRow(Base):
    __tablename__ = "movie_genres"
    __table_args__ = (Index("ix_movie_genres_genre", "genre_id", "movie_id"),)

    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True)
    genre_id: Mapped[int] = mapped_column(ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True)


class FavoriteRow(Base):
    __tablename__ = "favorites"
    __table_args__ = (
        Index("ix_favorites_user_added", "user_id", "added_at"),
        Index("ix_favorites_movie", "movie_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WatchlistRow(Base):
    __tablename__ = "watchlist"
    __table_args__ = (Index("ix_watchlist_user_added", "user_id", "added_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    watched_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(200))
    nudged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # last suggested again
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # "⏰ Snooze": no nudge before


class RatingRow(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_ratings_movie", "movie_id"),
        Index("ix_ratings_user_updated", "user_id", "updated_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    review: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DismissedRow(Base):
    """Movies a user marked "not interested": never recommended again, and negative feedback."""

    __tablename__ = "dismissed"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ScheduledMessageRow(Base):
    """The ledger of scheduled messages, one row per message a user is to get.

    The unique key (user, kind, period, movie) makes each message plannable
    once, whoever plans it; `status` moves queued → claimed → sending → a final
    state, and only the instance whose UPDATE takes a queued row sends it. A
    claim holds a lease: past it (a crashed process), a `claimed` row is queued
    again (nothing had left) and a `sending` row is settled as `unknown` — it
    may have gone out, and twice is worse than never.
    """

    __tablename__ = "scheduled_messages"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "period", "movie_id", name="uq_scheduled_messages_key"),
        Index("ix_scheduled_messages_status_next", "status", "next_attempt_at"),
        Index("ix_scheduled_messages_status_lease", "status", "lease_until"),
        Index("ix_scheduled_messages_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))  # ISO week, or "once" for once-ever messages
    movie_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: not about one film
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    window_end: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class SendBudgetRow(Base):
    """A send budget shared by every instance (see storage.send_budget): when its next message may go."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    tat: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ActivityRow(Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_user_id", "user_id", "id"),
        Index("ix_activity_user_kind_movie", "user_id", "kind", "movie_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    detail: Mapped[str | None] = mapped_column(String(100))


class TokenRow(Base):
    __tablename__ = "action_tokens"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class PromptRow(Base):
    """A question waiting for one user's reply in one chat (see domain.models.PendingPrompt)."""

    __tablename__ = "pending_prompts"

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    chat: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    movie_id: Mapped[int | None] = mapped_column(Id, ForeignKey("movies.id", ondelete="CASCADE"))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
