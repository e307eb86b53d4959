"""A rejected token stops `moviebot run` with one line naming the setting, and no log line ever shows a secret."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from pathlib import Path

from bot.redaction import MASK, install
from tests.e2e.telegram.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[3]
WRONG_TOKEN = "987654:WRONG-token-that-must-never-be-logged"


async def test_a_rejected_token_stops_with_the_setting_named_and_never_logged_even_at_debug(
    fake: FakeBotApi, sqlite_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\nlog_level = "DEBUG"\n')
    env = {
        **os.environ,
        "MOVIEBOT_CONFIG": str(config),
        "DATABASE_URL": sqlite_url,
        "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,  # the fake answers 401 for any token but its own
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_WEBHOOK_SECRET": "webhook-secret-never-logged",
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, err = await asyncio.wait_for(bot.communicate(), 120)
    printed = (out + err).decode()
    assert bot.returncode == 2
    assert "TELEGRAM_BOT_TOKEN was rejected by the Bot API" in printed
    assert "Traceback" not in printed  # one line, not a crash
    assert WRONG_TOKEN not in printed
    assert WRONG_TOKEN.split(":")[1] not in printed
    assert "webhook-secret-never-logged" not in printed


def test_every_secret_is_masked_in_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.redaction")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    install([WRONG_TOKEN, "short"], logger)  # too short to be a secret: never masked
    try:
        logger.warning("The token `%s` was rejected", WRONG_TOKEN)
        url_in_message = f"POST https://api.telegram.org/bot{WRONG_TOKEN}/getMe short"  # as httpx logs it
        logger.warning(url_in_message)
        try:
            raise RuntimeError(f"request to /bot{WRONG_TOKEN}/sendMessage failed")
        except RuntimeError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert WRONG_TOKEN not in text
    assert text.count(MASK) == 3
    assert "getMe short" in text.replace(MASK, "")  # the rest of the line is kept
