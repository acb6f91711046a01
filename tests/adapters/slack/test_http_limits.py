"""What a client may send the HTTP endpoint, and how slowly: oversized bodies, the budget of
bodies in flight, slow heads and bodies; a body still arriving delays no post-ack work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from bot.adapters.slack import SlackQuiz, serve_http
from bot.adapters.slack.endpoint import SlackEndpoint
from bot.adapters.slack.limits import ByteBudget, HttpLimits
from tests.adapters.slack.helpers import command_form
from tests.adapters.slack.raw_http import head, open_raw, signed_headers, status_of
from tests.fakes.slack_api import FakeSlack

KIB = 1024
LIMITS = HttpLimits(
    max_body_bytes=256 * KIB,
    small_body_bytes=16 * KIB,
    small_bodies_bytes=64 * KIB,
    large_bodies_bytes=256 * KIB,
    head_timeout_s=0.3,
    body_timeout_s=0.3,
    linger_s=0.1,
)


@pytest.fixture
def endpoint(quiz: SlackQuiz) -> SlackEndpoint:
    return SlackEndpoint(quiz, LIMITS)


@pytest.fixture
async def port(quiz: SlackQuiz, endpoint: SlackEndpoint) -> AsyncIterator[int]:
    async with serve_http(quiz, "127.0.0.1", 0, endpoint) as bound:
        yield bound


async def until_held(budget: ByteBudget, size: int) -> None:
    """Wait until ``budget`` holds ``size`` bytes (the server has read the request's head)."""
    for _ in range(1000):
        if budget.held == size:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"the budget holds {budget.held} bytes, not {size}")


async def signed_command(port: int, slack: FakeSlack) -> int:
    """Send a signed /leaderboard over a fresh connection; its status."""
    body = urlencode(command_form(slack, "/leaderboard")).encode()
    async with open_raw(port) as (reader, writer):
        writer.write(head(len(body), signed_headers(body)) + body)
        return await status_of(reader)


async def test_a_body_declared_larger_than_the_limit_is_refused_unread(port: int) -> None:
    async with open_raw(port) as (reader, writer):
        writer.write(head(LIMITS.max_body_bytes + 1))  # and not one byte of it
        assert await status_of(reader) == 413


async def test_a_chunked_body_growing_past_the_limit_is_refused(port: int) -> None:
    chunk = b"x" * (64 * KIB)
    async with open_raw(port) as (reader, writer):
        writer.write(head(None))
        for _ in range(5):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert await status_of(reader) == 413


async def test_bodies_in_flight_are_bounded_and_small_ones_keep_their_share(
    port: int, endpoint: SlackEndpoint, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    size = LIMITS.large_bodies_bytes
    async with open_raw(port) as (slow_reader, slow_writer):
        slow_writer.write(head(size) + b"payload=")  # the rest never comes in time
        await until_held(endpoint.large_bodies, size)
        async with open_raw(port) as (reader, writer):
            writer.write(head(32 * KIB) + b"x" * (32 * KIB))
            assert await status_of(reader) == 503
        assert await signed_command(port, slack) == 200
        assert await status_of(slow_reader) == 408
    await quiz.drain()
    assert len(slack.calls_to("response_url")) == 1
    assert (endpoint.large_bodies.held, endpoint.small_bodies.held) == (0, 0)
    assert endpoint.large_bodies.peak == size


async def test_a_body_still_arriving_is_no_acknowledgement_in_progress(
    port: int, endpoint: SlackEndpoint, quiz: SlackQuiz
) -> None:
    async with open_raw(port) as (reader, writer):
        writer.write(head(100) + b"command=")
        await until_held(endpoint.small_bodies, 100)
        assert quiz.post_ack.acknowledging == 0
        assert await status_of(reader) == 408


async def test_a_connection_that_never_finishes_its_head_is_closed(port: int) -> None:
    async with open_raw(port) as (reader, writer):
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: quizbot\r\n")  # no blank line
        assert await asyncio.wait_for(reader.read(), 10) == b""


async def test_broken_requests_are_logged_in_throttled_lines_without_traceback(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        async with open_raw(port) as (reader, writer):
            writer.write(b"POST /slack/events HTTP/1.1\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\n")
            assert await status_of(reader) == 400
    lines = [r for r in caplog.records if r.name == "bot.adapters.slack.http"]
    assert len(lines) == 1
    assert "Error handling request from 127.0.0.1: LineTooLong" in lines[0].getMessage()
    assert "Traceback" not in caplog.text and lines[0].exc_info is None
