"""A local fake of the Telegram Bot API, strict where Telegram is strict.

An aiohttp server on 127.0.0.1 that python-telegram-bot talks to through its
`base_url`. It keeps chats and messages the way a user would see them, queues
updates that tests push (getUpdates with Telegram's offset semantics and long
polling), records every call, and rejects what Telegram rejects: text over
4,096 or captions over 1,024 UTF-16 code units after entity parsing, HTML it
cannot parse, callback_data over 64 bytes, unknown or twice-answered queries,
edits that change nothing. Tests can script failures (429 with retry_after,
403 for a user who blocked the bot).

Opt-in "Telegram limits" (`FakeBotApi(limits=True)` or `enforce_limits()`):
Telegram's flood control on messages a bot sends (`FLOOD_METHODS`). More than
30 in any sliding second for the bot, or faster than one a second to one chat,
is answered with Telegram's 429 and not recorded. Per chat a burst of
`chat_burst` (default 3) is allowed, as Telegram tolerates a reply split into a
few messages; past it, one a second. `sent` and `flooded` keep the time of each
accepted and refused message, so a bench can compute the rate achieved.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
TOAST_LIMIT = 200
# Parameters PTB sends JSON-encoded inside form fields.
_JSON_FIELDS = {
    "reply_markup",
    "results",
    "commands",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "scope",
    "entities",
    "caption_entities",
    "button",
}

# Methods Telegram's flood control counts as messages sent (lower case, like the handlers' names).
FLOOD_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "sendaudio", "senddocument", "sendvideo", "sendanimation", "sendvoice",
        "sendvideonote", "sendmediagroup", "sendlocation", "sendvenue", "sendcontact", "sendpoll", "senddice",
        "sendsticker", "copymessage", "forwardmessage", "editmessagetext", "editmessagecaption",
        "editmessagereplymarkup", "editmessagemedia",
    }
)  # fmt: skip
BOT_MESSAGES_PER_SECOND = 30
CHAT_MESSAGES_PER_SECOND = 1

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---- Telegram's HTML --------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "a": "text_link", "code": "code",
    "pre": "pre", "tg-spoiler": "spoiler", "blockquote": "blockquote",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _unescape(entity: str) -> str:
    if entity.startswith("#x"):
        return chr(int(entity, 0))
    if entity.startswith("#"):
        return chr(int(entity[1:]))
    return _NAMED[entity]


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and entities (UTF-16 offsets), or raise like Telegram.

    Stricter than Telegram in one way, on purpose: a raw `&` or `>` is an error
    too, so an unescaped dynamic string fails the tests instead of a user's chat.
    """
    out: list[str] = []
    length = 0  # UTF-16 units emitted so far
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0

    def fail(reason: str) -> ApiError:
        offset = len(source[:pos].encode("utf-8"))
        return ApiError(400, f"Bad Request: can't parse entities: {reason} at byte offset {offset}")

    while pos < len(source):
        ch = source[pos]
        if ch == "<":
            match = _TAG.match(source, pos)
            if match is None:
                raise fail("Unsupported start tag")
            closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if name not in _ALLOWED_TAGS:
                raise fail(f'Unsupported start tag "{name}"')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise fail(f'Unexpected end tag "{name}"')
                _, start, attributes = stack.pop()
                if length > start:
                    entity: dict[str, Any] = {"type": _ALLOWED_TAGS[name], "offset": start, "length": length - start}
                    if name == "a":
                        entity["url"] = attributes["href"]
                    entities.append(entity)
            else:
                attributes = {
                    m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(attrs)
                }
                if name == "a" and not re.match(r"^(https?|tg)://", attributes.get("href", "")):
                    raise fail("Can't find href in a tag" if "href" not in attributes else "Wrong HTTP URL")
                attributes = {
                    k: re.sub(r"&(amp|lt|gt|quot);", lambda m: _NAMED[m.group(1)], v) for k, v in attributes.items()
                }
                stack.append((name, length, attributes))
            pos = match.end()
            continue
        if ch == "&":
            match = _ENTITY.match(source, pos)
            if match is None:
                raise fail("Unsupported entity (a raw & must be written &amp;)")
            text = _unescape(match.group(1))
            pos = match.end()
        elif ch == ">":
            raise fail("Unexpected > (must be written &gt;)")
        else:
            text = ch
            pos += 1
        out.append(text)
        length += utf16_len(text)
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# ---- state ------------------------------------------------------------------------------------


