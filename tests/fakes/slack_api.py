"""A strict loopback fake of the Slack Web API, response URLs and Socket Mode, for adapter tests.

It serves on 127.0.0.1:0 and records every call. Like Slack it rejects messages over the Block
Kit limits (``invalid_blocks``), calls without a token (``not_authed``), answers 429 with
``Retry-After: 1`` when told to (:meth:`FakeSlack.rate_limit`), and at ``/link`` speaks enough
of Socket Mode to send envelopes and time their acknowledgements. Like Slack it takes several
Socket Mode connections of one app at once (up to 10, one per replica): :meth:`FakeSlack.deliver`
sends each envelope to one of them, round-robin, and re-delivers an envelope not acknowledged
within :attr:`FakeSlack.ack_timeout_s` to another connection (with ``retry_attempt`` and
``retry_reason``), as Slack does.

For apps distributed with OAuth it is also Slack's side of the install flow:
:meth:`FakeSlack.approve` is an admin approving the app in a workspace (it returns the code
Slack puts in the redirect), ``oauth.v2.access`` exchanges that code once for a bot token (with
a refresh token and an expiry when :attr:`FakeSlack.rotation_s` is set) and refreshes a token
with ``grant_type=refresh_token`` (each refresh token works once); ``auth.test`` answers for the
token's own workspace, and an expired or revoked token is refused like Slack refuses it.

Rate limits are opt-in (``FakeSlack(limits=SlackLimits())``): then, like Slack, it allows about
one ``chat.postMessage`` per second per channel (short bursts of four) and, per workspace (its
token, as Slack counts per app and workspace), a number of calls per minute of each limited
method (``chat.postMessage``, and ``chat.update``: Tier 3, 50 a minute); a call beyond them is
answered 429 with ``{"ok": false, "error": "ratelimited"}`` and ``Retry-After`` in whole seconds.
:class:`SlackLimits` counts the calls and the 429s.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.rate_window import TokenBucket

__all__ = [
    "BOT_USER_ID",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TEAM_ID",
    "ApiCall",
    "FakeSlack",
    "SlackLimits",
    "Workspace",
    "block_problems",
]

TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"
APP_ID = "A0APP"

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")
VIEW_METHODS = ("views.open", "views.publish", "views.update")


@dataclass
class ApiCall:
    """One request the fake received: a Web API method or a response_url post."""

    method: str
    args: dict[str, Any]
    at: float
    token: str = ""  # the token the call was made with ("" without one)


@dataclass(frozen=True)
class Workspace:
    """A workspace (or, with ``enterprise_id`` and ``org_wide``, an Enterprise Grid
    organisation installing org-wide) that installs the app."""

    team_id: str
    name: str
    enterprise_id: str | None = None
    org_wide: bool = False
    installer: str = "U0ADMIN"

    @property
    def key(self) -> str:
        """Whose installation it is: the organisation's for an org-wide install."""
        return self.enterprise_id if self.org_wide and self.enterprise_id else self.team_id


@dataclass
class _Token:
    workspace: Workspace
    expires_at: float | None
    revoked: bool = False


@dataclass
class _OAuth:
    """Slack's OAuth state of the fake: codes, tokens, refresh tokens."""

    codes: dict[str, Workspace] = field(default_factory=dict)
    tokens: dict[str, _Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Workspace] = field(default_factory=dict)
    refreshes: list[str] = field(default_factory=list)  # every refresh token presented
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


# -- Block Kit limits ----------------------------------------------------------------------------


def _text_problems(where: str, obj: Any, limit: int, kinds: tuple[str, ...]) -> list[str]:
    if not isinstance(obj, Mapping) or obj.get("type") not in kinds:
        return [f"{where}: not a {'/'.join(kinds)} text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} > {limit} chars"]
    return []


