"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from storage.threaded import ThreadedSession

# What repositories talk to: an AsyncSession (PostgreSQL) or a ThreadedSession (SQLite), the same calls on both.
SqlSession = AsyncSession | ThreadedSession


def dialect_of(session: SqlSession) -> str:
    bind = session.bind
    assert bind is not None, "sessions come from the engine's sessionmaker, always bound"
    return bind.dialect.name


def upsert_insert(session: SqlSession, table: Table) -> Any:
    """An INSERT that supports ON CONFLICT on the session's backend."""
    return (postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert)(table)


def like_pattern(text: str, prefix: str = "%", suffix: str = "%") -> str:
    """Escape LIKE wildcards in user text so '100%' or '_' match literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{prefix}{escaped}{suffix}"


def contains_all(column: ColumnElement[str] | QueryableAttribute[str], words: list[str]) -> list[ColumnElement[bool]]:
    """One escaped LIKE per word: every word must appear somewhere in the column."""
    return [column.like(like_pattern(word), escape="\\") for word in words]