@dataclass
class Call:
    """One Bot API request the bot made, and whether it succeeded."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    at: float = field(default_factory=time.monotonic)


@dataclass
class Msg:
    """A message as the fake stores it (bot's or user's)."""

    chat_id: int
    message_id: int
    text: str | None = None  # plain text, entities parsed away
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: str | None = None
    reply_markup: dict[str, Any] | None = None
    from_bot: bool = True
    json: dict[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """What the user reads: text, or the photo's caption."""
        return self.text if self.text is not None else (self.caption or "")

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b for row in rows for b in row]

    def labels(self) -> list[str]:
        return [b["text"] for b in self.buttons()]

    def button(self, label: str) -> dict[str, Any]:
        """The first button whose label starts with `label`."""
        for b in self.buttons():
            if b["text"].startswith(label):
                return b
        raise AssertionError(f"no button {label!r} in {self.labels()}")


@dataclass(frozen=True)
class Sent:
    """A message the bot tried to send under Telegram limits: when it arrived, which method, which chat."""

    at: float
    method: str
    chat_id: int | None


def rate(sent: Sequence[Sent]) -> float:
    """Messages per second over the span from the first to the last (0 for fewer than two)."""
    if len(sent) < 2:
        return 0.0
    span = sent[-1].at - sent[0].at
    return (len(sent) - 1) / span if span > 0 else math.inf


def busiest_second(sent: Sequence[Sent]) -> int:
    """The most messages inside any sliding one-second window."""
    return busiest_window(s.at for s in sent)


def busiest_window(at: Iterable[float]) -> int:
    """The most instants inside any sliding one-second window."""
    times = sorted(at)
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1:
            first += 1
        best = max(best, last - first + 1)
    return best


class FloodControl:
    """Telegram's limits on messages sent: per bot over a sliding second, per chat as a small bucket."""

    def __init__(self, per_second: int, chat_burst: int) -> None:
        self.per_second, self.chat_burst = per_second, chat_burst
        self._recent: deque[float] = deque()  # accepted in the last second
        self._chat_tat: dict[int, float] = {}  # per chat: when its bucket is empty again (GCRA)

    def refusal(self, chat_id: int | None, now: float) -> int | None:
        """Seconds to wait (Telegram's whole retry_after), or None when the message may go."""
        while self._recent and now - self._recent[0] >= 1:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            return max(1, math.ceil(self._recent[0] + 1 - now))
        if chat_id is not None:
            ahead = self._chat_tat.get(chat_id, now) - now
            allowed = (self.chat_burst - 1) / CHAT_MESSAGES_PER_SECOND
            if ahead > allowed:
                return max(1, math.ceil(ahead - allowed))
        return None

    def accept(self, chat_id: int | None, now: float) -> None:
        self._recent.append(now)
        if chat_id is not None:
            self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, now), now) + 1 / CHAT_MESSAGES_PER_SECOND


