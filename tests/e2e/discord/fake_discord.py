"""A local fake of Discord's REST API and gateway, strict about the limits real Discord enforces.

The real discord.py talks to it over HTTP and a websocket on 127.0.0.1. Tests
inject INTERACTION_CREATE events (slash commands, autocomplete, buttons, selects,
modal submits) and read back what the user would see: interaction callbacks
(types 4–9), followups, `@original` edits, channel and DM messages. Every
payload is checked against Discord's limits (3 s to answer, custom_id ≤ 100,
≤ 5 rows of ≤ 5 buttons, ≤ 25 choices, embed sizes, content ≤ 2,000); a breach
is answered with Discord's own error and kept in `violations`, which the test
fixture asserts empty.

Quirks reproduced because discord.py depends on them: JSON responses carry the
content type exactly `application/json` (anything else is read as text), and a
429 carries `Via` plus rate-limit headers, or discord.py treats it as a
Cloudflare ban instead of retrying.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API = "/api/v10"
INITIAL_RESPONSE_SECONDS = 3.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Interaction types and callback types, as Discord numbers them.
PING, APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = (
    4,
    5,
    6,
    7,
    8,
    9,
)
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response whose content type is exactly `application/json`, as discord.py requires."""
    return web.Response(
        status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )


def discord_error(status: int, code: int, message: str, errors: Any = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return json_response(body, status)


# ---- limits ---------------------------------------------------------------------------------


def check_embed(embed: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    limits = {"title": 256, "description": 4096}
    total = 0
    for key, limit in limits.items():
        value = embed.get(key) or ""
        total += len(value)
        if len(value) > limit:
            problems.append(f"{where}.{key} has {len(value)} characters (max {limit})")
    fields = embed.get("fields") or []
    if len(fields) > 25:
        problems.append(f"{where} has {len(fields)} fields (max 25)")
    for i, f in enumerate(fields):
        name, value = f.get("name") or "", f.get("value") or ""
        total += len(name) + len(value)
        if not name or len(name) > 256:
            problems.append(f"{where}.fields[{i}].name must be 1–256 characters")
        if not value or len(value) > 1024:
            problems.append(f"{where}.fields[{i}].value must be 1–1024 characters, got {len(value)}")
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    total += len(footer) + len(author)
    if len(footer) > 2048:
        problems.append(f"{where}.footer.text is too long")
    if len(author) > 256:
        problems.append(f"{where}.author.name is too long")
    if total > 6000:
        problems.append(f"{where} has {total} characters in total (max 6000)")
    return problems


def check_components(rows: list[dict[str, Any]], where: str) -> list[str]:
    problems: list[str] = []
    if len(rows) > 5:
        problems.append(f"{where} has {len(rows)} rows (max 5)")
    seen: set[str] = set()
    for r, row in enumerate(rows):
        items = row.get("components") or []
        if row.get("type") != 1:
            problems.append(f"{where}[{r}] is not an action row")
            continue
        kinds = {c.get("type") for c in items}
        if kinds == {2}:
            if not 1 <= len(items) <= 5:
                problems.append(f"{where}[{r}] has {len(items)} buttons (1–5)")
        elif kinds == {3}:
            if len(items) != 1:
                problems.append(f"{where}[{r}] holds a select menu with other items")
        else:
            problems.append(f"{where}[{r}] mixes component types {sorted(k or 0 for k in kinds)}")
        for c, item in enumerate(items):
            at = f"{where}[{r}][{c}]"
            custom_id = item.get("custom_id")
            if item.get("type") == 2 and item.get("style") == 5:
                if not item.get("url") or custom_id:
                    problems.append(f"{at} is a link button without a url or with a custom_id")
            else:
                if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
                    problems.append(f"{at}.custom_id must be 1–100 characters: {custom_id!r}")
                elif custom_id in seen:
                    problems.append(f"{at}.custom_id {custom_id!r} is not unique")
                seen.add(custom_id or "")
            if item.get("type") == 2 and len(item.get("label") or "") > 80:
                problems.append(f"{at}.label is longer than 80 characters")
            if item.get("type") == 3:
                options = item.get("options") or []
                if not 1 <= len(options) <= 25:
                    problems.append(f"{at} has {len(options)} options (1–25)")
                bad = [
                    o
                    for o in options
                    if not 1 <= len(o.get("label", "")) <= 100 or not 1 <= len(o.get("value", "")) <= 100
                ]
                problems.extend(f"{at} option label/value must be 1–100 characters" for _ in bad)
                if len(item.get("placeholder") or "") > 150:
                    problems.append(f"{at}.placeholder is longer than 150 characters")
    return problems


def check_message(data: dict[str, Any], where: str, *, partial: bool = False) -> list[str]:
    """Problems Discord would report for a message payload (create, or a partial edit)."""
    problems: list[str] = []
    content = data.get("content")
    if content is not None and len(content) > 2000:
        problems.append(f"{where}.content has {len(content)} characters (max 2000)")
    embeds = data.get("embeds") or []
    if len(embeds) > 10:
        problems.append(f"{where} has {len(embeds)} embeds (max 10)")
    for i, embed in enumerate(embeds):
        problems += check_embed(embed, f"{where}.embeds[{i}]")
    problems += check_components(data.get("components") or [], f"{where}.components")
    if not partial and not (content or embeds or data.get("components")):
        problems.append(f"{where} is an empty message")
    return problems


def check_modal(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not 1 <= len(data.get("title") or "") <= 45:
        problems.append(f"modal.title must be 1–45 characters: {data.get('title')!r}")
    if not 1 <= len(data.get("custom_id") or "") <= 100:
        problems.append("modal.custom_id must be 1–100 characters")
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        problems.append(f"modal has {len(rows)} components (1–5)")
    for row in rows:
        for item in row.get("components") or [row.get("component") or {}]:
            if item.get("type") == 4:
                if not 1 <= len(item.get("label") or "") <= 45:
                    problems.append("modal text input label must be 1–45 characters")
                if int(item.get("max_length") or 0) > 4000:
                    problems.append("modal text input max_length is over 4000")
    return problems


def check_choices(choices: list[dict[str, Any]]) -> list[str]:
    problems = [f"autocomplete returned {len(choices)} choices (max 25)"] if len(choices) > 25 else []
    for c in choices:
        if not 1 <= len(c.get("name") or "") <= 100:
            problems.append(f"choice name must be 1–100 characters: {c.get('name')!r}")
        if isinstance(c.get("value"), str) and len(c["value"]) > 100:
            problems.append("choice value longer than 100 characters")
    return problems


# ---- records ---------------------------------------------------------------------------------


@dataclass
class Interaction:
    """One injected interaction and everything the bot did in answer to it."""

    payload: dict[str, Any]
    sent_at: float
    callback: dict[str, Any] | None = None
    callback_at: float | None = None
    original: dict[str, Any] | None = None  # the message @original refers to
    followups: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    original_deleted: bool = False
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def type(self) -> int:
        return int(self.payload["type"])

    @property
    def callback_type(self) -> int | None:
        return self.callback["type"] if self.callback else None

    @property
    def data(self) -> dict[str, Any]:
        """The callback's data: message fields, a modal, or autocomplete choices."""
        return (self.callback or {}).get("data") or {}

    @property
    def latency(self) -> float | None:
        return None if self.callback_at is None else self.callback_at - self.sent_at

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.data.get("choices") or [])

    def messages(self) -> list[dict[str, Any]]:
        """Every message the user ended up seeing for this interaction, original first."""
        found = [] if self.original is None or self.original_deleted else [self.original]
        return found + [m for m in self.followups if m is not self.original]


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The custom_ids of a message's components, in order (select menus included)."""
    return [
        c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components") or []
        if c.get("custom_id")
    ]


def button_labels(message: dict[str, Any]) -> dict[str, str]:
    """Label → custom_id of a message's buttons."""
    return {
        c["label"]: c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components") or []
        if c.get("type") == 2 and c.get("custom_id")
    }


def select_options(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        o
        for row in message.get("components") or []
        for c in row.get("components") or []
        if c.get("type") == 3
        for o in c.get("options") or []
    ]


@dataclass
class Session:
    """One gateway connection (one shard)."""

    ws: web.WebSocketResponse
    compress: bool
    shard: tuple[int, int] = (0, 1)
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    seq: int = 0
    heartbeats: int = 0
    deflate: Any = None

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload)
        if self.compress:
            # zlib-stream: one shared deflate context; every message ends with a sync flush (00 00 ff ff).
            await self.ws.send_bytes(self.deflate.compress(text.encode()) + self.deflate.flush(zlib.Z_SYNC_FLUSH))
        else:
            await self.ws.send_str(text)  # plain text frames: discord.py reads them without decompressing

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.send({"op": 0, "t": event, "s": self.seq, "d": data})


class FakeDiscord:
    """Discord's REST API under /api/v10 and a gateway at /gateway, on 127.0.0.1."""

    def __init__(
        self, *, token: str = "fake-bot-token", shards: int = 1, compress: bool = False, heartbeat_ms: int = 1000
    ) -> None:
        self.token = token
        self.shards = shards
        self.compress = compress
        self.heartbeat_ms = heartbeat_ms
        self._ids = itertools.count(1_300_000_000_000_000_000)
        self.app_id = self.new_id()
        self.bot_user = {
            "id": self.app_id,
            "username": "moviebot",
            "global_name": "moviebot",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
        }
        self.guild_id = self.new_id()
        self.channel_id = self.new_id()
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, Interaction] = {}
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}
        self.dm_channels: dict[str, str] = {}  # user id -> DM channel id
        self.closed_dms: set[str] = set()
        self.violations: list[str] = []
        self.rate_limited: list[str] = []
        self._limits: list[tuple[str, re.Pattern[str], int, float]] = []
        self.sessions: list[Session] = []
        self.requests: list[tuple[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._messages_by_id: dict[str, dict[str, Any]] = {}

    def new_id(self) -> str:
        return str(next(self._ids))

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root without /api (what DISCORD_API_BASE_URL takes)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get(f"{API}/gateway", self._gateway_plain)
        r.add_get(f"{API}/gateway/bot", self._gateway_bot)
        r.add_get(f"{API}/users/@me", self._me)
        r.add_get(f"{API}/oauth2/applications/@me", self._application)
        r.add_get(f"{API}/applications/@me", self._application)
        r.add_put(f"{API}/applications/{{app}}/commands", self._put_commands)
        r.add_put(f"{API}/applications/{{app}}/guilds/{{guild}}/commands", self._put_commands)
        r.add_post(f"{API}/interactions/{{id}}/{{token}}/callback", self._callback)
        r.add_get(f"{API}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._get_webhook_message)
        r.add_patch(f"{API}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._edit_webhook_message)
        r.add_delete(f"{API}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._delete_webhook_message)
        r.add_post(f"{API}/webhooks/{{app}}/{{token}}", self._followup)
        r.add_post(f"{API}/users/@me/channels", self._open_dm)
        r.add_post(f"{API}/channels/{{channel}}/messages", self._channel_message)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def until(self, predicate: Callable[[], object], timeout: float = 5.0) -> None:
        """Wait until `predicate()` is true (the bot works asynchronously)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.005)

    async def connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until `count` gateway sessions have identified and received their guilds."""
        await self.until(lambda: sum(s.identified.is_set() for s in self.sessions) >= count, timeout)

    # ---- fault injection ------------------------------------------------------------------

    def rate_limit(self, method: str, path: str, *, times: int = 1, retry_after: float = 0.05) -> None:
        """Answer the next `times` requests matching `method` and the `path` regex with a 429."""
        self._limits.append((method.upper(), re.compile(path), times, retry_after))

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = request.path
        self.requests.append((request.method, path))
        for i, (method, pattern, times, retry_after) in enumerate(self._limits):
            if method == request.method and pattern.search(path):
                self._limits[i] = (method, pattern, times - 1, retry_after)
                if times - 1 <= 0:
                    del self._limits[i]
                self.rate_limited.append(f"{request.method} {path}")
                headers = {
                    "Via": "1.1 google",  # discord.py retries only when Via is present (else: Cloudflare ban)
                    "Retry-After": str(retry_after),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(retry_after),
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Scope": "user",
                }
                return json_response(
                    {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
                    429,
                    headers,
                )
        needs_auth = path.startswith(API) and not path.startswith((f"{API}/interactions/", f"{API}/webhooks/"))
        if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return discord_error(401, 0, "401: Unauthorized")
        response: web.StreamResponse = await handler(request)
        return response

    def _violation(self, problems: list[str]) -> web.Response | None:
        if not problems:
            return None
        self.violations.extend(problems)
        return discord_error(400, 50035, "Invalid Form Body", problems)

    # ---- REST: bot, application, commands -----------------------------------------------------

    async def _gateway_plain(self, _: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _me(self, _: web.Request) -> web.Response:
        return json_response(self.bot_user)

    async def _gateway_bot(self, _: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit})

    async def _application(self, _: web.Request) -> web.Response:
        return json_response(
            {
                "id": self.app_id,
                "name": "moviebot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": {k: v for k, v in self.bot_user.items() if k != "bot"},
                "team": None,
                "summary": "",
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        body = await request.json()
        guild = request.match_info.get("guild")
        problems = []
        if len(body) > 100:
            problems.append(f"{len(body)} commands (max 100)")
        for c in body:
            if not re.fullmatch(r"[-_\w]{1,32}", c.get("name", "")) or not 1 <= len(c.get("description", "")) <= 100:
                problems.append(f"bad command name or description: {c.get('name')!r}")
            for o in c.get("options", []):
                if not 1 <= len(o.get("description", "")) <= 100:
                    problems.append(f"/{c.get('name')} option {o.get('name')} needs a 1–100 character description")
                if len(o.get("choices") or []) > 25:
                    problems.append(f"/{c.get('name')} option {o.get('name')} has more than 25 choices")
        if (error := self._violation(problems)) is not None:
            return error
        stored = [
            {
                **c,
                "id": self.new_id(),
                "application_id": self.app_id,
                "version": "1",
                **({"guild_id": guild} if guild else {}),
            }
            for c in body
        ]
        self.commands[guild] = stored
        return json_response(stored)

    # ---- gateway ------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = Session(ws=ws, compress=self.compress and request.query.get("compress") == "zlib-stream")
        if session.compress:
            session.deflate = zlib.compressobj()
        self.sessions.append(session)
        await session.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op = payload.get("op")
                if op == 1:
                    session.heartbeats += 1
                    await session.send({"op": 11})
                elif op == 2:
                    await self._identify(session, payload["d"])
        finally:
            self.sessions.remove(session)  # interactions go to live sessions only
        return ws

    async def _identify(self, session: Session, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        session.shard = tuple(data.get("shard") or (0, 1))  # type: ignore[assignment]
        intents = int(data.get("intents") or 0)
        privileged = intents & ((1 << 1) | (1 << 8) | (1 << 15))
        if privileged:
            self.violations.append(f"IDENTIFY asked for privileged intents ({privileged})")
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard_id, count = session.shard
        mine = [g for g in (self.guild_id,) if (int(g) >> 22) % count == shard_id]
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": g, "unavailable": True} for g in mine],
                "session_id": f"session-{self.new_id()}",
                "resume_gateway_url": self.gateway_url,
                "shard": [shard_id, count],
                "application": {"id": self.app_id, "flags": 0},
            },
        )
        for g in mine:
            await session.dispatch("GUILD_CREATE", self.guild_payload(g))
        session.identified.set()

    def guild_payload(self, guild_id: str) -> dict[str, Any]:
        return {
            "id": guild_id,
            "name": "Film Club",
            "icon": None,
            "owner_id": "1",
            "region": "us-west",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [
                {
                    "id": guild_id,
                    "name": "@everyone",
                    "permissions": "1071698660929",
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": _now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": 3,
            "voice_states": [],
            "members": [],
            "channels": [self.channel_payload()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def channel_payload(self) -> dict[str, Any]:
        return {
            "id": self.channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": "movies",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
        }

    # ---- injecting interactions --------------------------------------------------------------

    @staticmethod
    def user(user_id: int | str, name: str) -> dict[str, Any]:
        return {"id": str(user_id), "username": name.lower(), "global_name": name, "discriminator": "0", "avatar": None}

    def dm_channel_of(self, user: dict[str, Any]) -> str:
        if user["id"] not in self.dm_channels:
            self.dm_channels[user["id"]] = self.new_id()
        return self.dm_channels[user["id"]]

    def interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        user: dict[str, Any],
        *,
        guild: bool = True,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        iid = self.new_id()
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": self.app_id,
            "type": kind,
            "data": data,
            "token": f"itoken-{iid}",
            "version": 1,
            "locale": "en-US",
            "attachment_size_limit": 8 * 1024 * 1024,
            "entitlements": [],
            "app_permissions": "1071698660929",
        }
        if guild:
            payload |= {
                "guild_id": self.guild_id,
                "guild_locale": "en-US",
                "channel_id": self.channel_id,
                "channel": self.channel_payload(),
                "member": {
                    "user": user,
                    "roles": [],
                    "joined_at": _now_iso(),
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": "1071698660929",
                },
                "authorizing_integration_owners": {"0": self.guild_id},
                "context": 0,
            }
        else:
            channel = self.dm_channel_of(user)
            payload |= {
                "channel_id": channel,
                "channel": {"id": channel, "type": 1, "recipients": [user]},
                "user": user,
                "authorizing_integration_owners": {"1": user["id"]},
                "context": 1,
            }
        if message is not None:
            payload["message"] = message
        return payload

    def _command_id(self, name: str, guild: bool) -> tuple[str, str | None]:
        for scope in (self.guild_id, None) if guild else (None,):
            for c in self.commands.get(scope, []):
                if c["name"] == name:
                    return c["id"], scope
        return self.new_id(), None

    async def inject(self, payload: dict[str, Any], *, wait: bool = True, timeout: float = 5.0) -> Interaction:
        """Send an INTERACTION_CREATE to the shard that owns it; by default, wait for the callback."""
        record = Interaction(payload=payload, sent_at=0.0)
        self.interactions[record.id] = record
        guild = payload.get("guild_id")
        session = next(
            s
            for s in self.sessions
            if s.identified.is_set()
            and (
                (guild is None and s.shard[0] == 0)
                or (guild is not None and (int(guild) >> 22) % s.shard[1] == s.shard[0])
            )
        )
        record.sent_at = time.perf_counter()
        await session.dispatch("INTERACTION_CREATE", payload)
        if wait:
            await asyncio.wait_for(record.answered.wait(), timeout)
        return record

    async def slash(
        self, name: str, user: dict[str, Any], *, guild: bool = True, wait: bool = True, **options: Any
    ) -> Interaction:
        """Run /name with options (str → string option, int → integer option)."""
        command_id, scope = self._command_id(name, guild)
        opts = [
            {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in options.items() if v is not None
        ]
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1, "options": opts}
        if scope:
            data["guild_id"] = scope
        return await self.inject(self.interaction_payload(APPLICATION_COMMAND, data, user, guild=guild), wait=wait)

    async def autocomplete(
        self,
        name: str,
        user: dict[str, Any],
        *,
        focused: str = "title",
        value: str = "",
        guild: bool = True,
        **others: Any,
    ) -> Interaction:
        command_id, scope = self._command_id(name, guild)
        opts = [{"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in others.items()]
        opts.append({"name": focused, "type": 3, "value": value, "focused": True})
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1, "options": opts}
        if scope:
            data["guild_id"] = scope
        return await self.inject(self.interaction_payload(AUTOCOMPLETE, data, user, guild=guild))

    async def press(
        self,
        message: dict[str, Any],
        custom_id: str,
        user: dict[str, Any],
        *,
        values: list[str] | None = None,
        wait: bool = True,
    ) -> Interaction:
        """Press a button (or choose `values` in a select menu) on a recorded message."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
        if values is not None:
            data["values"] = values
        guild = message.get("guild_id") is not None
        return await self.inject(
            self.interaction_payload(COMPONENT, data, user, guild=guild, message=message), wait=wait
        )

    async def submit_modal(self, opened_by: Interaction, values: dict[str, str], user: dict[str, Any]) -> Interaction:
        """Submit the modal an interaction answered with; text inputs by custom_id."""
        modal = opened_by.data
        rows = [
            {
                "type": 1,
                "components": [
                    {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")}
                    for c in row["components"]
                ],
            }
            for row in modal["components"]
        ]
        data = {"custom_id": modal["custom_id"], "components": rows}
        source = opened_by.payload
        message = source.get("message")
        if message is not None:
            message = self._messages_by_id.get(message["id"], message)
        payload = self.interaction_payload(
            MODAL_SUBMIT, data, user, guild=source.get("guild_id") is not None, message=message
        )
        return await self.inject(payload)

    # ---- REST: interaction responses ------------------------------------------------------------

    def _record_for(self, token: str) -> Interaction | None:
        iid = token.removeprefix("itoken-")
        record = self.interactions.get(iid)
        return record if record is not None and record.token == token else None

    def _message(
        self, record: Interaction | None, data: dict[str, Any], *, channel_id: str | None = None, flags: int = 0
    ) -> dict[str, Any]:
        """A message as Discord returns it, created in answer to `record` (or in a channel)."""
        source = record.payload if record is not None else {}
        message: dict[str, Any] = {
            "id": self.new_id(),
            "channel_id": channel_id or source.get("channel_id"),
            "author": self.bot_user,
            "content": data.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "pinned": False,
            "type": 20 if source.get("type") == APPLICATION_COMMAND else 0,
            "flags": flags,
        }
        if source.get("guild_id"):
            message["guild_id"] = source["guild_id"]
        if record is not None:
            who = (source.get("member") or {}).get("user") or source.get("user")
            message["interaction_metadata"] = {
                "id": record.id,
                "type": record.type,
                "user": who,
                "authorizing_integration_owners": source.get("authorizing_integration_owners", {}),
            }
            message["webhook_id"] = self.app_id
            message["application_id"] = self.app_id
        self._messages_by_id[message["id"]] = message
        return message

    async def _callback(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        record = self._record_for(request.match_info["token"])
        if record is None or record.id != request.match_info["id"]:
            return discord_error(404, 10062, "Unknown interaction")
        body = await request.json()
        kind, data = body.get("type"), body.get("data") or {}
        if record.callback is not None:
            self.violations.append(f"interaction {record.id} answered twice")
            return discord_error(400, 40060, "Interaction has already been acknowledged.")
        if arrived - record.sent_at > INITIAL_RESPONSE_SECONDS:
            self.violations.append(f"interaction {record.id} answered after {arrived - record.sent_at:.2f} s")
            return discord_error(404, 10062, "Unknown interaction")
        problems: list[str] = []
        if kind not in ALLOWED_CALLBACKS.get(record.type, set()):
            problems.append(f"callback type {kind} is not valid for interaction type {record.type}")
        if kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and "message" not in record.payload:
            problems.append(f"callback type {kind} needs a message to update")
        if kind == CHANNEL_MESSAGE:
            problems += check_message(data, "callback")
        elif kind == UPDATE_MESSAGE:
            problems += check_message(data, "callback", partial=True)
        elif kind == AUTOCOMPLETE_RESULT:
            problems += check_choices(data.get("choices") or [])
        elif kind == MODAL:
            problems += check_modal(data)
        if (error := self._violation(problems)) is not None:
            return error
        flags = int(data.get("flags") or 0)
        if kind == CHANNEL_MESSAGE:
            record.original = self._message(record, data, flags=flags & EPHEMERAL)
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            record.original = self._message(record, {}, flags=(flags & EPHEMERAL) | LOADING)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            record.original = self._messages_by_id.get(record.payload["message"]["id"], record.payload["message"])
            if kind == UPDATE_MESSAGE:
                self._apply_edit(record.original, data)
                record.edits.append(record.original)
        record.callback = body
        record.callback_at = arrived
        record.answered.set()
        if "with_response" not in request.query:
            return web.Response(status=204)
        interaction = {"id": record.id, "type": record.type}
        resource: dict[str, Any] = {"type": kind}
        if record.original is not None and kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE):
            interaction |= {
                "response_message_id": record.original["id"],
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(record.original["flags"] & EPHEMERAL),
            }
            resource["message"] = record.original
        return json_response({"interaction": interaction, "resource": resource})

    @staticmethod
    def _apply_edit(message: dict[str, Any], data: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components"):
            if key in data:
                message[key] = data[key] if data[key] is not None else ([] if key != "content" else "")
        message["flags"] = int(message.get("flags") or 0) & ~LOADING
        message["edited_timestamp"] = _now_iso()

    def _webhook_record(self, request: web.Request) -> Interaction | None:
        record = self._record_for(request.match_info["token"])
        if record is None or request.match_info["app"] != self.app_id or record.callback is None:
            return None
        return record

    def _webhook_message(self, record: Interaction, message_id: str) -> dict[str, Any] | None:
        if message_id == "@original":
            return None if record.original_deleted else record.original
        return next((m for m in record.followups if m["id"] == message_id), None)

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"]) if record else None
        return json_response(message) if message is not None else discord_error(404, 10008, "Unknown Message")

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"]) if record else None
        if record is None or message is None:
            return discord_error(404, 10008, "Unknown Message")
        data = await request.json()
        if (error := self._violation(check_message(data, "edit", partial=True))) is not None:
            return error
        self._apply_edit(message, data)
        record.edits.append(message)
        return json_response(message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"]) if record else None
        if record is None or message is None:
            return discord_error(404, 10008, "Unknown Message")
        if message is record.original:
            record.original_deleted = True
        else:
            record.followups.remove(message)
        return web.Response(status=204)

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        if record is None:
            return discord_error(404, 10015, "Unknown Webhook")
        data = await request.json()
        if (error := self._violation(check_message(data, "followup"))) is not None:
            return error
        original = record.original
        if (
            record.callback_type == DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original["flags"] & LOADING
            and not record.original_deleted
        ):
            # Discord: the first followup after a deferred "thinking" response replaces it,
            # keeping the defer's visibility.
            self._apply_edit(original, data)
            message = original
        else:
            message = self._message(record, data, flags=int(data.get("flags") or 0) & EPHEMERAL)
        record.followups.append(message)
        if request.query.get("wait") in ("true", "1", "True"):
            return json_response(message)
        return web.Response(status=204)

    # ---- REST: channels and DMs ----------------------------------------------------------------

    async def _open_dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = self.user(body["recipient_id"], f"user{body['recipient_id']}")
        return json_response(
            {"id": self.dm_channel_of(user), "type": 1, "recipients": [user], "last_message_id": None, "flags": 0}
        )

    async def _channel_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        data = await request.json()
        recipient = next((u for u, c in self.dm_channels.items() if c == channel), None)
        if recipient is not None and recipient in self.closed_dms:
            return discord_error(403, 50007, "Cannot send messages to this user")
        if recipient is None and channel != self.channel_id:
            return discord_error(404, 10003, "Unknown Channel")
        if (error := self._violation(check_message(data, "message"))) is not None:
            return error
        message = self._message(None, data, channel_id=channel)
        self.channel_messages.setdefault(channel, []).append(message)
        return json_response(message)

    def dms_to(self, user_id: str) -> list[dict[str, Any]]:
        channel = self.dm_channels.get(str(user_id))
        return self.channel_messages.get(channel, []) if channel else []
