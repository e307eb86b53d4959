"""Hostile and unlucky interactions: forged buttons, other people's screens, missing options,
rate limits, closed DMs, failing storage. Each must get a polite, private answer in time."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from adapters.discord.client import MovieClient
from bot.bootstrap import build
from bot.copy import APOLOGY
from bot.notifications import DeliveryOutcome
from bot.reply import Reply, line
from tests.driver import Driver
from tests.e2e.discord.conftest import discord_config, start_client, stop_client
from tests.e2e.discord.fake_discord import CHANNEL_MESSAGE, MODAL_SUBMIT, FakeDiscord, button_labels
from tests.e2e.discord.helpers import reply_text, requester


async def nothing() -> None:
    """A `leaving` hook for deliveries whose ledger row does not matter here."""


def message_with_button(
    fake: FakeDiscord, custom_id: str, owner: dict[str, Any], *, ephemeral: bool = False
) -> dict[str, Any]:
    """A message as if the bot had sent it to `owner`, holding one button with `custom_id`."""
    source = fake.interaction_payload(2, {"name": "movie"}, owner)
    return {
        "id": fake.new_id(),
        "channel_id": fake.channel_id,
        "guild_id": fake.guild_id,
        "author": fake.bot_user,
        "content": "a screen",
        "timestamp": "2026-11-01T12:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 20,
        "flags": 64 if ephemeral else 0,
        "components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Press", "custom_id": custom_id}]}],
        "interaction_metadata": {"id": source["id"], "type": 2, "user": owner, "authorizing_integration_owners": {}},
    }


@pytest.mark.parametrize("custom_id", ["v1:zz:1", "v1:m:0", "v9:m:1", "v1:p:s:1:AAAAAAAAAA", "hello", "x" * 100])
async def test_forged_or_unknown_buttons_are_answered_as_expired(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any], custom_id: str
) -> None:
    pressed = await fake.press(message_with_button(fake, custom_id, alice), custom_id, alice)
    assert pressed.callback_type == CHANNEL_MESSAGE
    assert pressed.ephemeral
    assert "expired" in pressed.data["content"]


async def test_a_forged_select_value_is_expired(fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]) -> None:
    listing = (await fake.slash("trending", alice)).original or {}
    pressed = await fake.press(listing, "mb:open", alice, values=["v1:st:nope"])
    assert pressed.ephemeral
    assert "expired" in pressed.data["content"]


async def test_someone_elses_personal_screen_refuses_politely(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    screen = (await fake.slash("settings", alice)).original or {}
    pressed = await fake.press(screen, button_labels(screen)["🌙 22:00–08:00"], bob)
    assert pressed.callback_type == CHANNEL_MESSAGE
    assert pressed.ephemeral
    assert "belongs to someone else" in pressed.data["content"]
    assert "🌙 22:00–08:00" in button_labels(screen)  # alice's screen is unchanged


async def test_a_missing_required_option_shows_the_usage(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]
) -> None:
    answered = await fake.slash("movie", alice)
    assert answered.ephemeral
    assert answered.data["content"] == "⚠ Usage: /movie <title | #id | tmdb:id>"


async def test_domain_errors_are_private_and_user_safe(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]
) -> None:
    answered = await fake.slash("movie", alice, title="qqqzzzxxyy")
    assert answered.ephemeral
    assert answered.data["content"].startswith("⚠ No movie matches")


async def test_a_storage_failure_is_logged_and_apologised_for(
    fake: FakeDiscord, client: MovieClient, alice: dict[str, Any], sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        db.execute("ALTER TABLE movies RENAME TO movies_gone")
    answered = await fake.slash("trending", alice)
    assert answered.ephemeral
    assert answered.data["content"] == APOLOGY
    assert "movies" in caplog.text
    assert "Traceback" in caplog.text


async def test_a_429_is_retried(fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]) -> None:
    fake.rate_limit("POST", r"/interactions/\d+/[^/]+/callback$", retry_after=0.05)
    answered = await fake.slash("help", alice)
    assert answered.callback_type == CHANNEL_MESSAGE
    assert len(fake.rate_limited) == 1
    assert answered.latency is not None
    assert answered.latency >= 0.05


async def test_closed_dms_mark_the_user_unreachable_and_tell_them_next_time(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    await fake.slash("start", alice)
    await fake.slash("start", bob)
    picks = Reply(text=(line("🎬 Your weekly picks"),))
    assert await client.delivery.deliver(bob["id"], picks, nothing) is DeliveryOutcome.SENT
    assert fake.dms_to(bob["id"])[0]["content"] == "🎬 Your weekly picks"

    fake.closed_dms.add(alice["id"])
    assert await client.delivery.deliver(alice["id"], picks, nothing) is DeliveryOutcome.UNREACHABLE
    await movie_bot.mark_unreachable(requester(alice))  # what the notification service does with that outcome
    assert not await movie_bot.is_reachable(requester(alice))

    answered = await fake.slash("start", alice)
    await fake.until(lambda: answered.followups)
    notice = answered.followups[0]
    assert "DMs are closed" in notice["content"]
    assert notice["flags"] & 64
    assert await movie_bot.is_reachable(requester(alice))
    again = await fake.slash("start", alice)
    assert again.followups == []  # told once


async def test_the_closed_dms_notice_survives_a_restart(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any], sqlite_url: str
) -> None:
    await fake.slash("start", alice)
    await movie_bot.mark_unreachable(requester(alice))  # DMs bounced just before the bot restarted
    await client.close()  # the old process goes away
    restarted = await build(discord_config(fake, sqlite_url, DISCORD_GUILD_IDS=fake.guild_id))  # nothing kept in memory
    new_client, task = await start_client(
        fake, Driver(restarted.core), discord_config(fake, sqlite_url, DISCORD_GUILD_IDS=fake.guild_id)
    )
    try:
        answered = await fake.slash("start", alice)
        await fake.until(lambda: answered.followups)
        assert "DMs are closed" in answered.followups[0]["content"]
    finally:
        await stop_client(new_client, task)
        await restarted.close()


async def test_long_replies_are_split_under_2000_characters(
    fake: FakeDiscord, client: MovieClient, bob: dict[str, Any]
) -> None:
    long = Reply(text=tuple(line(f"{n}. " + "a fairly long line about films " * 3) for n in range(60)))
    assert await client.delivery.deliver(bob["id"], long, nothing) is DeliveryOutcome.SENT
    sent = fake.dms_to(bob["id"])
    assert len(sent) > 1
    assert all(len(m["content"]) <= 2000 for m in sent)
    assert sent[-1]["content"].endswith("59. " + "a fairly long line about films " * 3)  # nothing lost between chunks


async def test_the_fake_enforces_discords_limits(fake: FakeDiscord, client: MovieClient, alice: dict[str, Any]) -> None:
    """The fake itself: a breach is refused with Discord's error and recorded."""
    import aiohttp

    record = await fake.inject(fake.interaction_payload(2, {"name": "nonexistent", "type": 1}, alice), wait=False)
    rows = [
        {"type": 1, "components": [{"type": 2, "style": 2, "label": "x", "custom_id": f"c{i}{j}"} for j in range(6)]}
        for i in range(6)
    ]
    body = {"type": 4, "data": {"content": "x" * 2001, "components": rows}}
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}/api/v10/interactions/{record.id}/{record.token}/callback"
        async with http.post(url, json=body) as response:
            assert response.status == 400
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["code"] == 50035
    assert any("2001 characters" in v for v in fake.violations)
    assert any("6 rows" in v for v in fake.violations)
    assert any("6 buttons" in v for v in fake.violations)
    fake.violations.clear()