def _element_problems(where: str, element: Any) -> list[str]:
    if not isinstance(element, Mapping):
        return [f"{where}: not an object"]
    problems: list[str] = []
    if len(str(element.get("action_id", ""))) > 255:
        problems.append(f"{where}: action_id > 255")
    if element.get("type") == "button":
        problems += _text_problems(f"{where}.text", element.get("text"), 75, ("plain_text",))
        if len(str(element.get("value", ""))) > 2000:
            problems.append(f"{where}: value > 2000")
    elif element.get("type") == "plain_text_input":
        max_length = element.get("max_length", 3000)
        if not isinstance(max_length, int) or not 1 <= max_length <= 3000:
            problems.append(f"{where}: max_length must be 1..3000")
    return problems


def block_problems(blocks: Any, *, max_blocks: int = 50) -> list[str]:
    """What Slack would reject in ``blocks`` (empty when they are valid)."""
    if not isinstance(blocks, list):
        return ["blocks: not a list"]
    problems = [f"blocks: {len(blocks)} > {max_blocks}"] if len(blocks) > max_blocks else []
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        if not isinstance(block, Mapping):
            problems.append(f"{where}: not an object")
            continue
        if len(str(block.get("block_id", ""))) > 255:
            problems.append(f"{where}: block_id > 255")
        kind = block.get("type")
        if kind == "section":
            problems += _text_problems(
                f"{where}.text", block.get("text"), 3000, ("mrkdwn", "plain_text")
            )
        elif kind == "header":
            problems += _text_problems(f"{where}.text", block.get("text"), 150, ("plain_text",))
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problems.append(f"{where}: 1..10 elements")
            else:
                for j, element in enumerate(elements):
                    problems += _text_problems(
                        f"{where}.elements[{j}]", element, 3000, ("mrkdwn", "plain_text")
                    )
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                problems.append(f"{where}: 1..25 elements")
            else:
                for j, element in enumerate(elements):
                    problems += _element_problems(f"{where}.elements[{j}]", element)
        elif kind == "input":
            problems += _text_problems(f"{where}.label", block.get("label"), 2000, ("plain_text",))
            problems += _element_problems(f"{where}.element", block.get("element"))
        elif kind != "divider":
            problems.append(f"{where}: unknown block type {kind!r}")
    return problems


def _view_problems(view: Any) -> list[str]:
    if not isinstance(view, Mapping):
        return ["view: not an object"]
    problems = block_problems(view.get("blocks"), max_blocks=100)
    if view.get("type") == "modal":
        for key in ("title", "submit", "close"):
            if key in view or key == "title":
                problems += _text_problems(f"view.{key}", view.get(key), 24, ("plain_text",))
        if len(str(view.get("private_metadata", ""))) > 3000:
            problems.append("view.private_metadata > 3000")
    return problems


def _message_problems(args: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if "blocks" in args:
        problems += block_problems(args["blocks"])
    elif not args.get("text"):
        problems.append("no text")
    if len(str(args.get("text", ""))) > 40_000:
        problems.append("text > 40000")
    return problems


# -- rate limits (opt-in) -------------------------------------------------------------------------


def _workspace_limits() -> dict[str, float]:
    return {"chat.postMessage": 300.0, "chat.update": 50.0}


@dataclass
class SlackLimits:
    """Slack's limits on posting, for ``FakeSlack(limits=…)``, and what they refused.

    ``per_workspace_per_minute``: calls a minute per workspace (token) and method; methods not
    named are not limited. ``time_scale`` runs every limit that many times faster (rates
    multiplied, waits divided); 1.0 is Slack's.
    """

    post_per_channel_per_s: float = 1.0
    channel_burst: float = 4.0
    per_workspace_per_minute: dict[str, float] = field(default_factory=_workspace_limits)
    workspace_burst_s: float = 12.0  #: a workspace bucket holds this many seconds' worth
    time_scale: float = 1.0
    requests: int = 0  #: calls of a limited method
    refused: int = 0  #: of which answered 429
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)  #: (workspace, method)
    channel_posts: Counter[str] = field(default_factory=Counter)  #: posts let through, by channel

    def __post_init__(self) -> None:
        rates = [self.post_per_channel_per_s, self.time_scale, self.channel_burst]
        if min(rates + list(self.per_workspace_per_minute.values())) <= 0:
            raise ValueError("rates, bursts and the time scale must be positive")
        self._workspaces: dict[tuple[str, str], TokenBucket] = {}
        self._channels: dict[str, TokenBucket] = {}

    def rate(self, method: str) -> float:
        """Calls per second of ``method`` one workspace may make (scaled)."""
        return self.per_workspace_per_minute[method] / 60 * self.time_scale

    def check(self, workspace: str, method: str, channel: str, now: float) -> web.Response | None:
        """Count the call; Slack's 429 when a limit refuses it, else None."""
        if method not in self.per_workspace_per_minute:
            return None
        self.requests += 1
        self.calls[workspace, method] += 1
        bucket = self._workspaces.get((workspace, method))
        if bucket is None:
            burst = max(1.0, self.per_workspace_per_minute[method] / 60 * self.workspace_burst_s)
            bucket = TokenBucket(burst, self.rate(method))
            self._workspaces[workspace, method] = bucket
        wait = bucket.take(now)
        if wait == 0 and method == "chat.postMessage":
            per_channel = self._channels.get(channel)
            if per_channel is None:
                rate = self.post_per_channel_per_s * self.time_scale
                per_channel = self._channels[channel] = TokenBucket(self.channel_burst, rate)
            wait = per_channel.take(now)
            if wait == 0:
                self.channel_posts[channel] += 1
        if wait == 0:
            return None
        self.refused += 1
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


