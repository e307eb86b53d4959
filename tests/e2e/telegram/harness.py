"""Drive moviebot on the real python-telegram-bot against the fake Bot API, like users would.

`running` starts the adapter exactly as production does (`run_application` by
long polling or webhook, config from an environment mapping); users type, press
buttons and query inline; `drain` waits until every pushed update was fetched
and fully handled, so assertions never race the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from adapters.telegram.app import AnyApplication, build_application, run_application
from bot.config import Config, load_config
from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import FakeBotApi, Msg


def telegram_config(fake: FakeBotApi, database_url: str, **env: str) -> Config:
    """A Config as production reads it, pointed at the fake through TELEGRAM_API_BASE_URL."""
    return load_config(
        env={
            "DATABASE_URL": database_url,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_FILE_BASE_URL": f"http://127.0.0.1:{fake.port}/file/bot",
            **env,
        }
    )


@dataclass
class Harness:
    """The running adapter plus the fake it talks to."""

    fake: FakeBotApi
    app: AnyApplication
    bot: Driver

    async def drain(self, update: dict[str, Any], *, webhook: bool = False) -> None:
        """Wait until `update` (and everything before it) was fetched and handled."""
        if not webhook:
            await self.fake.wait_confirmed(update["update_id"])
        await asyncio.wait_for(self.app.update_queue.join(), 10)

    def user(self, user_id: int, first_name: str, last_name: str = "") -> TgUser:
        return TgUser(
            self,
            {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                **({"last_name": last_name} if last_name else {}),
            },
        )


@dataclass
class TgUser:
    """A Telegram user driving the bot; by default in their private chat."""

    h: Harness
    json: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.json["id"])

    async def say(self, text: str, *, chat_id: int | None = None, reply_to: Msg | None = None) -> Msg:
        """Send a message and wait for the bot; returns the bot's latest message in that chat."""
        chat = chat_id or self.id
        if chat == self.id:
            self.h.fake.chat(chat)
        update = await self.h.fake.push("message", self.h.fake.user_message(self.json, chat, text, reply_to=reply_to))
        await self.h.drain(update)
        return self.h.fake.last(chat) if self.h.fake.bot_messages(chat) else Msg(chat, 0)

    async def press(
        self, message: Msg, label: str | None = None, *, data: str | None = None, inline_message_id: str | None = None
    ) -> dict[str, Any]:
        """Tap a button (by label, or forged `data`); returns the answerCallbackQuery parameters."""
        payload = message.button(label)["callback_data"] if label is not None else data
        query = self.h.fake.callback_query(
            self.json, None if inline_message_id else message, payload, inline_message_id=inline_message_id
        )
        update = await self.h.fake.push("callback_query", query)
        await self.h.drain(update)
        answer = self.h.fake.answer(query["id"])
        assert answer is not None, "the callback query was not answered"
        return answer

    async def inline(self, text: str) -> tuple[str, dict[str, Any]]:
        """Type `@bot text` somewhere; returns the query id and the answerInlineQuery parameters."""
        query = self.h.fake.inline_query(self.json, text)
        update = await self.h.fake.push("inline_query", query)
        await self.h.drain(update)
        answer = self.h.fake.inline_queries[query["id"]]
        assert answer is not None, "the inline query was not answered"
        return query["id"], answer


@contextlib.asynccontextmanager
async def running(bot: Driver, config: Config, fake: FakeBotApi) -> AsyncIterator[Harness]:
    """Run the adapter as production does until the block ends."""
    app = build_application(bot.core, config)
    task = asyncio.create_task(run_application(app, config, poll_timeout=5))
    try:
        for _ in range(500):
            if app.running and (config.telegram.mode == "webhook" or fake.calls_to("getUpdates")):
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        else:
            raise TimeoutError("the adapter did not start")
        yield Harness(fake, app, bot)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
