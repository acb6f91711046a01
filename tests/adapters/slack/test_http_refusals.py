"""Malformed and unsigned requests to the HTTP endpoint: a 4xx, one bounded log line, no body
in the logs, and nothing handed to bolt."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.adapters.slack import SlackQuiz, create_app, serve_http
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import FORM, command_form
from tests.adapters.slack.raw_http import signed_headers
from tests.fakes.slack_api import FakeSlack

MARKER = "BODY-MARKER-7f3a"
JSON = "application/json"


@pytest.fixture
async def loud_quiz(
    engine: QuizEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> SlackQuiz:
    """The app created while the root logger lets everything through (bolt's loggers take
    their level when the app is created)."""
    caplog.set_level(logging.DEBUG)
    return create_app(engine, settings)


@pytest.fixture
async def post(loud_quiz: SlackQuiz) -> AsyncIterator[aiohttp.ClientSession]:
    async with serve_http(loud_quiz, "127.0.0.1", 0) as port:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(base_url=base) as session:
            yield session


async def send(
    session: aiohttp.ClientSession, body: bytes, headers: dict[str, str], content_type: str
) -> tuple[int, str]:
    async with session.post(
        "/slack/events", data=body, headers={"Content-Type": content_type, **headers}
    ) as response:
        return response.status, await response.text()


def refusal_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused a Slack request" in r.getMessage()]


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_unsigned_bodies_are_refused_without_being_logged(
    post: aiohttp.ClientSession, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    event = json.dumps({"type": "event_callback", "secret": MARKER}).encode()
    form = urlencode({"payload": json.dumps({"type": "block_actions", "x": MARKER})}).encode()
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    statuses = [await send(post, event, forged, JSON) for _ in range(20)]
    statuses += [await send(post, form, forged, FORM) for _ in range(20)]
    statuses += [await send(post, event, {}, JSON) for _ in range(5)]
    assert {status for status, _ in statuses} == {401}
    assert MARKER not in caplog.text
    lines = refusal_lines(caplog)
    assert lines == [
        "refused a Slack request: 401 bad signature (from 127.0.0.1)",
        "refused a Slack request: 401 unsigned (from 127.0.0.1)",
    ]  # 45 refusals within 10 s: one line per kind
    assert slack.api_calls() == []
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    "timestamp", ["abc", "1e10", "9" * 400, "", "-1", "+1764000000", "１７６４", "1764000000.5"]
)
@pytest.mark.parametrize("content_type", [JSON, FORM])
async def test_a_malformed_timestamp_is_refused_with_401(
    post: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    timestamp: str,
    content_type: str,
) -> None:
    body = b'{"type": "event_callback"}' if content_type == JSON else b"command=%2Fquiz"
    headers = {**signed_headers(body), "X-Slack-Request-Timestamp": timestamp}
    status, text = await send(post, body, headers, content_type)
    assert status == 401
    assert text in ("malformed timestamp", "unsigned")
    assert len(refusal_lines(caplog)) == 1
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (b"payload=\xff\xfe", FORM, 400, "body not UTF-8"),
        (b"command=%2Fquiz", FORM + "; charset=foo", 415, "charset not UTF-8"),
        (b"command=%2Fquiz", FORM + "; charset=latin-1", 415, "charset not UTF-8"),
        (b"{not json", JSON, 400, "JSON not valid"),
        (b"[" * 100_000 + b"]" * 100_000, JSON, 400, "JSON nested too deep"),
        (b"[1]", JSON, 400, "JSON not an object"),
        (b'"x"', JSON, 400, "JSON not an object"),
        (b"token=x&payload=%5B1%5D", FORM, 400, "JSON not an object"),
    ],
)
async def test_a_signed_but_malformed_body_gets_a_4xx_and_one_line(
    post: aiohttp.ClientSession,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    status: int,
    reason: str,
) -> None:
    assert await send(post, body, signed_headers(body), content_type) == (status, reason)
    assert refusal_lines(caplog) == [f"refused a Slack request: {status} {reason} (from 127.0.0.1)"]
    assert_no_traceback(caplog)
    assert slack.api_calls() == []


async def test_charset_utf8_is_accepted(
    post: aiohttp.ClientSession, loud_quiz: SlackQuiz, slack: FakeSlack
) -> None:
    body = urlencode(command_form(slack, "/leaderboard")).encode()
    status, _ = await send(post, body, signed_headers(body), FORM + "; charset=UTF-8")
    await loud_quiz.drain()
    assert status == 200
    assert len(slack.calls_to("response_url")) == 1


async def test_slacks_unsigned_ssl_check_gets_an_empty_200_and_nothing_else(
    post: aiohttp.ClientSession, loud_quiz: SlackQuiz, slack: FakeSlack
) -> None:
    assert await send(post, b"ssl_check=1&token=legacy", {}, FORM) == (200, "")
    smuggled = urlencode({"ssl_check": "1", **command_form(slack, "/quiz")}).encode()
    assert await send(post, smuggled, {}, FORM) == (200, "")  # a check: not dispatched
    await loud_quiz.drain()
    assert slack.api_calls() == []


async def test_bolt_itself_logs_no_body_of_a_request_it_refuses(
    loud_quiz: SlackQuiz, caplog: pytest.LogCaptureFixture
) -> None:
    # Behind the endpoint bolt sees only signed requests; its own check must stay quiet too.
    body = json.dumps({"type": "event_callback", "secret": MARKER})
    forged = {"content-type": JSON, "x-slack-request-timestamp": "1", "x-slack-signature": "v0"}
    response = await loud_quiz.app.async_dispatch(AsyncBoltRequest(body=body, headers=forged))
    assert response.status == 401
    assert MARKER not in caplog.text
