"""The HTTP mode endpoint: bounded bodies and signatures checked before bolt sees a request.

Every request to ``/slack/events`` goes through :meth:`SlackEndpoint.handle`:

1. Its body is read within :class:`~bot.adapters.slack.limits.HttpLimits`: refused unread when
   it declares more than ``max_body_bytes`` (413) or when the bytes of bodies in flight would
   exceed their budget (503); refused when it does not arrive within ``body_timeout_s`` (408).
2. Its signature is checked on the bytes that arrived (401 unless signed; Slack's unsigned
   ``ssl_check`` gets its empty 200), then its charset (415 unless UTF-8) and encoding (400),
   and whether bolt can read it at all (400, see :mod:`~bot.adapters.slack.bolt_requests`).
   bolt never sees an unsigned request.
3. bolt answers it: the listener's ack function acknowledges (an empty 200, a usage hint, a
   modal's field errors) and the work runs after the response (see
   :mod:`bot.adapters.slack.listening`).

Each refusal is one log line without the body, at most one per kind every 10 s
(:class:`~bot.adapters.slack.logs.ThrottledLogger`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response

from bot.adapters.slack.app import SlackQuiz
from bot.adapters.slack.bolt_requests import Headers, MalformedRequest, bolt_request
from bot.adapters.slack.in_flight import arrival_context
from bot.adapters.slack.limits import BudgetFull, ByteBudget, HttpLimits
from bot.adapters.slack.logs import ThrottledLogger
from bot.adapters.slack.signing import signature_problem

__all__ = ["EVENTS_PATH", "SlackEndpoint", "web_app"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
_UTF8 = ("utf-8", "utf8")
_SSL_CHECK_MAX_BYTES = 512


def is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check (``ssl_check=1&token=…``), the one request it does not sign;
    the answer is an empty 200 and nothing else happens."""
    if len(body) > _SSL_CHECK_MAX_BYTES:
        return False
    return parse_qs(body.decode("latin-1")).get("ssl_check") == ["1"]


class Refusal(Exception):
    """A request answered with ``status`` and not handled; ``reason`` is logged."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


class SlackEndpoint:
    """Slack's requests in HTTP mode, checked and bounded before the app sees them."""

    def __init__(self, quiz: SlackQuiz, limits: HttpLimits | None = None) -> None:
        self.app = quiz.app
        self.post_ack = quiz.post_ack
        self.limits = limits or HttpLimits()
        self.secret = quiz.signing_secret.encode()
        self.small_bodies = ByteBudget(self.limits.small_bodies_bytes)
        self.large_bodies = ByteBudget(self.limits.large_bodies_bytes)
        self.log = ThrottledLogger(log)

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request (see the module's docstring)."""
        context = arrival_context()
        try:
            with self._budget(request):
                body = await self._read(request)
                with self.post_ack.acknowledgement():
                    return await self._respond(request, body, context)
        except Refusal as refusal:
            self.log.warning(f"refused a Slack request: {refusal} (from %s)", request.remote)
            return web.Response(status=refusal.status, text=refusal.reason)

    def _budget(self, request: web.Request) -> contextlib.AbstractContextManager[None]:
        """The bytes this request's body may take, held until it is answered."""
        declared = request.content_length
        if declared is not None and declared > self.limits.max_body_bytes:
            raise Refusal(413, "body too large")
        size = self.limits.max_body_bytes if declared is None else declared
        small = size <= self.limits.small_body_bytes
        budget = self.small_bodies if small else self.large_bodies
        try:
            return budget.hold(size)
        except BudgetFull:
            raise Refusal(503, "too many request bodies in flight") from None

    async def _read(self, request: web.Request) -> bytes:
        try:
            async with asyncio.timeout(self.limits.body_timeout_s):
                return await request.read()
        except TimeoutError:
            raise Refusal(408, "body too slow") from None
        except web.HTTPRequestEntityTooLarge:
            raise Refusal(413, "body too large") from None

    async def _respond(
        self, request: web.Request, body: bytes, context: dict[str, Any]
    ) -> web.Response:
        headers = request.headers
        problem = signature_problem(
            self.secret,
            headers.get("X-Slack-Request-Timestamp"),
            headers.get("X-Slack-Signature"),
            body,
            time.time(),
        )
        if problem is not None:
            if is_ssl_check(body):
                return web.Response(status=200)
            raise Refusal(401, problem)
        if request.charset is not None and request.charset.lower() not in _UTF8:
            raise Refusal(415, "charset not UTF-8")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "body not UTF-8") from None
        bolt_headers: Headers = dict(headers)
        try:
            bolt = bolt_request(
                text, query=request.query_string, headers=bolt_headers, context=context
            )
        except MalformedRequest as exc:
            raise Refusal(400, str(exc)) from None
        return await to_aiohttp_response(await self.app.async_dispatch(bolt))


def web_app(endpoint: SlackEndpoint) -> web.Application:
    """The aiohttp application serving :data:`EVENTS_PATH` with ``endpoint``."""
    app = web.Application(client_max_size=endpoint.limits.max_body_bytes)
    app.router.add_post(EVENTS_PATH, endpoint.handle)
    return app
