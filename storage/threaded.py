"""SQLite through SQLAlchemy's public sync API: a session whose every database call is one worker-thread hop.

SQLAlchemy's async SQLite path (aiosqlite) makes four trips to its thread per
statement; the former custom driver cut that to one by building on
aiosqlite's private attributes. This does the same with public APIs only: a
plain sync `Session` on the pysqlite engine, each call (execute, get, flush,
commit, rollback, close) handed to a thread pool with
`loop.run_in_executor`, results buffered there (`Result.freeze()`) so the
event loop never touches a cursor. A transaction's BEGIN (from the engine's
"begin" event) runs in the same hop as its first statement, and a session
that ran nothing costs no hop at all.

Sessions never wait inside a worker thread: an asyncio gate admits only as
many sessions as the pool has connections (one for the single writer), so a
queued writer waits on the event loop, not in a thread the holder needs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Engine, Result
from sqlalchemy.exc import ResourceClosedError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


def _returns_rows(result: Result[Any]) -> bool:
    """Whether a result has rows to buffer (a CursorResult says so; an ORM bulk insert has no-result metadata)."""
    if isinstance(result, CursorResult):
        return result.returns_rows
    try:
        result.keys()
    except ResourceClosedError:  # what SQLAlchemy raises for a result without rows
        return False
    return True


class ThreadedEngine:
    """A sync engine, the threads its sessions run on, and the gate that keeps them from waiting there."""

    def __init__(self, engine: Engine, connections: int) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=connections, thread_name_prefix="moviebot-sqlite")
        self._gate = asyncio.Semaphore(connections)

    def session(self) -> ThreadedSession:
        return ThreadedSession(self._sessions(), self._executor, self._gate)

    def dispose(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()


class ThreadedSession:
    """The part of AsyncSession the repositories use, over a sync Session in a worker thread.

    The gate is held from a session's first database call until its
    transaction ends (commit, rollback, close), the span in which it holds a
    pooled connection.
    """

    def __init__(self, session: Session, executor: ThreadPoolExecutor, gate: asyncio.Semaphore) -> None:
        self._session = session
        self._executor = executor
        self._gate = gate
        self._admitted = False
        self._last: Future[Any] | None = None  # the latest call handed to a thread

    @property
    def bind(self) -> Engine:
        bind = self._session.get_bind()
        assert isinstance(bind, Engine)
        return bind

    async def _hop(self, work: Callable[[], T]) -> T:
        """Run `work` on a worker thread. A Session is not thread-safe, so a call whose caller was cancelled
        (its thread still running) is waited for before the next one starts."""
        if self._last is not None and not self._last.done():
            with contextlib.suppress(BaseException):
                await asyncio.wrap_future(self._last)
        if not self._admitted:
            await self._gate.acquire()
            self._admitted = True
        self._last = self._executor.submit(work)
        try:
            return await asyncio.wrap_future(self._last)
        except BaseException:
            if not self._session.in_transaction():
                self._leave()
            raise

    def _leave(self) -> None:
        if self._admitted:
            self._admitted = False
            self._gate.release()

    async def execute(
        self, statement: Any, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> Any:
        def run() -> Any:
            result: Result[Any] = self._session.execute(statement, params)
            if not _returns_rows(result):
                return result  # DML without RETURNING: already closed, only its rowcount (if any) is left
            return result.freeze()  # the rows, in memory

        outcome = await self._hop(run)
        return outcome() if not isinstance(outcome, Result) else outcome

    async def get(self, entity: type[T], ident: Any) -> T | None:
        return await self._hop(partial(self._session.get, entity, ident))

    def add(self, instance: object) -> None:
        self._session.add(instance)  # no I/O: the next flush or execute writes it

    async def flush(self) -> None:
        await self._hop(self._session.flush)

    def in_transaction(self) -> bool:
        return self._session.in_transaction()

    async def _end(self, finish: Callable[[], None]) -> None:
        """Commit or roll back (no hop when nothing is open), then let the next session in."""
        try:
            if self._session.in_transaction():
                await self._hop(finish)
        finally:  # even if cancelled: the single writer's thread runs what was queued before anything else
            self._leave()

    async def commit(self) -> None:
        await self._end(self._session.commit)

    async def rollback(self) -> None:
        await self._end(self._session.rollback)

    async def close(self) -> None:
        try:
            if self._admitted:
                await self._hop(self._session.close)
        finally:
            self._leave()
