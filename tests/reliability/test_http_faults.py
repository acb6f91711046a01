"""Fault injection against the real Slack HTTP endpoint over loopback: slow heads, slow bodies,
many concurrent large and oversized bodies, malformed timestamps, charsets and JSON, all at once
while real signed commands arrive. Each real command must still be acknowledged within Slack's
3 s, and memory and log output must stay bounded. The counts run are printed and recorded."""

from __future__ import annotations

import asyncio
import collections
import io
import json
import logging
import resource
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.slack import SlackQuiz, create_app, serve_http
from bot.adapters.slack.endpoint import SlackEndpoint
from bot.adapters.slack.limits import MIB, HttpLimits
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import BOT_TOKEN, SECRET, SlackClient
from tests.adapters.slack.raw_http import head, open_raw, signed_headers, status_of
from tests.fakes.slack_api import FakeSlack

# Production sizes and budgets; shorter timeouts keep the run short.
LIMITS = HttpLimits(head_timeout_s=1.0, body_timeout_s=1.0)
SLOW_HEADS = 150
SLOW_BODIES = 20
LARGE_BODIES = 120  # unsigned, 1 MiB each, all at once
OVERSIZED = 40  # declaring more than the limit
REAL_COMMANDS = 10
MARKER = b"FAULT-BODY-MARKER"
CHUNK = 64 * 1024
MAX_RSS_GROWTH_MB = 96
MAX_LOG_BYTES = 16 * 1024
LARGE_BODY = memoryview(MARKER + b"x" * (MIB - len(MARKER)))  # one copy for every sender


@pytest.fixture(autouse=True)
def descriptors() -> Iterator[None]:
    """Room for every connection's two ends (client and server run in this process)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def quiz(engine: QuizEngine, slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> SlackQuiz:
    caplog.set_level(logging.INFO)  # before the app exists: bolt's loggers copy the level
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
    )
    return create_app(engine, settings)


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


async def slow_head(port: int) -> int:
    """Half a request head, then silence; 0 once the server closed the connection."""
    async with open_raw(port) as (reader, writer):
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: quizbot\r\nContent-Len")
        return await status_of(reader)


async def slow_body(port: int) -> int:
    """A head, then a byte every 0.25 s."""
    async with open_raw(port) as (reader, writer):
        writer.write(head(1000) + b"payload=")
        answer = asyncio.ensure_future(status_of(reader))
        while not answer.done():
            writer.write(b"x")
            await asyncio.wait([answer], timeout=0.25)
        return answer.result()


async def large_body(port: int) -> int:
    """1 MiB (the limit), unsigned, sent as fast as the server reads it."""
    body = LARGE_BODY
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=0"}
    async with open_raw(port) as (reader, writer):
        writer.write(head(len(body), forged, "application/json"))
        answer = asyncio.ensure_future(status_of(reader))
        for start in range(0, len(body), CHUNK):
            if answer.done():  # refused before the whole body was sent
                break
            writer.write(body[start : start + CHUNK])
            try:
                await writer.drain()
            except ConnectionError:
                break
        return await answer


async def oversized(port: int) -> int:
    async with open_raw(port) as (reader, writer):
        writer.write(head(LIMITS.max_body_bytes * 4))
        return await status_of(reader)


def malformed_requests() -> list[tuple[bytes, dict[str, str], str]]:
    """(body, headers, content type) of requests each refused for one reason."""
    event = b'{"type": "event_callback"}'
    form = b"command=%2Fquiz&text=" + MARKER
    requests = [
        (event, {**signed_headers(event), "X-Slack-Request-Timestamp": stamp}, "application/json")
        for stamp in ("abc", "1e10", "9" * 400, "")
    ]
    requests.append((form, signed_headers(form), "application/x-www-form-urlencoded; charset=foo"))
    requests.append((b"payload=\xff" + MARKER, signed_headers(b"payload=\xff" + MARKER), "text/x"))
    for body in (b"{" + MARKER, b"[" * 50_000, b"[" + MARKER + b"]"):
        requests.append((body, signed_headers(body), "application/json"))
    return requests


async def malformed(port: int, body: bytes, headers: dict[str, str], content_type: str) -> int:
    async with open_raw(port) as (reader, writer):
        writer.write(head(len(body), headers, content_type) + body)
        return await status_of(reader)


async def test_real_commands_are_acknowledged_in_time_while_the_endpoint_is_under_attack(
    quiz: SlackQuiz,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    record_property: pytest.RecordProperty,
) -> None:
    endpoint = SlackEndpoint(quiz, LIMITS)
    log_output = io.StringIO()
    handler = logging.StreamHandler(log_output)
    logging.getLogger().addHandler(handler)
    baseline_mb, peak_mb = rss_mb(), 0.0
    try:
        async with (
            serve_http(quiz, "127.0.0.1", 0, endpoint) as port,
            aiohttp.ClientSession() as session,
            asyncio.timeout(60),
        ):
            real = SlackClient(session, f"http://127.0.0.1:{port}/slack/events", slack)
            attacks: list[Awaitable[int]] = [slow_head(port) for _ in range(SLOW_HEADS)]
            attacks += [slow_body(port) for _ in range(SLOW_BODIES)]
            attacks += [large_body(port) for _ in range(LARGE_BODIES)]
            attacks += [oversized(port) for _ in range(OVERSIZED)]
            attacks += [malformed(port, *request) for request in malformed_requests()]
            attack = asyncio.gather(*attacks)
            acknowledged = []
            for _ in range(REAL_COMMANDS):  # real.post asserts Slack's 3 s deadline
                acknowledged.append(await real.command("/leaderboard"))
                peak_mb = max(peak_mb, rss_mb())
                await asyncio.sleep(0.1)
            statuses = await attack
            peak_mb = max(peak_mb, rss_mb())
            await quiz.drain()
    finally:
        logging.getLogger().removeHandler(handler)

    counts = collections.Counter(statuses)
    slowest = max(reply.elapsed for reply in acknowledged)
    report = {
        "slow_heads": SLOW_HEADS,
        "slow_bodies": SLOW_BODIES,
        "large_bodies": LARGE_BODIES,
        "oversized": OVERSIZED,
        "malformed": len(malformed_requests()),
        "real_commands": REAL_COMMANDS,
        "statuses": dict(sorted(counts.items())),
        "slowest_ack_s": round(slowest, 3),
        "rss_growth_mb": round(peak_mb - baseline_mb, 1),
        "large_bodies_peak_bytes": endpoint.large_bodies.peak,
        "log_bytes": len(log_output.getvalue()),
    }
    print("http faults:", json.dumps(report))
    for name, value in report.items():
        record_property(name, value)

    assert [reply.status for reply in acknowledged] == [200] * REAL_COMMANDS
    assert len(slack.calls_to("response_url")) == REAL_COMMANDS  # each one answered too
    assert counts[0] == SLOW_HEADS  # closed by the server
    assert counts[408] == SLOW_BODIES
    assert counts[413] == OVERSIZED
    assert counts[401] + counts[503] == LARGE_BODIES + 4  # + the four malformed timestamps
    assert counts[400] == 4 and counts[415] == 1
    assert endpoint.large_bodies.peak <= LIMITS.large_bodies_bytes
    assert peak_mb - baseline_mb < MAX_RSS_GROWTH_MB
    assert len(log_output.getvalue()) < MAX_LOG_BYTES
    assert MARKER.decode() not in log_output.getvalue() and "Traceback" not in caplog.text