async def test_a_review_form_opened_before_a_restart_is_saved_after_it(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any], sqlite_url: str
) -> None:
    typed = await fake.autocomplete("rate", alice, value="matrix")
    ref = next(c["value"] for c in typed.choices if c["name"] == "The Matrix (1999)")
    opened = await fake.slash("rate", alice, guild=False, title=ref, stars=4)
    assert opened.data["custom_id"].startswith("moviebot:review:")
    await client.close()  # the process that showed the form goes away while Alice types
    config = discord_config(fake, sqlite_url, DISCORD_GUILD_IDS=fake.guild_id)
    restarted = await build(config)
    new_client, task = await start_client(fake, Driver(restarted.core), config)
    try:
        text_input = opened.data["components"][0]["components"][0]
        submitted = await fake.submit_modal(opened, {text_input["custom_id"]: "Still mind-bending."}, alice)
        await fake.until(lambda: submitted.callback_type is not None)
        reviews = await movie_bot.reviews(requester(alice), "the matrix 1999")
        assert "Still mind-bending." in "\n".join(str(line) for line in reviews.text)
    finally:
        await stop_client(new_client, task)
        await restarted.close()


async def test_forged_review_forms_get_a_clear_answer_and_change_nothing(
    fake: FakeDiscord, client: MovieClient, movie_bot: Driver, alice: dict[str, Any]
) -> None:
    def form(custom_id: str, text: str) -> dict[str, Any]:
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": "t", "value": text}]}]
        return fake.interaction_payload(MODAL_SUBMIT, {"custom_id": custom_id, "components": rows}, alice, guild=False)

    unknown = await fake.inject(form("moviebot:review:999999999", "Great"))
    assert unknown.data["content"] == "⚠ That movie is no longer in the catalog."
    unrated = await fake.inject(form("moviebot:review:1", "Great"))
    assert "Rate it first" in unrated.data["content"]
    too_long = await fake.inject(form("moviebot:review:1", "x" * 5000))
    assert "at most 500 characters" in too_long.data["content"]
    assert "Activity (0)" in reply_text(await movie_bot.history(requester(alice)))
