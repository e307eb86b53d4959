"""Engines, sessions and migrations for SQLite (default) and PostgreSQL.

SQLite allows one writer at a time. Rather than letting concurrent writers race
for the file lock (and fail with "database is locked" when a read transaction
tries to upgrade), writes go through their own engine with a single pooled
connection that opens transactions with BEGIN IMMEDIATE: writers queue in
asyncio, readers keep reading from WAL snapshots. PostgreSQL uses one engine.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.sql import SqlSession
from storage.threaded import ThreadedEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def async_url(url: str) -> str:
    """Pick the async driver for a plain URL: sqlite -> aiosqlite, postgresql -> asyncpg."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
    if parsed.drivername in driver:
        parsed = parsed.set(drivername=driver[parsed.drivername])
    if parsed.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://")
    return parsed.render_as_string(hide_password=False)


def _tune_sqlite(engine: AsyncEngine | Engine, begin: str) -> None:
    """Turn on WAL and foreign keys, and take over BEGIN so writers can say IMMEDIATE."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (pysqlite quirk)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)


class Database:
    """Owns the engines; hands out sessions for reads and for writes."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = async_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            database = make_url(self.url).database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # Sessions: SQLAlchemy's sync API in worker threads, one hop per call (storage.threaded).
            sync_url = make_url(self.url).set(drivername="sqlite+pysqlite")
            threads = {"check_same_thread": False}  # a pooled connection serves whichever worker thread is free
            read = create_engine(sync_url, pool_size=pool_size, max_overflow=10, connect_args=threads)
            write = create_engine(sync_url, pool_size=1, max_overflow=0, connect_args=threads)
            _tune_sqlite(read, "BEGIN")
            _tune_sqlite(write, "BEGIN IMMEDIATE")
            self._threaded: tuple[ThreadedEngine, ThreadedEngine] | None = (
                ThreadedEngine(read, pool_size + 10),
                ThreadedEngine(write, 1),
            )
            # Migrations and maintenance (Alembic's async path): SQLAlchemy's stock aiosqlite adapter.
            self.reader = create_async_engine(self.url, pool_size=1, max_overflow=4)
            self.writer = create_async_engine(self.url, pool_size=1, max_overflow=0, pool_timeout=60)
            _tune_sqlite(self.reader, "BEGIN")
            _tune_sqlite(self.writer, "BEGIN IMMEDIATE")
        else:
            self._threaded = None
            self.reader = self.writer = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True
            )
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False)

    def session(self, write: bool) -> SqlSession:
        """A new session on the engine that suits the intent."""
        if self._threaded is not None:
            return self._threaded[1 if write else 0].session()
        return (self._write_sessions if write else self._read_sessions)()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

    async def upgrade(self) -> None:
        """Apply Alembic migrations up to head, on this database."""
        async with self.writer.connect() as conn:
            await conn.run_sync(_run_upgrade)
            await conn.commit()

    async def dispose(self) -> None:
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()
        for threaded in self._threaded or ():
            await asyncio.to_thread(threaded.dispose)


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """Alembic configuration pointing at our migrations, sharing a connection if given."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _run_upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