class FakeBotApi:
    """The fake server: start it, point PTB's base_url at `base_url`, push updates, read what users saw."""

    def __init__(
        self,
        token: str = "123456:TEST-fake-token-ABCdef",
        username: str = "moviebot_test_bot",
        *,
        limits: bool = False,
    ) -> None:
        self.token = token
        self.me = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "MovieBot", "username": username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True,
        }  # fmt: skip
        self.calls: list[Call] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], Msg] = {}
        self.inline_messages: dict[str, Msg] = {}
        self.blocked: set[int] = set()
        self.failures: dict[str, list[ApiError]] = {}
        self.delays: dict[str, list[float]] = {}  # seconds to hold back the answer, after doing the work
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self.callback_queries: dict[str, dict[str, Any] | None] = {}  # id -> answer params (None until answered)
        self.inline_queries: dict[str, dict[str, Any] | None] = {}
        self.listeners: list[Callable[[Call], None]] = []
        self._queue: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.confirmed = 0  # every update_id below this was confirmed by an offset
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0
        self.flood: FloodControl | None = None
        self.sent: list[Sent] = []  # accepted under limits
        self.flooded: list[Sent] = []  # answered 429 by the limits
        if limits:
            self.enforce_limits()

    def enforce_limits(self, per_second: int = BOT_MESSAGES_PER_SECOND, chat_burst: int = 3) -> None:
        """Answer 429 like Telegram past `per_second` messages for the bot or one a second per chat (after a burst)."""
        self.flood = FloodControl(per_second, chat_burst)

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True  # end long polls now rather than at their timeout
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ---- what tests push ----------------------------------------------------------------------

    async def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update of any kind (even ones the bot did not ask for, as Telegram may)."""
        update = {"update_id": next(self._update_ids), kind: payload}
        async with self._changed:
            self._queue.append(update)
            self._changed.notify_all()
        return update

    @property
    def last_update_id(self) -> int:
        return self._queue[-1]["update_id"] if self._queue else self.confirmed - 1

    def chat(self, chat_id: int, kind: str = "private", title: str = "") -> dict[str, Any]:
        chat = {"id": chat_id, "type": kind}
        if title:
            chat["title"] = title
        self.chats.setdefault(chat_id, chat)
        return self.chats[chat_id]

    def user_message(
        self, user: dict[str, Any], chat_id: int, text: str, *, reply_to: Msg | None = None
    ) -> dict[str, Any]:
        """A message a user sends, with the bot_command entity Telegram adds to `/cmd`."""
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chats[chat_id],
            "from": user,
            "text": text,
        }
        command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{1,64})?", text)
        if command:
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}]
        if reply_to is not None:
            msg["reply_to_message"] = reply_to.json
        self.messages[(chat_id, msg["message_id"])] = Msg(
            chat_id, msg["message_id"], text=text, from_bot=False, json=msg
        )
        return msg

    def callback_query(
        self, user: dict[str, Any], message: Msg | None, data: str | None, *, inline_message_id: str | None = None
    ) -> dict[str, Any]:
        query_id = str(next(self._ids) * 7919)
        self.callback_queries[query_id] = None
        query: dict[str, Any] = {"id": query_id, "from": user, "chat_instance": "ci-1"}
        if message is not None:
            query["message"] = message.json
        if inline_message_id is not None:
            query["inline_message_id"] = inline_message_id
        if data is not None:
            query["data"] = data
        return query

    def inline_query(self, user: dict[str, Any], text: str) -> dict[str, Any]:
        query_id = str(next(self._ids) * 104729)
        self.inline_queries[query_id] = None
        return {"id": query_id, "from": user, "query": text, "offset": "", "chat_type": "sender"}

    def choose_inline_result(self, query_id: str, result_id: str) -> Msg:
        """The user picks a result: Telegram posts its message and gives it an inline_message_id."""
        answer = self.inline_queries[query_id]
        assert answer is not None, "inline query not answered"
        result = next(r for r in answer["results"] if r["id"] == result_id)
        content = result["input_message_content"]
        plain, entities = parse_html(content["message_text"])
        inline_id = f"inl-{next(self._ids)}"
        msg = Msg(0, 0, text=plain, entities=entities, reply_markup=result.get("reply_markup"))
        self.inline_messages[inline_id] = msg
        return msg

    def answer_late(self, method: str, seconds: float) -> None:
        """Script the next call of `method` to succeed but answer only after `seconds` (a timeout after delivery)."""
        self.delays.setdefault(method.lower(), []).append(seconds)

    def fail_next(self, method: str, error: ApiError) -> None:
        """Script the next call of `method` to fail (a 429, a 403...)."""
        self.failures.setdefault(method.lower(), []).append(error)

    # ---- reading what happened ----------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def bot_messages(self, chat_id: int) -> list[Msg]:
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id and m.from_bot]

    def last(self, chat_id: int) -> Msg:
        messages = self.bot_messages(chat_id)
        assert messages, f"the bot sent nothing to chat {chat_id}"
        return messages[-1]

    def answer(self, query_id: str) -> dict[str, Any] | None:
        return self.callback_queries[query_id]

    async def wait_confirmed(self, update_id: int, timeout: float = 10) -> None:
        """Wait until the bot confirmed (by a later offset) every update up to `update_id`."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.confirmed > update_id), timeout)

    # ---- the HTTP side ----------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        try:
            scripted = self.failures.get(method.lower())
            if scripted:
                raise scripted.pop(0)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            counted = self.flood is not None and method.lower() in FLOOD_METHODS
            if counted:
                self._flood_check(method, params)
            result = await handler(params)
            if counted:
                self._flood_accept(method, params)
            delays = self.delays.get(method.lower())
            if delays:
                await asyncio.sleep(delays.pop(0))
        except ApiError as err:
            call.ok = False
            body: dict[str, Any] = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
            self._notify(call)
            return web.json_response(body, status=err.code)
        self._notify(call)
        return web.json_response({"ok": True, "result": result})

    def _flood_check(self, method: str, params: dict[str, Any]) -> None:
        assert self.flood is not None
        now, chat_id = time.monotonic(), self._int(params, "chat_id")
        wait = self.flood.refusal(chat_id, now)
        if wait is not None:
            self.flooded.append(Sent(now, method, chat_id))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _flood_accept(self, method: str, params: dict[str, Any]) -> None:
        # The handlers do their work without awaiting, so nothing ran between the check and this.
        assert self.flood is not None
        now, chat_id = time.monotonic(), self._int(params, "chat_id")
        self.flood.accept(chat_id, now)
        self.sent.append(Sent(now, method, chat_id))

    def _notify(self, call: Call) -> None:
        for listener in self.listeners:
            listener(call)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw: dict[str, Any] = await request.json()
        else:
            raw = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        return {k: json.loads(v) if k in _JSON_FIELDS and isinstance(v, str) else v for k, v in raw.items()}

    @staticmethod
    def _int(params: dict[str, Any], key: str) -> int | None:
        value = params.get(key)
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {key} specified") from None

    def _chat_for_send(self, params: dict[str, Any]) -> int:
        chat_id = self._int(params, "chat_id")
        if chat_id is None or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _formatted(
        params: dict[str, Any], key: str, limit: int, *, required: bool
    ) -> tuple[str | None, list[dict[str, Any]]]:
        source = params.get(key)
        if source is None or source == "":
            if required:
                raise ApiError(400, "Bad Request: message text is empty")
            return None, []
        if str(params.get("parse_mode", "")).upper() == "HTML":
            plain, entities = parse_html(source)
        else:
            plain, entities = source, []
        if required and not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > limit:
            raise ApiError(
                400,
                "Bad Request: message caption is too long" if key == "caption" else "Bad Request: message is too long",
            )
        return plain, entities

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if "force_reply" in markup:
            return markup  # type: ignore[no-any-return]
        rows = markup.get("inline_keyboard")
        if not isinstance(rows, list):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                kinds = [
                    k
                    for k in ("url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat", "pay")
                    if k in button
                ]
                if len(kinds) != 1:
                    raise ApiError(
                        400, "Bad Request: can't parse inline keyboard button: exactly one optional field must be used"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"^(https?|tg)://", button["url"]):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup  # type: ignore[no-any-return]

    def _store(self, chat_id: int, **content: Any) -> dict[str, Any]:
        msg = Msg(chat_id, self._next_message_id(chat_id), **content)
        self._refresh_json(msg)
        self.messages[(chat_id, msg.message_id)] = msg
        return msg.json

    def _refresh_json(self, msg: Msg) -> None:
        data: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self.chats.get(msg.chat_id, {"id": msg.chat_id, "type": "private"}),
            "from": self.me,
        }
        if msg.photo is not None:
            data["photo"] = [
                {"file_id": f"ph{msg.message_id}", "file_unique_id": f"u{msg.message_id}", "width": 300, "height": 450}
            ]
            if msg.caption is not None:
                data["caption"] = msg.caption
            if msg.entities:
                data["caption_entities"] = msg.entities
        else:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.reply_markup is not None and "inline_keyboard" in msg.reply_markup:
            data["reply_markup"] = msg.reply_markup
        msg.json = data

    def _target(self, params: dict[str, Any]) -> Msg:
        inline_id = params.get("inline_message_id")
        if inline_id is not None:
            found = self.inline_messages.get(inline_id)
        else:
            chat_id, message_id = self._int(params, "chat_id"), self._int(params, "message_id")
            found = self.messages.get((chat_id or 0, message_id or 0))
        if found is None or not found.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        return found

    def _edited(self, msg: Msg, params: dict[str, Any]) -> dict[str, Any] | bool:
        self._refresh_json(msg)
        return True if "inline_message_id" in params else msg.json

    # ---- methods ----------------------------------------------------------------------------

    async def _m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.me

    async def _m_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = self._int(params, "offset") or 0
        limit = min(max(self._int(params, "limit") or 100, 1), 100)
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"]
        async with self._changed:
            if offset > 0:
                # Telegram: an offset confirms every update with a smaller id; they are gone for good.
                self._queue = [u for u in self._queue if u["update_id"] >= offset]
                self.confirmed = max(self.confirmed, offset)
            elif offset < 0:
                self._queue = self._queue[offset:]
            self._changed.notify_all()
            if not self._queue and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._queue) or self._closing), timeout)
            return self._queue[:limit]

    async def _m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_for_send(params)
        text, entities = self._formatted(params, "text", TEXT_LIMIT, required=True)
        return self._store(chat_id, text=text, entities=entities, reply_markup=self._markup(params))

    async def _m_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_for_send(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption, entities = self._formatted(params, "caption", CAPTION_LIMIT, required=False)
        return self._store(chat_id, caption=caption, entities=entities, photo=photo, reply_markup=self._markup(params))

    async def _m_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        msg = self._target(params)
        if msg.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._formatted(params, "text", TEXT_LIMIT, required=True)
        markup = self._markup(params)
        if (text, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        msg.text, msg.entities, msg.reply_markup = text, entities, markup
        return self._edited(msg, params)

    async def _m_editmessagecaption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        msg = self._target(params)
        if msg.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._formatted(params, "caption", CAPTION_LIMIT, required=False)
        markup = self._markup(params)
        if (caption, entities, markup) == (msg.caption, msg.entities, msg.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        msg.caption, msg.entities, msg.reply_markup = caption, entities, markup
        return self._edited(msg, params)

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        msg = self._target(params)
        markup = self._markup(params)
        if markup == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        msg.reply_markup = markup
        return self._edited(msg, params)

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self.callback_queries or self.callback_queries[query_id] is not None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text") or "") > TOAST_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_queries[query_id] = params
        return True

    async def _m_answerinlinequery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("inline_query_id")
        if query_id not in self.inline_queries or self.inline_queries[query_id] is not None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        results = params.get("results") or []
        ids = [r.get("id", "") for r in results]
        if len(results) > 50 or len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            self._formatted(content, "message_text", TEXT_LIMIT, required=True)
            self._markup(result)
        self.inline_queries[query_id] = params
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for c in commands:
            if (
                not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", ""))
                or not 1 <= len(c.get("description", "")) <= 256
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands = commands
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._queue.clear()
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> bool:
        url, secret = params.get("url", ""), params.get("secret_token")
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = params if url else None
        return True
