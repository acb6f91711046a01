"""The fakes enforce the platforms' rate limits when asked to, over real HTTP.

The limits run at ``time_scale=0.001`` (a thousand times slower) so nothing refills while a
test runs: what is refused depends on counts alone, never on how fast the machine is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.discord_api import DiscordLimits, FakeDiscord
from tests.fakes.slack_api import FakeSlack, SlackLimits

FROZEN = 0.001
EMBED = {"embeds": [{"title": "Daily question", "description": "Red?"}]}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def discord_post(
    http: aiohttp.ClientSession, fake: FakeDiscord, channel: str
) -> tuple[int, Any, dict[str, str]]:
    url = f"{fake.api_url}/channels/{channel}/messages"
    async with http.post(url, json=EMBED, headers={"Authorization": "Bot t"}) as response:
        return response.status, await response.json(), dict(response.headers)


async def test_discord_global_limit_answers_429_with_the_real_body_and_headers(
    http: aiohttp.ClientSession,
) -> None:
    limits = DiscordLimits(time_scale=FROZEN)
    fake = FakeDiscord(limits=limits)
    await fake.start()
    try:
        channels = [str(700_000_000_000_000_000 + n) for n in range(60)]
        results = await asyncio.gather(*(discord_post(http, fake, c) for c in channels))
    finally:
        await fake.close()
    statuses = [status for status, _, _ in results]
    assert statuses.count(200) == 50 and statuses.count(429) == 10
    _, body, headers = next(r for r in results if r[0] == 429)
    assert body["message"] == "You are being rate limited." and body["global"] is True
    assert body["retry_after"] > 0
    assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
    assert int(headers["Retry-After"]) >= 1 and headers["Via"]
    assert (limits.requests, limits.refused, limits.refused_global) == (60, 10, 10)
    assert len(fake.messages) == 50


async def test_discord_route_buckets_are_announced_and_enforced_per_channel(
    http: aiohttp.ClientSession,
) -> None:
    limits = DiscordLimits(time_scale=FROZEN)
    fake = FakeDiscord(limits=limits)
    await fake.start()
    try:
        first = [await discord_post(http, fake, "700000000000000001") for _ in range(6)]
        other = await discord_post(http, fake, "700000000000000002")
    finally:
        await fake.close()
    remaining = [int(headers["X-RateLimit-Remaining"]) for _, _, headers in first]
    assert remaining == [4, 3, 2, 1, 0, 0]
    assert all(headers["X-RateLimit-Limit"] == "5" for _, _, headers in first)
    status, body, headers = first[5]
    assert status == 429 and body["global"] is False and headers["X-RateLimit-Scope"] == "user"
    assert "X-RateLimit-Global" not in headers
    assert other[0] == 200 and other[2]["X-RateLimit-Remaining"] == "4"
    buckets = {headers["X-RateLimit-Bucket"] for _, _, headers in [*first, other]}
    assert len(buckets) == 1  # one route, two channels: one bucket hash
    assert float(other[2]["X-RateLimit-Reset-After"]) > 0
    assert (limits.requests, limits.refused, limits.refused_global) == (7, 1, 0)


async def test_discord_without_limits_sends_no_bucket_headers_and_refuses_nothing(
    http: aiohttp.ClientSession,
) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        results = await asyncio.gather(
            *(discord_post(http, fake, "700000000000000003") for _ in range(60))
        )
    finally:
        await fake.close()
    assert {status for status, _, _ in results} == {200}
    assert not any("X-RateLimit-Limit" in headers for _, _, headers in results)


def test_discord_limits_refuse_a_nonsense_configuration() -> None:
    with pytest.raises(ValueError, match="positive"):
        DiscordLimits(time_scale=0)


async def slack_call(
    http: aiohttp.ClientSession, slack: FakeSlack, method: str, token: str, **args: Any
) -> tuple[int, Any, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{slack.api_url}{method}", json=args, headers=headers) as response:
        return response.status, await response.json(), dict(response.headers)


async def test_slack_allows_one_post_per_second_per_channel_with_a_short_burst(
    http: aiohttp.ClientSession,
) -> None:
    limits = SlackLimits(channel_burst=2.0, time_scale=FROZEN)
    async with FakeSlack(limits=limits) as slack:
        same = [
            await slack_call(http, slack, "chat.postMessage", "xoxb-a", channel="C1", text="q")
            for _ in range(3)
        ]
        other = await slack_call(http, slack, "chat.postMessage", "xoxb-a", channel="C2", text="q")
    assert [status for status, _, _ in same] == [200, 200, 429]
    _, body, headers = same[2]
    assert body == {"ok": False, "error": "ratelimited"}
    assert headers["Retry-After"].isdigit() and int(headers["Retry-After"]) >= 1
    assert other[0] == 200 and other[1]["ok"] is True
    assert (limits.requests, limits.refused) == (4, 1)
    assert limits.channel_posts["C1"] == 2 and limits.calls["xoxb-a", "chat.postMessage"] == 4


async def test_slack_limits_each_workspace_and_method_on_its_own(
    http: aiohttp.ClientSession,
) -> None:
    limits = SlackLimits(
        per_workspace_per_minute={"chat.update": 60.0, "chat.postMessage": 600.0},
        workspace_burst_s=5.0,
        time_scale=FROZEN,
    )
    async with FakeSlack(limits=limits) as slack:
        updates = [
            await slack_call(
                http, slack, "chat.update", "xoxb-a", channel=f"C{n}", ts="1.1", text="r"
            )
            for n in range(6)
        ]
        elsewhere = await slack_call(
            http, slack, "chat.update", "xoxb-b", channel="C9", ts="1.1", text="r"
        )
        post = await slack_call(http, slack, "chat.postMessage", "xoxb-a", channel="C8", text="q")
        unlimited = await slack_call(http, slack, "users.info", "xoxb-a", user="U1")
    # 60 a minute with 5 s of burst: five at once, the sixth refused.
    assert [status for status, _, _ in updates] == [200] * 5 + [429]
    assert elsewhere[0] == 200 and post[0] == 200 and unlimited[0] == 200
    assert limits.calls["xoxb-a", "chat.update"] == 6 and limits.refused == 1
    assert limits.rate("chat.update") == pytest.approx(FROZEN)


async def test_slack_without_limits_refuses_nothing(http: aiohttp.ClientSession) -> None:
    async with FakeSlack() as slack:
        results = [
            await slack_call(http, slack, "chat.postMessage", "xoxb-a", channel="C1", text="q")
            for _ in range(5)
        ]
    assert {status for status, _, _ in results} == {200}
