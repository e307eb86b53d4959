"""SQLite through storage.sqlite_driver behaves as SQLAlchemy's aiosqlite dialect promises.

Each statement now runs in one trip to the database thread; these check the
parts of the DB-API that SQLAlchemy reads back after a statement (rows,
rowcount, errors, executemany) and that a failed statement leaves the
connection usable.
"""

from __future__ import annotations

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
    async with db.writer.begin() as conn:
        inserted = (await conn.execute(insert(GenreRow).values(name="Zz Test").returning(GenreRow.id))).scalar_one()
        changed = await conn.execute(update(GenreRow).where(GenreRow.id == inserted).values(name="Zz Renamed"))
        assert changed.rowcount == 1
        rows = (await conn.execute(select(GenreRow.name).where(GenreRow.name.like("Zz%")))).scalars().all()
        assert rows == ["Zz Renamed"]


async def test_executemany_and_large_results(db: Database) -> None:
    async with db.writer.begin() as conn:
        await conn.execute(insert(GenreRow), [{"name": f"Zz {i:04}"} for i in range(1500)])
        names = (
            (await conn.execute(select(GenreRow.name).where(GenreRow.name.like("Zz %")).order_by(GenreRow.name)))
            .scalars()
            .all()
        )
    assert len(names) == 1500
    assert names[0] == "Zz 0000"
    assert names[-1] == "Zz 1499"


async def test_errors_arrive_as_sqlalchemy_errors_and_the_connection_stays_usable(db: Database) -> None:
    async with db.writer.connect() as conn:
        name = (await conn.execute(select(GenreRow.name).limit(1))).scalar_one()
        with pytest.raises(IntegrityError):
            await conn.execute(insert(GenreRow).values(name=name))  # genre names are unique
        await conn.rollback()
        assert (await conn.execute(text("SELECT 41 + 1"))).scalar_one() == 42


async def test_rolled_back_writes_vanish_and_the_writer_is_free_again(db: Database) -> None:
    async with db.writer.connect() as conn:
        await conn.execute(insert(GenreRow).values(name="Zz Gone"))
        await conn.rollback()
    async with db.writer.begin() as conn:  # the single writer connection, reused: no transaction left open on it
        assert (await conn.execute(select(GenreRow.id).where(GenreRow.name == "Zz Gone"))).first() is None
        await conn.execute(insert(GenreRow).values(name="Zz Kept"))
    async with db.reader.connect() as conn:
        assert (await conn.execute(select(GenreRow.name).where(GenreRow.name.like("Zz%")))).scalars().all() == [
            "Zz Kept"
        ]


async def test_a_read_transaction_keeps_one_snapshot(db: Database) -> None:
    async with db.reader.connect() as reader:
        before = (await reader.execute(select(func.count()).select_from(GenreRow))).scalar_one()
        async with db.writer.begin() as writer:
            await writer.execute(insert(GenreRow).values(name="Zz Later"))
        assert (await reader.execute(select(func.count()).select_from(GenreRow))).scalar_one() == before
        await reader.rollback()
        assert (await reader.execute(select(func.count()).select_from(GenreRow))).scalar_one() == before + 1
