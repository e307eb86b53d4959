"""SQLite sessions (storage.threaded) behave as the repositories need an AsyncSession to.

They run SQLAlchemy's sync API in worker threads; these check what the
repositories read back after a statement (rows, rowcount, RETURNING,
executemany), that errors arrive as SQLAlchemy's and leave the session usable,
that rollbacks undo, that a read keeps its snapshot, and that writers queue on
the event loop rather than deadlocking the threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.schema import GenreRow


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    yield database
    await database.dispose()


async def test_rows_rowcount_and_returning(db: Database) -> None:
    session = db.session(write=True)
    inserted = (await session.execute(insert(GenreRow).values(name="Zz Test").returning(GenreRow.id))).scalar_one()
    changed = await session.execute(update(GenreRow).where(GenreRow.id == inserted).values(name="Zz Renamed"))
    assert changed.rowcount == 1
    rows = (await session.execute(select(GenreRow.name).where(GenreRow.name.like("Zz%")))).scalars().all()
    assert rows == ["Zz Renamed"]
    await session.commit()
    assert (await session.get(GenreRow, inserted)) is not None
    await session.close()


async def test_executemany_and_large_results(db: Database) -> None:
    session = db.session(write=True)
    await session.execute(insert(GenreRow), [{"name": f"Zz {i:04}"} for i in range(1500)])
    query = select(GenreRow.name).where(GenreRow.name.like("Zz %")).order_by(GenreRow.name)
    names = (await session.execute(query)).scalars().all()
    await session.commit()
    assert len(names) == 1500
    assert names[0] == "Zz 0000"
    assert names[-1] == "Zz 1499"


async def test_errors_arrive_as_sqlalchemy_errors_and_the_session_stays_usable(db: Database) -> None:
    session = db.session(write=True)
    name = (await session.execute(select(GenreRow.name).limit(1))).scalar_one()
    with pytest.raises(IntegrityError):
        await session.execute(insert(GenreRow).values(name=name))  # genre names are unique
    await session.rollback()
    assert (await session.execute(text("SELECT 41 + 1"))).scalar_one() == 42
    await session.close()


async def test_rolled_back_writes_vanish_and_the_writer_is_free_again(db: Database) -> None:
    first = db.session(write=True)
    await first.execute(insert(GenreRow).values(name="Zz Gone"))
    await first.rollback()
    second = db.session(write=True)  # the single writer, free again: this would wait forever otherwise
    assert (await second.execute(select(GenreRow.id).where(GenreRow.name == "Zz Gone"))).first() is None
    await asyncio.wait_for(second.execute(insert(GenreRow).values(name="Zz Kept")), timeout=10)
    await second.commit()
    reader = db.session(write=False)
    assert (await reader.execute(select(GenreRow.name).where(GenreRow.name.like("Zz%")))).scalars().all() == ["Zz Kept"]
    await reader.close()


async def test_a_read_transaction_keeps_one_snapshot(db: Database) -> None:
    reader = db.session(write=False)
    before = (await reader.execute(select(func.count()).select_from(GenreRow))).scalar_one()
    writer = db.session(write=True)
    await writer.execute(insert(GenreRow).values(name="Zz Later"))
    await writer.commit()
    assert (await reader.execute(select(func.count()).select_from(GenreRow))).scalar_one() == before
    await reader.rollback()
    assert (await reader.execute(select(func.count()).select_from(GenreRow))).scalar_one() == before + 1
    await reader.close()


async def test_forty_writers_queue_on_the_event_loop_and_all_commit(db: Database) -> None:
    async def write(i: int) -> None:
        session = db.session(write=True)
        await session.execute(insert(GenreRow).values(name=f"Zz Queue {i:02}"))
        await asyncio.sleep(0)  # give the others a chance to ask for the writer meanwhile
        await session.commit()

    await asyncio.wait_for(asyncio.gather(*(write(i) for i in range(40))), timeout=60)
    reader = db.session(write=False)
    count = select(func.count()).select_from(GenreRow).where(GenreRow.name.like("Zz Queue%"))
    assert (await reader.execute(count)).scalar_one() == 40
    await reader.close()


SLOW = text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c")


async def test_a_cancelled_call_never_leaves_the_writer_taken(db: Database) -> None:
    session = db.session(write=True)
    await session.execute(insert(GenreRow).values(name="Zz Cancelled"))
    slow = asyncio.ensure_future(session.execute(SLOW))
    await asyncio.sleep(0.05)  # the statement is running in its thread
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    await session.rollback()  # waits for the thread, then undoes: a Session is never used by two threads at once
    await session.close()
    other = db.session(write=True)
    await asyncio.wait_for(other.execute(insert(GenreRow).values(name="Zz After")), timeout=10)
    await other.commit()
    names = (await other.execute(select(GenreRow.name).where(GenreRow.name.like("Zz%")))).scalars().all()
    assert names == ["Zz After"]
    await other.close()
