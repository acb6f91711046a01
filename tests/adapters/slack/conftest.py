"""Fixtures for the Slack adapter: the fake Slack API, the real app and its real HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.adapters.slack import SlackQuiz, create_app, serve_http
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import BOT_TOKEN, SECRET, SlackClient
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def settings(slack: FakeSlack) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        slack_admin_user_ids="U9LISTED, U9OTHER",
    )


@pytest.fixture
def quiz(engine: QuizEngine, settings: Settings) -> SlackQuiz:
    return create_app(engine, settings)


@pytest.fixture
async def client(quiz: SlackQuiz, slack: FakeSlack) -> AsyncIterator[SlackClient]:
    async with serve_http(quiz, "127.0.0.1", 0) as port, aiohttp.ClientSession() as session:
        yield SlackClient(session, f"http://127.0.0.1:{port}/slack/events", slack)
