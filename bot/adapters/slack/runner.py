"""Running the Slack app: Socket Mode (a WebSocket to Slack) or HTTP mode (an aiohttp server).

Distributed with OAuth (:mod:`bot.adapters.slack.oauth`), the HTTP server also serves the
install page (``/slack/install``) and the OAuth redirect (``/slack/oauth_redirect``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.adapters.slack.app import SlackQuiz, create_app
from bot.adapters.slack.endpoint import EVENTS_PATH, SlackEndpoint, web_app
from bot.adapters.slack.logs import ThrottledLogger
from bot.adapters.slack.oauth import add_oauth_routes
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine

__all__ = [
    "EVENTS_PATH",
    "SlackEndpoint",
    "connect_socket_mode",
    "run_slack",
    "serve_http",
]

log = logging.getLogger(__name__)


@asynccontextmanager
async def serve_http(
    quiz: SlackQuiz, host: str, port: int, endpoint: SlackEndpoint | None = None
) -> AsyncIterator[int]:
    """Serve Slack's requests on ``host:port`` at ``/slack/events`` (and, distributed with
    OAuth, the install flow's pages); yields the bound port.

    ``endpoint`` answers them (default: a :class:`SlackEndpoint` with the default
    :class:`~bot.adapters.slack.limits.HttpLimits`). On exit the server stops and the work
    already acknowledged is finished.
    """
    endpoint = endpoint or SlackEndpoint(quiz)
    limits = endpoint.limits
    served = web_app(endpoint)
    flow = quiz.app.oauth_flow
    if flow is not None:
        add_oauth_routes(served, flow)
    runner = web.AppRunner(
        served,
        access_log=None,
        # aiohttp closes a connection idle this long, also one that never completed its first
        # request head (slow headers); its lines about broken requests are throttled.
        keepalive_timeout=limits.head_timeout_s,
        lingering_time=limits.linger_s,
        logger=ThrottledLogger(logging.getLogger("bot.adapters.slack.http")),
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, backlog=1024)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        log.info("Slack HTTP mode listening on %s:%s%s", host, bound, EVENTS_PATH)
        if flow is not None:
            log.info("Slack install page: http://%s:%s%s", host, bound, flow.install_path)
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
