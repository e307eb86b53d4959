"""Scheduled messages on Discord: a nudge arrives by DM and its buttons work through discord.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adapters.discord.client import MovieClient
from adapters.discord.respond import DiscordDelivery
from bot.bootstrap import Runtime
from bot.notifications import NotificationService
from tests.conftest import FakeClock
from tests.driver import Driver
from tests.e2e.discord.fake_discord import UPDATE_MESSAGE, FakeDiscord, button_labels
from tests.e2e.discord.helpers import requester


async def test_a_nudge_by_dm_whose_snooze_and_remove_buttons_work(
    fake: FakeDiscord,
    client: MovieClient,
    movie_bot: Driver,
    runtime: Runtime,
    clock: FakeClock,
    alice: dict[str, Any],
) -> None:
    who = requester(alice)
    clock.now = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
    await movie_bot.settings(who, "timezone Europe/Berlin")
    await movie_bot.settings(who, "nudges on")
    await movie_bot.watch(who, "heat 1995")
    await movie_bot.watch(who, "alien 1979")
    clock.now = dt.datetime(2026, 11, 6, 17, 0, tzinfo=dt.UTC)  # Friday 18:00 in Berlin, five weeks on
    notifier = NotificationService(movie_bot.core, runtime.uow, [DiscordDelivery(client)], clock=clock)
    assert (await notifier.run_due()).sent == 1
    nudge = fake.dms_to(alice["id"])[-1]
    assert nudge["content"].startswith("**⏳ On your watchlist for over 4 weeks")
    assert list(button_labels(nudge)) == ["👁 Watched", "⏰ Snooze 2 weeks", "🗑 Remove"]
    snoozed = await fake.press(nudge, button_labels(nudge)["⏰ Snooze 2 weeks"], alice)
    assert snoozed.callback_type == UPDATE_MESSAGE
    assert "Snoozed: no nudge about it for 2 weeks" in str(snoozed.data)

    clock.now += dt.timedelta(weeks=1)
    assert (await notifier.run_due()).sent == 1  # the other film: the snoozed one waits two weeks
    second = fake.dms_to(alice["id"])[-1]
    removed = await fake.press(second, button_labels(second)["🗑 Remove"], alice)
    assert removed.callback_type == UPDATE_MESSAGE
    watchlist = "\n".join(str(line) for line in (await movie_bot.watchlist(who)).text)
    assert "(1)" in watchlist  # one film left on it
