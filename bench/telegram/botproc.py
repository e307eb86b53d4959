"""One bot process for the bench: moviebot's Telegram adapter, or a trivial echo bot, on the same settings.

Run by `bench.telegram.run`, in its own process so the fake Bot API and the
simulated users do not share (and slow down) the bot's event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import AIORateLimiter, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from adapters.telegram.app import application_builder, build_application, run_application
from bot.bootstrap import build, settle_heap
from bot.config import load_config

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("🔁 Again", callback_data="again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back with one button."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text[:4000], reply_markup=AGAIN)


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the message in place, as moviebot does."""
    query = update.callback_query
    assert query is not None
    await query.answer("again")
    await query.edit_message_text(f"pressed at {asyncio.get_running_loop().time():.6f}", reply_markup=AGAIN)


async def main(kind: str, base_url: str, token: str, database_url: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    config = load_config(
        env={"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": base_url}
    )
    # Telegram's flood limits throttle both bots alike; the fake has none, so measure the bots themselves.
    limiter: Any = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    if kind == "echo":
        app = application_builder(config, rate_limiter=limiter).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        app.add_handler(CallbackQueryHandler(again))
    else:
        runtime = await build(config)
        app = build_application(runtime.core, config, rate_limiter=limiter)
    settle_heap()  # as `moviebot run` does; harmless for the echo bot's small heap
    await run_application(app, config, poll_timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["echo", "moviebot"])
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("database_url")
    args = parser.parse_args()
    asyncio.run(main(args.kind, args.base_url, args.token, args.database_url))
