"""Running the Slack app: Socket Mode (a WebSocket to Slack) or HTTP mode (an aiohttp server)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.app import SlackQuiz, arrival_context, create_app
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine

__all__ = [
    "EVENTS_PATH",
    "acknowledged_at_once",
    "connect_socket_mode",
    "run_slack",
    "serve_http",
]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def acknowledged_at_once(body: str) -> bool:
    """True for the requests the endpoint answers before bolt runs: slash commands (a form with
    a ``command`` field) and interactions (a form with one ``payload`` field: the app's
    manifest subscribes to button clicks and modal submissions only). Events (JSON) and Slack's
    ``ssl_check`` go through bolt first, as their responses depend on it."""
    return body.startswith(("payload=", "command=")) or "&command=" in body


def _web_app(quiz: SlackQuiz) -> web.Application:
    verifier = SignatureVerifier(quiz.signing_secret) if quiz.signing_secret else None

    def signed(body: str, request: web.Request) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        try:
            return verifier is not None and verifier.is_valid(body, timestamp, signature)
        except ValueError:  # a timestamp that is not a number
            return False

    async def handle(request: web.Request) -> web.Response:
        with quiz.post_ack.acknowledgement():
            return await respond(request)

    async def respond(request: web.Request) -> web.Response:
        body = await request.text()
        headers: dict[str, str | Sequence[str]] = dict(request.headers)
        context = arrival_context()

        def bolt_request() -> AsyncBoltRequest:
            return AsyncBoltRequest(
                body=body, query=request.query_string, headers=headers, context=context
            )

        if acknowledged_at_once(body) and signed(body, request):
            # Acknowledge first: bolt's parsing and matching wait until the response is out
            # (a burst of clicks is acknowledged before any of them is worked on).
            quiz.dispatch_acknowledged(bolt_request)
            return web.Response(status=200)
        return await to_aiohttp_response(await quiz.app.async_dispatch(bolt_request()))

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, handle)
    return web_app


@asynccontextmanager
async def serve_http(quiz: SlackQuiz, host: str, port: int) -> AsyncIterator[int]:
    """Serve Slack's requests on ``host:port`` at ``/slack/events``; yields the bound port.

    On exit the server stops and the work already acknowledged is finished.
    """
    runner = web.AppRunner(_web_app(quiz), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, backlog=1024)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        log.info("Slack HTTP mode listening on %s:%s%s", host, bound, EVENTS_PATH)
        yield int(bound)
    finally:
        await runner.cleanup()
        await quiz.drain()


@asynccontextmanager
async def connect_socket_mode(quiz: SlackQuiz, app_token: str) -> AsyncIterator[None]:
    """Connect to Slack over Socket Mode with the app-level token (``xapp-…``).

    On exit the connection closes and the work already acknowledged is finished.
    """
    handler = AsyncSocketModeHandler(quiz.app, app_token)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode connected")
        yield
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await quiz.drain()


async def run_slack(engine: QuizEngine, settings: Settings) -> None:
    """Run the Slack adapter until cancelled.

    Socket Mode when ``SLACK_APP_TOKEN`` is set; otherwise HTTP mode, which needs
    ``SLACK_SIGNING_SECRET`` and listens on ``QUIZBOT_HTTP_HOST:QUIZBOT_HTTP_PORT``.
    Rounds closing on their timer are edited through the outbox this registers.
    """
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise ConfigError(
            "Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)"
        )
    quiz = create_app(engine, settings)
    forever: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if settings.slack_app_token:
        async with connect_socket_mode(quiz, settings.slack_app_token):
            await forever
    else:
        async with serve_http(quiz, settings.quizbot_http_host, settings.quizbot_http_port):
            await forever
