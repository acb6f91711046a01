"""Helpers of the OAuth tests: Quizbot distributed with OAuth, served over real HTTP, and a
browser that goes through "Add to Slack" against the fake Slack."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.adapters.slack import SlackQuiz, create_app, serve_http
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import SECRET, SlackClient
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlack, Workspace

__all__ = [
    "ALPHA",
    "BETA",
    "REDIRECT_URI",
    "Browser",
    "OAuthServer",
    "event_body",
    "oauth_settings",
    "serve_oauth",
    "uninstall_event",
]

REDIRECT_URI = "https://quizbot.example.com/slack/oauth_redirect"
ALPHA = Workspace("T0ALPHA", "Alpha")
BETA = Workspace("T0BETA", "Beta")


def oauth_settings(slack: FakeSlack, **more: Any) -> Settings:
    """Settings of Quizbot distributed with OAuth, against the fake Slack."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SECRET,
        slack_redirect_uri=REDIRECT_URI,
        slack_api_url=slack.api_url,
        **more,
    )


@dataclass
class Page:
    """A page the app served to the browser."""

    status: int
    text: str
    headers: dict[str, str]


class Browser:
    """An installing admin's browser: keeps the state cookie like a browser does."""

    def __init__(self, session: aiohttp.ClientSession, base: str, slack: FakeSlack) -> None:
        self.session = session
        self.base = base
        self.slack = slack
        self.cookie = ""

    async def get(self, path: str, params: dict[str, str] | None = None) -> Page:
        """GET ``path`` of the app, sending the cookie kept so far."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        async with self.session.get(
            self.base + path, params=params, headers=headers, allow_redirects=False
        ) as response:
            text = await response.text()
            for value in response.headers.getall("Set-Cookie", []):
                pair = value.split(";", 1)[0]
                self.cookie = "" if pair.endswith("=deleted") else pair
            return Page(response.status, text, dict(response.headers))

    async def start(self) -> str:
        """Open the install page; the Slack authorize URL its "Add to Slack" link points to."""
        page = await self.get("/slack/install")
        assert page.status == 200 and "Add to Slack" in page.text
        match = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]*)"', page.text)
        assert match is not None, page.text
        return html.unescape(match.group(1))

    async def install(self, workspace: Workspace) -> Page:
        """The whole flow: install page, approval on Slack, the redirect back."""
        url = await self.start()
        state = parse_qs(urlsplit(url).query)["state"][0]
        return await self.get(
            "/slack/oauth_redirect", {"code": self.slack.approve(workspace), "state": state}
        )


@dataclass
class OAuthServer:
    """The running app: its HTTP base URL, a browser and a Slack-shaped client."""

    quiz: SlackQuiz
    base: str
    browser: Browser
    client: SlackClient
    session: aiohttp.ClientSession

    def new_browser(self) -> Browser:
        """Another browser (no cookie)."""
        return Browser(self.session, self.base, self.browser.slack)


@asynccontextmanager
async def serve_oauth(
    engine: QuizEngine, slack: FakeSlack, settings: Settings | None = None
) -> AsyncIterator[OAuthServer]:
    """Quizbot distributed with OAuth, serving real HTTP on loopback."""
    quiz = create_app(engine, settings or oauth_settings(slack))
    jar = aiohttp.DummyCookieJar()  # the browser keeps its cookie itself
    async with (
        serve_http(quiz, "127.0.0.1", 0) as port,
        aiohttp.ClientSession(cookie_jar=jar) as session,
    ):
        base = f"http://127.0.0.1:{port}"
        yield OAuthServer(
            quiz,
            base,
            Browser(session, base, slack),
            SlackClient(session, f"{base}/slack/events", slack),
            session,
        )


def uninstall_event(workspace: Workspace, kind: str = "app_uninstalled") -> str:
    """The body of an ``app_uninstalled`` (or ``tokens_revoked``) event as Slack sends it (for
    an org-wide install it names the organisation only)."""
    event: dict[str, Any] = {"type": kind, "event_ts": f"{time.time():.6f}"}
    if kind == "tokens_revoked":
        event["tokens"] = {"oauth": [], "bot": [f"U0BOT{workspace.key}"]}
    return event_body(workspace, event, org_level=workspace.org_wide)


def event_body(workspace: Workspace, event: dict[str, Any], *, org_level: bool = False) -> str:
    """An Events API callback from ``workspace``, with the authorizations Slack adds; an
    ``org_level`` one names the organisation instead of a workspace."""
    body = {
        "token": "legacy",
        "team_id": workspace.enterprise_id if org_level else workspace.team_id,
        "enterprise_id": workspace.enterprise_id,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": workspace.enterprise_id,
                "team_id": None if workspace.org_wide else workspace.team_id,
                "user_id": f"U0BOT{workspace.key}",
                "is_bot": True,
                "is_enterprise_install": workspace.org_wide,
            }
        ],
        "is_ext_shared_channel": False,
        "event": event,
    }
    return json.dumps(body)