# -- the fake ------------------------------------------------------------------------------------


MAX_SOCKET_CONNECTIONS = 10
"""Slack keeps at most this many Socket Mode connections of one app open at once."""


@dataclass
class SocketConnection:
    """One Socket Mode connection, numbered in the order it was opened."""

    index: int
    socket: web.WebSocketResponse
    open: bool = True


class FakeSlack:
    """The fake Slack: ``api_url`` for ``AsyncWebClient(base_url=…)``, ``response_url()`` for
    payloads, and a Socket Mode link. Use as ``async with FakeSlack() as slack``."""

    def __init__(self, *, limits: SlackLimits | None = None) -> None:
        self.limits = limits  # None: no rate limits (the default)
        self.calls: list[ApiCall] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.not_in_channel: set[str] = set()
        self.ephemeral_not_in_channel: set[str] = set()  # only chat.postEphemeral refused
        self.response_urls_expired = False
        self.deleted_messages: set[str] = set()  # ts of messages chat.update cannot find
        self.errors: list[tuple[str, list[str]]] = []
        self._rate_limited: dict[str, int] = {}
        self._ts = itertools.count(1)
        self._responses = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()
        self._acks: dict[str, tuple[dict[str, Any], float]] = {}
        self._sent: dict[str, float] = {}
        self._changed = asyncio.Condition()
        self._connections: list[SocketConnection] = []
        self._rotation = itertools.count()
        self._redeliveries: set[asyncio.Task[None]] = set()
        self.response_url_posts: Counter[str] = Counter()  # response URL id -> posts to it
        self.deliveries: dict[str, list[int]] = {}  # envelope id -> connections it went to
        self.acked_by: dict[str, int] = {}  # envelope id -> the connection that acknowledged it
        self.ack_timeout_s = 3.0  # an envelope not acknowledged this soon goes to another
        self.url = ""
        self.oauth = _OAuth()
        self.rotation_s: float | None = None  # tokens issued expire after this long (rotation)

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in list(self._redeliveries):
            task.cancel()
        for socket in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """Base URL of the Web API (ends with ``/``)."""
        return f"{self.url}/api/"

    def response_url(self) -> str:
        """A fresh response_url, as Slack puts in command and interaction payloads."""
        return f"{self.url}/response/{next(self._responses)}"

    def rate_limit(self, method: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After: 1``."""
        self._rate_limited[method] = times

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (``response_url`` for response_url posts)."""
        return [call for call in self.calls if call.method == method]

    def api_calls(self) -> list[ApiCall]:
        """Every Web API call except ``auth.test`` (which bolt makes on its own)."""
        return [c for c in self.calls if c.method not in ("auth.test", "apps.connections.open")]

    async def wait_for(self, method: str, count: int = 1, *, wait_s: float = 5.0) -> list[ApiCall]:
        """Wait until ``method`` was called ``count`` times; return its calls."""
        async with asyncio.timeout(wait_s), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

    async def _record(self, method: str, args: dict[str, Any], token: str = "") -> None:
        async with self._changed:
            self.calls.append(ApiCall(method, args, time.monotonic(), token))
            self._changed.notify_all()

    # -- Web API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        await self._record(method, args, str(token or ""))
        limited = self._limited(method, args, str(token or ""))
        if limited is not None:
            return limited
        if self._rate_limited.get(method, 0) > 0:
            self._rate_limited[method] -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_v2_access(args, auth))
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        refused = self._token_refused(str(token))
        if refused:
            return web.json_response({"ok": False, "error": refused})
        return web.json_response(self._answer(method, args, str(token)))

    def _limited(self, method: str, args: dict[str, Any], token: str) -> web.Response | None:
        """With limits on: Slack's 429 when a limit refuses this call (a workspace is known by
        its token)."""
        if self.limits is None:
            return None
        now = asyncio.get_running_loop().time()
        return self.limits.check(token, method, str(args.get("channel", "")), now)

    @staticmethod
    async def _args(request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        elif request.can_read_body:
            args.update((k, v) for k, v in (await request.post()).items() if isinstance(v, str))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    def _invalid(self, method: str, problems: list[str]) -> dict[str, Any]:
        self.errors.append((method, problems))
        return {"ok": False, "error": "invalid_blocks", "errors": problems}

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "auth.test" and token in self.oauth.tokens:
            return self._auth_test(self.oauth.tokens[token].workspace)
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.com/",
                "team": "Fake",
                "team_id": TEAM_ID,
                "user": "quizbot",
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://{self.url.removeprefix('http://')}/link"}
        if method in MESSAGE_METHODS:
            problems = _message_problems(args)
            if problems:
                return self._invalid(method, problems)
            channel = str(args.get("channel", ""))
            if channel in self.not_in_channel or (
                method == "chat.postEphemeral" and channel in self.ephemeral_not_in_channel
            ):
                return {"ok": False, "error": "not_in_channel"}
            if method == "chat.update" and args.get("ts") in self.deleted_messages:
                return {"ok": False, "error": "message_not_found"}
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": f"1764000000.{next(self._ts):06d}"}
            ts = args.get("ts") or f"1764000000.{next(self._ts):06d}"
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text")}}
        if method in VIEW_METHODS:
            problems = _view_problems(args.get("view"))
            if problems:
                return self._invalid(method, problems)
            return {"ok": True, "view": {"id": "V0VIEW", **args["view"]}}
        if method == "users.info":
            user_id = str(args.get("user", ""))
            user = self.users.get(user_id, {"is_admin": False, "is_owner": False})
            return {"ok": True, "user": {"id": user_id, "team_id": TEAM_ID, **user}}
        return {"ok": False, "error": "unknown_method"}

    # -- OAuth -----------------------------------------------------------------------------

    def approve(self, workspace: Workspace) -> str:
        """An admin of ``workspace`` approves the app on Slack's authorize page: the code
        Slack sends back to the redirect URL (it works once)."""
        code = f"code-{next(self.oauth.counter)}"
        self.oauth.codes[code] = workspace
        return code

    def revoke(self, workspace: Workspace) -> None:
        """Revoke every token of ``workspace`` (an uninstall)."""
        for issued in self.oauth.tokens.values():
            if issued.workspace.key == workspace.key:
                issued.revoked = True

    def expire(self, workspace: Workspace) -> None:
        """Make the current tokens of ``workspace`` expired now."""
        for issued in self.oauth.tokens.values():
            if issued.workspace.key == workspace.key:
                issued.expires_at = time.time() - 1

    def tokens_of(self, workspace: Workspace) -> list[str]:
        """The tokens issued to ``workspace``, oldest first."""
        return [t for t, issued in self.oauth.tokens.items() if issued.workspace == workspace]

    def token_works(self, token: str) -> bool:
        """Whether Slack would accept ``token`` now."""
        return token in self.oauth.tokens and not self._token_refused(token)

    def _token_refused(self, token: str) -> str:
        issued = self.oauth.tokens.get(token)
        if issued is None:
            return ""
        if issued.revoked:
            return "token_revoked"
        if issued.expires_at is not None and issued.expires_at <= time.time():
            return "token_expired"
        return ""

    def _client_authenticated(self, args: dict[str, Any], auth: str) -> bool:
        client_id, secret = args.get("client_id"), args.get("client_secret")
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth.removeprefix("Basic ")).decode()
            client_id, _, secret = decoded.partition(":")
        return client_id == CLIENT_ID and secret == CLIENT_SECRET

    def _oauth_v2_access(self, args: dict[str, Any], auth: str) -> dict[str, Any]:
        if not self._client_authenticated(args, auth):
            return {"ok": False, "error": "invalid_client_id"}
        if args.get("grant_type") == "refresh_token":
            refresh = str(args.get("refresh_token", ""))
            self.oauth.refreshes.append(refresh)
            workspace = self.oauth.refresh_tokens.pop(refresh, None)
            if workspace is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._grant(workspace)
        workspace = self.oauth.codes.pop(str(args.get("code", "")), None)
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        return self._grant(workspace)

    def _grant(self, workspace: Workspace) -> dict[str, Any]:
        number = next(self.oauth.counter)
        token = f"xoxb-{workspace.key}-{number}"
        expires_at = time.time() + self.rotation_s if self.rotation_s is not None else None
        self.oauth.tokens[token] = _Token(workspace, expires_at)
        org = (
            {"id": workspace.enterprise_id, "name": "Fake Org"} if workspace.enterprise_id else None
        )
        grant: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": workspace.installer},
            "scope": "commands,chat:write,chat:write.public,users:read",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": f"U0BOT{workspace.key}",
            "team": None
            if workspace.org_wide
            else {"id": workspace.team_id, "name": workspace.name},
            "enterprise": org,
            "is_enterprise_install": workspace.org_wide,
        }
        if self.rotation_s is not None:
            refresh = f"xoxe-1-{workspace.key}-{number}"
            self.oauth.refresh_tokens[refresh] = workspace
            grant.update(refresh_token=refresh, expires_in=int(self.rotation_s))
        return grant

    @staticmethod
    def _auth_test(workspace: Workspace) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{workspace.name.lower()}.slack.com/",
            "team": None if workspace.org_wide else workspace.name,
            "team_id": None if workspace.org_wide else workspace.team_id,
            "enterprise_id": workspace.enterprise_id,
            "is_enterprise_install": workspace.org_wide,
            "user": "quizbot",
            "user_id": f"U0BOT{workspace.key}",
            "bot_id": f"B0BOT{workspace.key}",
        }

    # -- response_url ----------------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.response_url_posts[request.match_info["id"]] += 1
        await self._record("response_url", body if isinstance(body, dict) else {})
        if self.response_urls_expired:
            return web.Response(status=404, text="expired_url")
        problems = _message_problems(body) if isinstance(body, dict) else ["not an object"]
        if problems:
            self.errors.append(("response_url", problems))
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    # -- Socket Mode -----------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        connection = await self._connected(socket)
        if connection is None:
            return socket
        await socket.send_json({"type": "hello", "num_connections": self.open_connections()})
        self._socket_ready.set()
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
            if isinstance(envelope_id, str):
                async with self._changed:
                    self._acks[envelope_id] = (ack, time.monotonic())
                    self.acked_by.setdefault(envelope_id, connection.index)
                    self._changed.notify_all()
        await self._disconnected(connection)
        return socket

    async def wait_connected(self, wait_s: float = 5.0) -> None:
        """Wait until a Socket Mode client has connected and got its hello."""
        async with asyncio.timeout(wait_s):
            await self._socket_ready.wait()

    async def send_envelope(
        self, envelope_type: str, payload: dict[str, Any], envelope_id: str
    ) -> None:
        """Send a Socket Mode envelope to the connected client."""
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        self._sent[envelope_id] = time.monotonic()
        await self._sockets[-1].send_json(envelope)

    async def wait_ack(self, envelope_id: str, wait_s: float = 5.0) -> tuple[dict[str, Any], float]:
        """The client's acknowledgement of an envelope and how long it took (seconds)."""
        async with asyncio.timeout(wait_s), self._changed:
            await self._changed.wait_for(lambda: envelope_id in self._acks)
        ack, at = self._acks[envelope_id]
        return ack, at - self._sent[envelope_id]

    # -- Socket Mode with several connections (replicas) -------------------------------------

    async def _connected(self, socket: web.WebSocketResponse) -> SocketConnection | None:
        if self.open_connections() >= MAX_SOCKET_CONNECTIONS:
            await socket.close(code=1008, message=b"too_many_websockets")
            return None
        async with self._changed:
            connection = SocketConnection(len(self._connections), socket)
            self._connections.append(connection)
            self._changed.notify_all()
        return connection

    async def _disconnected(self, connection: SocketConnection) -> None:
        async with self._changed:
            connection.open = False
            self._changed.notify_all()

    def open_connections(self) -> int:
        """How many Socket Mode connections are open now."""
        return sum(1 for connection in self._connections if connection.open)

    def connection_is_open(self, index: int) -> bool:
        """Whether Socket Mode connection ``index`` (numbered in connection order) is open."""
        return self._connections[index].open

    async def wait_connections(self, count: int, wait_s: float = 5.0) -> None:
        """Wait until ``count`` Socket Mode connections are open."""
        async with asyncio.timeout(wait_s), self._changed:
            await self._changed.wait_for(lambda: self.open_connections() == count)

    async def wait_closed(self, index: int, wait_s: float = 5.0) -> None:
        """Wait until Socket Mode connection ``index`` has closed."""
        async with asyncio.timeout(wait_s), self._changed:
            await self._changed.wait_for(lambda: not self._connections[index].open)

    async def deliver(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        envelope_id: str,
        *,
        to: int | None = None,
    ) -> int:
        """Send an envelope to one Socket Mode connection, as Slack does with several: the
        next open one in turn (round-robin), or ``to``: the connection Slack picked, which may
        have just gone without Slack noticing yet (the envelope is then lost on the way).
        Until it is acknowledged, it is re-delivered every :attr:`ack_timeout_s` to another
        open connection (up to three retries). Returns the connection it went to first."""
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        index = to if to is not None else self._next_open(exclude=set())
        self._sent[envelope_id] = time.monotonic()
        await self._send_to(index, envelope)
        task = asyncio.create_task(self._redeliver(envelope, tried=[index]))
        self._redeliveries.add(task)
        task.add_done_callback(self._redeliveries.discard)
        return index

    def _next_open(self, *, exclude: set[int]) -> int:
        candidates = [c.index for c in self._connections if c.open and c.index not in exclude]
        if not candidates:
            candidates = [c.index for c in self._connections if c.open]
        if not candidates:
            raise RuntimeError("no open Socket Mode connection")
        return candidates[next(self._rotation) % len(candidates)]

    async def _send_to(self, index: int, envelope: dict[str, Any]) -> None:
        self.deliveries.setdefault(str(envelope["envelope_id"]), []).append(index)
        connection = self._connections[index]
        if not connection.open or connection.socket.closed:
            return  # lost on the way: no acknowledgement will come
        try:
            await connection.socket.send_json(envelope)
        except ConnectionResetError:
            return

    async def _redeliver(self, envelope: dict[str, Any], tried: list[int]) -> None:
        envelope_id = str(envelope["envelope_id"])
        for attempt in range(1, 4):
            try:
                async with asyncio.timeout(self.ack_timeout_s), self._changed:
                    await self._changed.wait_for(lambda: envelope_id in self._acks)
                return
            except TimeoutError:
                pass
            index = self._next_open(exclude=set(tried))
            tried.append(index)
            await self._send_to(
                index, {**envelope, "retry_attempt": attempt, "retry_reason": "timeout"}
            )
