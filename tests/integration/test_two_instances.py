"""Two moviebot instances on one database (webhook replicas behind a load balancer).

Each instance has its own in-process caches. These tests pin down what users
see when a message lands on one instance right after the other changed
something: settings are never shown stale or overwritten, reachability comes
back within one cache lifetime, and paging links work anywhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.core import Chat
from bot.services import Requester
from domain.errors import StaleAction
from domain.models import Platform
from storage.database import Database
from storage.read_cache import USER_MAX_ENTRIES, USER_TTL_SECONDS, ReadCache
from storage.uow import SqlUnitOfWorkFactory
from tests.conftest import FakeClock
from tests.driver import Driver, driver_over
from tests.integration.test_intents import press_label, text_of

CAROL = Requester(Platform.TELEGRAM, "3003", "Carol")
PRIVATE = Chat("3003")


class Ticker:
    """A monotonic timer for the caches that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def instances(any_db_url: str, clock: FakeClock, ticker: Ticker) -> AsyncIterator[Callable[[], Driver]]:
    """Make instances: each a Driver with its own engines and caches, on the same database."""
    databases: list[Database] = []

    def make() -> Driver:
        db = Database(any_db_url)
        databases.append(db)
        uow = SqlUnitOfWorkFactory(db, user_cache=ReadCache(USER_TTL_SECONDS, USER_MAX_ENTRIES, timer=ticker))
        return driver_over(uow, clock=clock)

    yield make
    for db in databases:
        await db.dispose()


async def test_settings_show_what_another_instance_just_saved(instances: Callable[[], Driver]) -> None:
    a, b = instances(), instances()
    await a.start(CAROL)  # registers Carol
    assert "Region (release dates, where to watch): US" in text_of(await a.settings(CAROL))  # a caches Carol now
    await b.settings(CAROL, "region DE")
    assert "Region (release dates, where to watch): DE" in text_of(await a.settings(CAROL))


async def test_changes_saved_on_different_instances_both_stick(instances: Callable[[], Driver]) -> None:
    a, b = instances(), instances()
    await a.start(CAROL)
    await a.settings(CAROL)  # a now holds Carol in its cache
    await b.settings(CAROL, "region DE")
    await a.settings(CAROL, "quiet off")  # a's cached copy still says region US: it must not write that back
    shown = text_of(await b.settings(CAROL))
    assert "Region (release dates, where to watch): DE" in shown
    assert "Quiet hours: off" in shown


async def test_a_user_refused_on_one_instance_is_reachable_again_within_one_cache_lifetime(
    instances: Callable[[], Driver], ticker: Ticker
) -> None:
    a, b = instances(), instances()
    await b.start(CAROL)
    await b.search(CAROL, "heat")  # b now holds Carol in its cache
    await a.mark_unreachable(CAROL)  # a's scheduled message was refused (blocked bot)
    assert not await a.is_reachable(CAROL)
    ticker.now += USER_TTL_SECONDS + 1  # b's cached copy of Carol ages out
    await b.search(CAROL, "heat")  # Carol unblocks the bot and writes; the balancer picks b
    assert await a.is_reachable(CAROL)


async def test_the_instance_that_saw_the_refusal_restores_reachability_at_once(instances: Callable[[], Driver]) -> None:
    a = instances()
    await a.start(CAROL)
    await a.search(CAROL, "heat")  # cached
    await a.mark_unreachable(CAROL)
    await a.search(CAROL, "heat")
    assert await a.is_reachable(CAROL)


async def test_paging_links_work_on_any_instance_until_they_expire(
    instances: Callable[[], Driver], clock: FakeClock
) -> None:
    a, b = instances(), instances()
    first = await a.search(CAROL, "star")
    second = await b.press(CAROL, press_label(first, "Next"))
    assert "Results" in text_of(second)
    assert text_of(second) != text_of(first)
    assert text_of(await b.press(CAROL, press_label(first, "Next"))) == text_of(second)  # now remembered by b
    clock.advance(days=31)
    with pytest.raises(StaleAction):
        await b.press(CAROL, press_label(first, "Next"))


async def test_a_review_prompt_asked_on_one_instance_is_answered_on_the_other(instances: Callable[[], Driver]) -> None:
    a, b = instances(), instances()
    rated = await a.rate(CAROL, "heat 1995 4")
    movie_id = rated.awaiting_movie
    assert movie_id is not None
    await a.core.handle_message(
        CAROL, PRIVATE, "/rate heat 1995 4"
    )  # through the conversation, so the prompt is stored
    saved = await b.core.handle_message(CAROL, PRIVATE, "Tense and beautiful", answers=movie_id)
    assert saved is not None
    assert "✍ Review saved for Heat (1995)." in text_of(saved)

    await a.core.handle_message(CAROL, PRIVATE, "/rate the matrix 1999 5")
    searched = await b.core.handle_message(CAROL, PRIVATE, "a plain message")  # not a reply: a search, never a review
    assert searched is not None
    assert "Results" in text_of(searched)
    reviews = await b.reviews(CAROL, "the matrix 1999")
    assert "No written reviews yet" in text_of(reviews)
