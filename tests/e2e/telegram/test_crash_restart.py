"""kill -9 in the middle of a broadcast, then a restart: nobody gets their weekly picks twice, nobody misses them
(but the one whose request was on the wire at the kill, which is settled as "unknown": never twice).

The real `moviebot run` (python-telegram-bot, APScheduler, the shared send
budget) against the fake Bot API with Telegram's limits on; the process is
killed with SIGKILL while it sends and started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.telegram.fake_bot_api import FakeBotApi
from tests.scheduled_users import make_due, seed_opted_in

USERS = 120
FIRST_CHAT = 7_000_000
LEASE_SECONDS = 3
ROOT = Path(__file__).resolve().parents[3]


def per_chat(fake: FakeBotApi) -> Counter[int]:
    return Counter(
        s.chat_id for s in fake.sent if s.chat_id is not None and FIRST_CHAT <= s.chat_id < FIRST_CHAT + USERS
    )


async def start_bot(fake: FakeBotApi, sqlite_url: str, config: Path, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "MOVIEBOT_CONFIG": str(config),
        "DATABASE_URL": sqlite_url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; raise SystemExit(main(['run']))", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("ab"),
    )  # fmt: skip


async def until(condition: Callable[[], object], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the fake records calls on its own server task
            await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_a_broadcast_killed_mid_run_and_restarted_sends_each_message_exactly_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    fake = FakeBotApi(limits=True)
    for i in range(USERS):
        fake.chat(FIRST_CHAT + i)
    await fake.start()
    config = tmp_path / "config.toml"
    config.write_text(f"[scheduler]\nlease_seconds = {LEASE_SECONDS}\n")
    now = dt.datetime.now(dt.UTC)
    await seed_opted_in(sqlite_url, USERS, FIRST_CHAT, now)
    await make_due(sqlite_url, now)  # due already: the scheduler's first run, at start, sends them
    log = tmp_path / "bot.log"
    bot = await start_bot(fake, sqlite_url, config, log)
    try:
        await until(lambda: len(per_chat(fake)) >= USERS // 3, 60)  # mid-broadcast (about 27 a second)
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        killed_at = len(per_chat(fake))
        assert killed_at < USERS  # really mid-run
        await asyncio.sleep(LEASE_SECONDS + 0.5)  # the dead process's claims expire
        bot = await start_bot(fake, sqlite_url, config, log)  # its first run takes over and carries on
        try:
            await until(lambda: len(per_chat(fake)) >= USERS, 60)
        except TimeoutError:
            pytest.fail(
                f"{len(per_chat(fake))} of {USERS} after the restart; the bot's log:\n{log.read_text()[-4000:]}"
            )
        await asyncio.sleep(2)  # anything sent twice would show up by now
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
        await fake.stop()
    received = per_chat(fake)
    assert max(received.values()) == 1  # no duplicate, ever
    missed = {FIRST_CHAT + i for i in range(USERS)} - set(received)
    # A miss is possible only for the one request in flight when the process died (marked "may have arrived"
    # right before it left): it is settled as unknown, never sent twice, and counted, never silent.
    assert missed <= chats_settled_unknown(sqlite_url)
    assert len(missed) <= 1


def open_messages(sqlite_url: str) -> int:
    """Ledger rows not settled yet."""
    with contextlib.closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM scheduled_messages WHERE status IN ('queued', 'claimed', 'sending')"
        ).fetchone()
    return int(count)


def chats_settled_unknown(sqlite_url: str) -> set[int]:
    with contextlib.closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db:
        rows = db.execute(
            "SELECT i.external_id FROM scheduled_messages m JOIN identities i ON i.user_id = m.user_id"
            " WHERE m.status = 'unknown'"
        ).fetchall()
    return {int(external_id) for (external_id,) in rows}
