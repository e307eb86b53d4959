"""aiosqlite connections that run each SQL statement in one trip to the database thread.

aiosqlite keeps each SQLite connection on its own thread and hands it work
through a queue. SQLAlchemy's aiosqlite adapter makes four such trips per
statement (open a cursor, execute, fetch the rows, close the cursor). Each
trip wakes a thread and then the event loop, and at chat-bot load that costs
more than the indexed read itself. These connections do the whole statement
(execute, fetch every row, close) in one trip, and send a transaction's BEGIN
with its first statement. SQLAlchemy then reads the rows
from memory, as its adapter already does for ordinary (not server-side)
cursors.

SQLAlchemy picks this up through aiosqlite's `async_creator_fn` connect
argument (see `storage.database`). Only what SQLAlchemy's adapter calls on a
cursor is provided.
"""

from __future__ import annotations

import re
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self

import aiosqlite

Description = tuple[tuple[Any, ...], ...] | None
_BEGIN = re.compile(r"BEGIN( DEFERRED| IMMEDIATE| EXCLUSIVE)?( TRANSACTION)?", re.IGNORECASE)


def _cursor(connection: aiosqlite.Connection, begin: str | None) -> sqlite3.Cursor:
    """On the database thread: begin the transaction if one is pending, and open a cursor."""
    if begin is not None:
        connection._conn.execute(begin)
    return connection._conn.cursor()


def _run(
    connection: aiosqlite.Connection, begin: str | None, sql: str, parameters: Any
) -> tuple[Description, int, int | None, list[Any]]:
    """On the database thread: execute one statement and collect everything SQLAlchemy will ask for."""
    cursor = _cursor(connection, begin)
    try:
        cursor.execute(sql, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _run_many(
    connection: aiosqlite.Connection, begin: str | None, sql: str, seq_of_parameters: Iterable[Any]
) -> tuple[int, int | None]:
    cursor = _cursor(connection, begin)
    try:
        cursor.executemany(sql, seq_of_parameters)
        return cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


async def _on_thread(connection: OneTripConnection, work: Callable[..., Any], *args: Any) -> Any:
    """One trip: queue `work(connection, *args)` on the connection's thread and wait for its result."""
    return await connection._execute(work, connection, *args)  # type: ignore[no-untyped-call]


class PrefetchingCursor:
    """A cursor whose results arrive with the execute call; fetching never leaves the event loop."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = None) -> PrefetchingCursor:
        if _BEGIN.fullmatch(sql) and not parameters:
            self._connection.pending_begin = sql  # sent with the transaction's first statement
            self.description, self.rowcount, self.lastrowid, self._rows = None, -1, None, deque()
            return self
        begin = self._connection.take_pending_begin()
        self.description, self.rowcount, self.lastrowid, rows = await _on_thread(
            self._connection, _run, begin, sql, parameters
        )
        self._rows = deque(rows)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> PrefetchingCursor:
        self.description, self._rows = None, deque()
        begin = self._connection.take_pending_begin()
        self.rowcount, self.lastrowid = await _on_thread(self._connection, _run_many, begin, sql, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), self.arraysize if size is None else size)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def nextset(self) -> None:
        """SQLite has one result set per statement."""

    async def setinputsizes(self, *sizes: Sequence[Any]) -> None:
        """Ignored, as sqlite3 does."""

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, with cursors that execute and fetch in one trip.

    A `BEGIN` is held back and sent in the same trip as the transaction's first
    statement; a transaction that ends before any statement never reaches SQLite,
    and ending one that is not open costs no trip.
    """

    pending_begin: str | None = None

    def take_pending_begin(self) -> str | None:
        begin, self.pending_begin = self.pending_begin, None
        return begin

    def cursor(self) -> PrefetchingCursor:  # type: ignore[override]  # SQLAlchemy enters it with `async with`
        return PrefetchingCursor(self)

    async def commit(self) -> None:
        self.pending_begin = None
        if self._conn.in_transaction:  # SQLAlchemy also ends transactions that never ran a statement
            await super().commit()

    async def rollback(self) -> None:
        self.pending_begin = None
        if self._conn.in_transaction:  # e.g. the pool's reset after a commit: nothing to undo, no trip
            await super().rollback()


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Like `aiosqlite.connect`, returning a OneTripConnection (awaitable: awaiting it opens the database)."""

    def connector() -> sqlite3.Connection:
        # The event loop reads `in_transaction` (a flag SQLite keeps; safe from any thread) while the thread is idle.
        connection: sqlite3.Connection = sqlite3.connect(database, **{**kwargs, "check_same_thread": False})
        return connection

    connection = OneTripConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never keep the process alive
    return connection
