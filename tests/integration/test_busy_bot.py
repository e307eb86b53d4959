"""Many people pressing buttons at once, on SQLite and PostgreSQL: every press lands, none waits forever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.actions import MovieAction, MovieOp, encode
from bot.services import Requester
from domain.models import Platform
from storage.database import Database
from storage.uow import SqlUnitOfWorkFactory
from tests.conftest import FakeClock
from tests.driver import Driver, driver_over


@pytest.fixture
async def busy_bot(any_db_url: str, clock: FakeClock) -> AsyncIterator[Driver]:
    db = Database(any_db_url, pool_size=2)  # a small pool: an intent holding two connections would starve it
    yield driver_over(SqlUnitOfWorkFactory(db), clock=clock)
    await db.dispose()


async def test_sixty_people_favoriting_at_once_all_get_their_card(busy_bot: Driver) -> None:
    people = [Requester(Platform.TELEGRAM, str(5000 + i), f"P{i}") for i in range(60)]
    await asyncio.gather(*(busy_bot.start(p) for p in people))
    movie_ids = [1 + i % 7 for i in range(60)]
    cards = await asyncio.wait_for(
        asyncio.gather(
            *(
                busy_bot.press(p, encode(MovieAction(MovieOp.FAVORITE, m)))
                for p, m in zip(people, movie_ids, strict=True)
            )
        ),
        timeout=25,
    )
    assert all(card.toast == "❤ Added to your favorites." for card in cards)
    for person, movie_id in zip(people[:5], movie_ids, strict=False):
        assert (
            await busy_bot.press(person, encode(MovieAction(MovieOp.FAVORITE, movie_id)))
        ).toast == "Already in your favorites."
