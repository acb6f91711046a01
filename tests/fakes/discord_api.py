"""A strict loopback fake of the Discord REST API and gateway, for the discord.py adapter tests.

It serves on 127.0.0.1:0 and records every request. Like Discord it enforces the 3-second
interaction deadline (404, code 10062), one response per interaction (400, code 40060), the
2 000-character content limit, embed limits and at most five buttons per row (400, code 50035).
A websocket at ``/gateway`` speaks enough of the gateway protocol to identify a client and
push events to it.

Rate limits are opt-in (``FakeDiscord(limits=DiscordLimits())``): then, like Discord, it allows
50 REST requests per second in all (a token bucket; interaction callbacks and webhooks are
exempt), keeps a bucket per route and major parameter (5 requests per 5 s, announced in the
``X-RateLimit-*`` headers of every response) and answers a request beyond either with 429, the
real JSON body (``message``, ``retry_after``, ``global``) and ``Retry-After``,
``X-RateLimit-Global`` and ``X-RateLimit-Scope`` headers. :class:`DiscordLimits` counts the
requests and the 429s.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.rate_window import FixedWindow, TokenBucket

__all__ = [
    "APP_ID",
    "BOT_ID",
    "DiscordLimits",
    "FakeDiscord",
    "Identified",
    "Recorded",
    "shard_of",
]

APP_ID = 111111111111111111
BOT_ID = 111111111111111111
TIMESTAMP = "2025-11-24T16:00:00.000000+00:00"
JSON = "application/json"

_ids = itertools.count(900_000_000_000_000_000)


def snowflake() -> str:
    """A fresh unique id."""
    return str(next(_ids))


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py only parses JSON when the content type is exactly application/json.
    body = json.dumps(data).encode()
    return web.Response(status=status, body=body, headers={"Content-Type": JSON})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status)


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0  #: the HTTP status the fake answered with
    code: int | None = None  #: the Discord error code, when it refused


@dataclass(frozen=True)
class Identified:
    """One identify the gateway received: the shard it named (None: unsharded) and when
    (the fake's event-loop clock, in seconds)."""

    shard: tuple[int, int] | None
    at: float


def shard_of(guild_id: str | int, shard_count: int) -> int:
    """The shard that receives a guild's events (Discord's formula)."""
    return (int(guild_id) >> 22) % shard_count


@dataclass
class _Interaction:
    token: str
    created: float
    channel_id: str
    user: dict[str, Any]
    responded: bool = False
    ephemeral: bool = False
    deferred: bool = False
    original: dict[str, Any] | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


_SNOWFLAKE = re.compile(r"^[0-9]{15,21}$")
RATE_LIMITED = "You are being rate limited."


@dataclass
class DiscordLimits:
    """Discord's REST rate limits, for ``FakeDiscord(limits=…)``, and what they refused.

    ``time_scale`` runs the limits that many times faster (rates multiplied, windows and waits
    divided), so a benchmark can use them at a bearable pace; 1.0 is Discord's.
    """

    global_per_second: float = 50.0
    route_limit: int = 5
    route_period_s: float = 5.0
    time_scale: float = 1.0
    requests: int = 0  #: requests subject to the limits
    refused: int = 0  #: of which answered 429
    refused_global: int = 0  #: of which by the global limit

    def __post_init__(self) -> None:
        if self.time_scale <= 0 or self.global_per_second <= 0 or self.route_limit < 1:
            raise ValueError("rates, the route limit and the time scale must be positive")
        rate = self.global_per_second * self.time_scale
        self._global = TokenBucket(capacity=self.global_per_second, per_second=rate)
        self._routes: dict[tuple[str, str], FixedWindow] = {}

    @property
    def global_rate(self) -> float:
        """Requests per second the global limit allows (scaled)."""
        return self.global_per_second * self.time_scale

    @staticmethod
    def route_of(method: str, parts: list[str]) -> tuple[str, str]:
        """A request's route (ids replaced) and its major parameter (the channel, guild or
        webhook the bucket is kept per)."""
        major = parts[1] if len(parts) > 1 and parts[0] in ("channels", "guilds") else ""
        template = "/".join("{id}" if _SNOWFLAKE.match(part) else part for part in parts)
        return f"{method} /{template}", major

    @staticmethod
    def exempt(parts: list[str]) -> bool:
        """Interaction callbacks and webhooks are outside the bot's limits."""
        return bool(parts) and parts[0] in ("interactions", "webhooks")

    def check(self, method: str, parts: list[str], now: float) -> web.Response | None:
        """Count the request; a 429 response when a limit refuses it, else None."""
        self.requests += 1
        wait = self._global.take(now)
        if wait > 0:
            self.refused += 1
            self.refused_global += 1
            return _rate_limited(wait, is_global=True)
        window = self._window(method, parts)
        if not window.take(now):
            self.refused += 1
            response = _rate_limited(window.reset_after(now), is_global=False)
            self.announce(response, method, parts, now)
            return response
        return None

    def announce(self, response: web.Response, method: str, parts: list[str], now: float) -> None:
        """Add the route bucket's ``X-RateLimit-*`` headers to ``response``."""
        window = self._window(method, parts)
        reset_after = window.reset_after(now) if window.used else window.period
        route, _ = self.route_of(method, parts)
        response.headers.update(
            {
                "X-RateLimit-Limit": str(window.limit),
                "X-RateLimit-Remaining": str(window.remaining()),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
            }
        )

    def _window(self, method: str, parts: list[str]) -> FixedWindow:
        key = self.route_of(method, parts)
        window = self._routes.get(key)
        if window is None:
            period = self.route_period_s / self.time_scale
            window = self._routes[key] = FixedWindow(self.route_limit, period)
        return window


def _rate_limited(wait: float, *, is_global: bool) -> web.Response:
    """Discord's 429: the JSON body with ``retry_after`` and the headers that go with it."""
    body = {"message": RATE_LIMITED, "retry_after": round(wait, 3), "global": is_global}
    response = _json(body, 429)
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    response.headers["X-RateLimit-Scope"] = "global" if is_global else "user"
    response.headers["Via"] = "1.1 google"  # discord.py takes a 429 without it for a ban
    if is_global:
        response.headers["X-RateLimit-Global"] = "true"
    return response


@dataclass
class FakeDiscord:
    """The fake server; ``await start()`` it, ``await close()`` it.

    Shards: ``GET /gateway/bot`` answers ``recommended_shards`` and the session start limit
    (``max_concurrency`` buckets; ``remaining`` counts down with each identify). Several
    gateway connections may identify with ``shard: [id, count]``; each then gets only the
    events of its guilds (``(guild_id >> 22) % count == id``), as Discord sends them, and every
    identify is recorded with its shard and the fake's time (:attr:`identified`).
    """

    deadline_s: float = 3.0
    requests: list[Recorded] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    identify: list[dict[str, Any]] = field(default_factory=list)
    forbidden_channels: set[str] = field(default_factory=set)  # 403 Missing Access on posts
    non_text_channels: set[str] = field(default_factory=set)  # categories, voice: 400 50008
    # user id -> their DM channel id (opened with POST /users/@me/channels)
    dm_channels: dict[str, str] = field(default_factory=dict)
    dms_closed: set[str] = field(default_factory=set)  # users who accept no DM: 403 50007
    # guild id -> its roles (objects with id, name, position, managed…); user id -> role ids
    roles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    member_roles: dict[str, list[str]] = field(default_factory=dict)
    granted: list[tuple[str, str, str]] = field(default_factory=list)  # (guild, user, role)
    # guild id -> its text channel ids: announced in READY and sent as GUILD_CREATE, as Discord
    # does for every guild the bot is in (empty: interactions arrive from uncached guilds)
    guilds: dict[str, list[str]] = field(default_factory=dict)
    limits: DiscordLimits | None = None  # None: no rate limits (the default)
    bot_user: dict[str, Any] = field(
        default_factory=lambda: {
            "id": str(BOT_ID),
            "username": "Quizbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
        }
    )
    # GET /gateway/bot: the shard count Discord recommends and the session start limit
    recommended_shards: int = 1
    max_concurrency: int = 1
    session_starts: int = 1000
    identified: list[Identified] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._interactions: dict[str, _Interaction] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_shards: dict[int, tuple[int, int]] = {}  # id(socket) -> its shard
        self._next_identify = asyncio.Event()  # set (and replaced) at each identify
        self.port = 0
        self.gateway_identified = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """What DISCORD_API_BASE_URL should be."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What DISCORD_GATEWAY_URL should be."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Serve on a free loopback port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._api)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        """Close every gateway socket and stop serving."""
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- test helpers ---------------------------------------------------------------------

    def open_interaction(
        self, interaction_id: str, token: str, channel_id: str, user: dict[str, Any]
    ) -> None:
        """Start an interaction's 3-second clock (call when its INTERACTION_CREATE is sent)."""
        loop = asyncio.get_running_loop()
        self._interactions[token] = _Interaction(token, loop.time(), channel_id, user)
        self._interactions[interaction_id] = self._interactions[token]

    async def answered(self, token: str) -> None:
        """Wait (at most 5 s) until the interaction got its complete reply, not just a defer."""
        async with asyncio.timeout(5):
            await self._interactions[token].done.wait()

    def original(self, token: str) -> dict[str, Any] | None:
        """The interaction's original response message, as it stands now."""
        return self._interactions[token].original

    def responses(self, token: str) -> list[Recorded]:
        """Callbacks and followups sent for the interaction with this token."""
        return [r for r in self.requests if token in r.path]

    def refused(self) -> list[Recorded]:
        """Every request the fake answered with an error (4xx or 5xx)."""
        return [r for r in self.requests if r.status >= 400]

    def calls(self, method: str, path_part: str) -> list[Recorded]:
        """The recorded requests of ``method`` whose path contains ``path_part``."""
        return [r for r in self.requests if r.method == method and path_part in r.path]

    async def push(self, event: str, data: dict[str, Any], sequence: int = 2) -> None:
        """Send a dispatch event to every connected gateway client (sharded: to the shard of
        the event's guild only)."""
        for ws in self._receivers(data):
            await ws.send_str(json.dumps({"op": 0, "t": event, "s": sequence, "d": data}))

    # -- validation -----------------------------------------------------------------------

    @staticmethod
    def _invalid(body: Any) -> str | None:
        """Why Discord would refuse this message body (None when it is valid)."""
        if not isinstance(body, dict):
            return None
        if len(body.get("content") or "") > 2000:
            return "content: Must be 2000 or fewer in length."
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            return "embeds: at most 10"
        for embed in embeds:
            total = len(embed.get("title", "")) + len(embed.get("description", ""))
            if len(embed.get("title", "")) > 256:
                return "embed title: Must be 256 or fewer in length."
            if len(embed.get("description", "")) > 4096:
                return "embed description: Must be 4096 or fewer in length."
            fields = embed.get("fields", [])
            if len(fields) > 25:
                return "embed fields: at most 25"
            for embed_field in fields:
                if not embed_field.get("name") or not embed_field.get("value"):
                    return "embed field: name and value are required"
                if len(embed_field["name"]) > 256 or len(embed_field["value"]) > 1024:
                    return "embed field: name ≤ 256, value ≤ 1024"
                total += len(embed_field["name"]) + len(embed_field["value"])
            total += len(embed.get("footer", {}).get("text", ""))
            if len(embed.get("footer", {}).get("text", "")) > 2048 or total > 6000:
                return "embed: footer ≤ 2048, total ≤ 6000"
        rows = body.get("components") or []
        if len(rows) > 5:
            return "components: at most 5 rows"
        for row in rows:
            buttons = row.get("components", [])
            if row.get("type") == 1 and len(buttons) > 5:
                return "components: at most 5 buttons per row"
            for button in buttons:
                if len(button.get("label") or "") > 80 or len(button.get("custom_id") or "") > 100:
                    return "button: label ≤ 80, custom_id ≤ 100"
        return None

    # -- REST -----------------------------------------------------------------------------

    def message(
        self, channel_id: str, body: dict[str, Any], *, flags: int = 0, **extra: Any
    ) -> dict[str, Any]:
        """Store and return a full message object built from a create-message body."""
        message = {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": flags | int(body.get("flags") or 0),
            "allowed_mentions": body.get("allowed_mentions"),
            **extra,
        }
        self.messages[message["id"]] = message
        return message

    def _edit(self, message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                message[key] = body[key]
        message["edited_timestamp"] = TIMESTAMP
        return message

    async def _api(self, request: web.Request) -> web.Response:
        body: Any = None
        if request.can_read_body:
            if request.content_type == "multipart/form-data":
                form = await request.post()
                body = json.loads(str(form.get("payload_json", "{}")))
            else:
                body = await request.json()
        path = "/" + request.match_info["tail"]
        recorded = Recorded(request.method, path, dict(request.query), body)
        self.requests.append(recorded)
        parts = path.strip("/").split("/")
        checked = body.get("data") if path.endswith("/callback") and body else body
        invalid = self._invalid(checked)
        limited = self._limited(request.method, parts)
        if limited is not None:
            response = limited
        elif invalid is not None:
            response = _error(400, 50035, f"Invalid Form Body: {invalid}")
        else:
            response = await self._route(request.method, parts, body, dict(request.query))
        if limited is None:
            self._announce(response, request.method, parts)
        recorded.status = response.status
        if response.status >= 400 and isinstance(response.body, bytes):
            recorded.code = json.loads(response.body).get("code")
        return response

    def _limited(self, method: str, parts: list[str]) -> web.Response | None:
        """With limits on: Discord's 429 when a limit refuses this request."""
        if self.limits is None or DiscordLimits.exempt(parts):
            return None
        return self.limits.check(method, parts, asyncio.get_running_loop().time())

    def _announce(self, response: web.Response, method: str, parts: list[str]) -> None:
        """With limits on: the route bucket's headers on a response."""
        if self.limits is not None and not DiscordLimits.exempt(parts):
            now = asyncio.get_running_loop().time()
            self.limits.announce(response, method, parts, now)

    async def _route(
        self, method: str, parts: list[str], body: Any, query: dict[str, str]
    ) -> web.Response:
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json(self.bot_user)
            case "GET", ["oauth2", "applications", "@me"]:
                return _json(self._application())
            case "GET", ["gateway"] | ["gateway", "bot"]:
                return _json(self._gateway_bot())
            case "PUT", ["applications", app, *_, "commands"]:
                return _json([self._command(app, c) for c in body])
            case "POST", ["interactions", interaction_id, token, "callback"]:
                return self._callback(interaction_id, token, body, query)
            case "POST", ["webhooks", _app, token]:
                return self._followup(token, body)
            case "PATCH", ["webhooks", _app, token, "messages", "@original"]:
                found = self._interactions.get(token)
                if found is None or found.original is None:
                    return _error(404, 10008, "Unknown Message")
                found.deferred = False
                found.done.set()
                return _json(self._edit(found.original, body))
            case "PATCH", ["webhooks", _app, _token, "messages", message_id]:
                if message_id not in self.messages:
                    return _error(404, 10008, "Unknown Message")
                return _json(self._edit(self.messages[message_id], body))
            case "GET", ["guilds", guild_id, "roles"]:
                return _json(self.roles.get(guild_id, []))
            case "GET", ["guilds", _guild_id, "members", user_id]:
                return _json(
                    {
                        "user": {"id": user_id, "username": "member", "discriminator": "0"},
                        "roles": self.member_roles.get(user_id, []),
                        "joined_at": TIMESTAMP,
                        "deaf": False,
                        "mute": False,
                        "flags": 0,
                    }
                )
            case "PUT", ["guilds", guild_id, "members", user_id, "roles", role_id]:
                known = {role["id"] for role in self.roles.get(guild_id, [])}
                if role_id not in known:
                    return _error(404, 10011, "Unknown Role")
                self.granted.append((guild_id, user_id, role_id))
                return web.Response(status=204)
            case "POST", ["users", "@me", "channels"]:
                recipient = str(body.get("recipient_id", ""))
                channel_id = self.dm_channels.setdefault(recipient, snowflake())
                return _json(
                    {
                        "id": channel_id,
                        "type": 1,
                        "last_message_id": None,
                        "recipients": [
                            {
                                "id": recipient,
                                "username": "member",
                                "discriminator": "0",
                                "global_name": None,
                                "avatar": None,
                            }
                        ],
                    }
                )
            case "POST", ["channels", channel_id, "messages"]:
                if channel_id in self.forbidden_channels:
                    return _error(403, 50001, "Missing Access")
                dm_of = {dm: who for who, dm in self.dm_channels.items()}
                if dm_of.get(channel_id) in self.dms_closed:
                    return _error(403, 50007, "Cannot send messages to this user")
                if channel_id in self.non_text_channels:
                    return _error(400, 50008, "Cannot send messages in a non-text channel")
                if not (body.get("content") or body.get("embeds")):
                    return _error(400, 50006, "Cannot send an empty message")
                return _json(self.message(channel_id, body))
            case "PATCH", ["channels", channel_id, "messages", message_id]:
                found_message = self.messages.get(message_id)
                if found_message is None or found_message["channel_id"] != channel_id:
                    return _error(404, 10008, "Unknown Message")
                return _json(self._edit(found_message, body))
        return _error(404, 0, "404: Not Found")

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "Quizbot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.bot_user,
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
        }

    @staticmethod
    def _command(app: str, command: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": snowflake(),
            "application_id": app,
            "version": snowflake(),
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            **command,
        }

    def _callback(
        self, interaction_id: str, token: str, body: dict[str, Any], query: dict[str, str]
    ) -> web.Response:
        found = self._interactions.get(token)
        if found is None or self._interactions.get(interaction_id) is not found:
            return _error(404, 10062, "Unknown interaction")
        if asyncio.get_running_loop().time() - found.created > self.deadline_s:
            return _error(404, 10062, "Unknown interaction")
        if found.responded:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        found.responded = True
        kind = body["type"]
        data = body.get("data") or {}
        flags = int(data.get("flags") or 0)
        found.ephemeral = bool(flags & 64)
        message: dict[str, Any] | None = None
        if kind != 5:
            found.done.set()
        if kind in (4, 5):  # a message, or "thinking…"
            found.deferred = kind == 5
            found.original = message = self.message(
                found.channel_id,
                data if kind == 4 else {},
                flags=flags | (128 if kind == 5 else 0),
                interaction_metadata={
                    "id": interaction_id,
                    "type": 2,
                    "user": found.user,
                    "authorizing_integration_owners": {},
                },
            )
            if kind == 5:
                message["content"] = ""
        if query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        payload: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "activity_instance_id": None,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": found.ephemeral,
            }
        }
        if message is not None:
            payload["resource"] = {"type": kind, "message": message}
        return _json(payload)

    def _followup(self, token: str, body: dict[str, Any]) -> web.Response:
        found = self._interactions.get(token)
        if found is None or not found.responded:
            return _error(404, 10015, "Unknown Webhook")
        if found.deferred and found.original is not None:
            # Discord: the first followup after a deferred ("thinking") response replaces it.
            found.deferred = False
            message = self._edit(found.original, body)
            message["flags"] = int(message["flags"]) & ~128
            found.done.set()
            return _json(message)
        return _json(self.message(found.channel_id, body, webhook_id=str(APP_ID)))

    # -- gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45_000}}))
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            if payload["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                self.identify.append(payload["d"])
                self._identified(ws, payload["d"])
                guilds = {g: c for g, c in self.guilds.items() if ws in self._receivers(g)}
                ready = {
                    "v": 10,
                    "user": self.bot_user,
                    "guilds": [{"id": guild, "unavailable": True} for guild in guilds],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(APP_ID), "flags": 0},
                    **self._ready_shard(ws),
                }
                await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": ready}))
                for guild, channels in guilds.items():
                    data = _guild_create(guild, channels)
                    await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "d": data}))
                self.gateway_identified.set()
        return ws

    # -- shards ---------------------------------------------------------------------------

    def _gateway_bot(self) -> dict[str, Any]:
        """``GET /gateway/bot``: the URL, the recommended shard count, the start limit."""
        return {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": self.session_starts,
                "reset_after": 0,
                "max_concurrency": self.max_concurrency,
            },
        }

    def _identified(self, ws: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        """Record an identify and the shard the connection serves from now on."""
        shard = identify.get("shard")
        named = (int(shard[0]), int(shard[1])) if shard else None
        if named is not None:
            self._socket_shards[id(ws)] = named
        self.session_starts -= 1
        self.identified.append(Identified(named, asyncio.get_running_loop().time()))
        self._next_identify.set()
        self._next_identify = asyncio.Event()

    def _ready_shard(self, ws: web.WebSocketResponse) -> dict[str, Any]:
        """READY's ``shard`` field, ``[id, count]``, on a sharded connection."""
        shard = self._socket_shards.get(id(ws))
        return {"shard": list(shard)} if shard is not None else {}

    def _receivers(self, event: dict[str, Any] | str) -> list[web.WebSocketResponse]:
        """The connections an event of this guild (a guild id, or an event's data) goes to:
        every unsharded one, and the sharded one whose shard holds the guild."""
        guild = event if isinstance(event, str) else event.get("guild_id")
        receivers = []
        for ws in self._sockets:
            if ws.closed:
                continue
            shard = self._socket_shards.get(id(ws))
            if shard is None or guild is None or shard_of(guild, shard[1]) == shard[0]:
                receivers.append(ws)
        return receivers

    async def invalidate_session(self, shard_id: int) -> None:
        """Send INVALID_SESSION (not resumable) to the connection of ``shard_id``, as Discord
        does to a session it dropped: the client must identify that shard again."""
        for ws in self._sockets:
            shard = self._socket_shards.get(id(ws))
            if not ws.closed and shard is not None and shard[0] == shard_id:
                await ws.send_str(json.dumps({"op": 9, "d": False}))

    async def wait_identified(self, count: int) -> None:
        """Wait until ``count`` identifies in all have been received."""
        while len(self.identified) < count:
            await self._next_identify.wait()

    def open_sockets(self) -> list[web.WebSocketResponse]:
        """The gateway connections still open."""
        return [ws for ws in self._sockets if not ws.closed]

    def identified_shards(self) -> list[int]:
        """The shards identified so far, in the order they identified."""
        return [record.shard[0] for record in self.identified if record.shard is not None]


def _guild_create(guild_id: str, channel_ids: list[str]) -> dict[str, Any]:
    """A GUILD_CREATE payload for a guild with these text channels and an @everyone role."""
    return {
        "id": guild_id,
        "name": f"guild {guild_id}",
        "owner_id": "1",
        "unavailable": False,
        "member_count": 2,
        "roles": [
            {
                "id": guild_id,
                "name": "@everyone",
                "permissions": "1024",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "channels": [
            {"id": channel, "type": 0, "name": f"channel-{n}", "position": n, "guild_id": guild_id}
            for n, channel in enumerate(channel_ids)
        ],
        "members": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }
