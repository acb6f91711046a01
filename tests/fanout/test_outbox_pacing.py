"""The real outboxes against the fakes with the platforms' limits on: paced, no 429s, and a
channel that refuses access answered once and called gone (never retried)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
    import discord
from discord.http import Route
from slack_sdk.errors import SlackApiError

from bot.adapters.discord.outbox import DiscordOutbox
from bot.adapters.slack import SlackOutbox, make_client
from bot.adapters.slack.pacing import SlackPacing
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, QuestionCard, Team
from bot.pacing import RateLimiter
from tests.conftest import FakeClock
from tests.fakes.discord_api import DiscordLimits, FakeDiscord
from tests.fakes.slack_api import FakeSlack, SlackLimits

GUILD = Team("discord", "222222222222222222")
CARD = QuestionCard(
    round_id=1,
    kind="daily",
    mode="choice",
    question_id="q",
    category="alpha",
    category_title="Alpha",
    difficulty="easy",
    prompt="Red?",
    choices=("Mars", "Venus", "Jupiter", "Mercury"),
    closes_at=1_764_000_000.0,
    time_limit_s=60,
)


def discord_channel(number: int) -> Channel:
    return Channel(GUILD, str(700_000_000_000_000_000 + number), f"c{number}")


async def started(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    await fake.start()
    base = Route.BASE
    Route.BASE = fake.api_url
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login("fake-token")
        yield client
    finally:
        await client.close()
        Route.BASE = base
        await fake.close()


@pytest.fixture
async def limited_discord() -> AsyncIterator[tuple[FakeDiscord, discord.Client]]:
    fake = FakeDiscord(limits=DiscordLimits())
    async for client in started(fake):
        yield fake, client


async def test_discord_posts_beyond_the_global_limit_are_paced_not_refused(
    limited_discord: tuple[FakeDiscord, discord.Client],
) -> None:
    fake, client = limited_discord
    outbox = DiscordOutbox(client)  # the real pacing: 48 a second
    refs = await asyncio.gather(*(outbox.post(discord_channel(n), CARD) for n in range(60)))
    assert len({ref.message_id for ref in refs}) == 60
    assert fake.limits is not None and fake.limits.refused == 0
    posted = [r.path.split("/")[2] for r in fake.calls("POST", "/messages")]
    assert sorted(posted) == sorted(discord_channel(n).channel_id for n in range(60))


async def test_discord_route_buckets_are_kept_by_discord_py_from_the_headers() -> None:
    fake = FakeDiscord(limits=DiscordLimits(route_period_s=0.2))
    async for client in started(fake):
        outbox = DiscordOutbox(client, RateLimiter(1000.0, 50.0))
        channel = discord_channel(1)
        refs = await asyncio.gather(*(outbox.post(channel, CARD) for _ in range(7)))
        edits = [outbox.edit(ref, CARD) for ref in refs]
        await asyncio.gather(*edits)
        assert len({ref.message_id for ref in refs}) == 7
        assert fake.limits is not None and fake.limits.refused == 0
        # seven posts and seven edits to one channel, windows of five requests: discord.py
        # waited for the next window instead of being refused
        assert len(fake.calls("POST", "/messages")) == len(fake.calls("PATCH", "/messages")) == 7


async def test_discord_no_access_is_one_request_and_channel_gone(
    limited_discord: tuple[FakeDiscord, discord.Client],
) -> None:
    fake, client = limited_discord
    channel = discord_channel(9)
    fake.forbidden_channels.add(channel.channel_id)
    outbox = DiscordOutbox(client)
    with pytest.raises(discord.Forbidden) as refused:
        await outbox.post(channel, CARD)
    assert DiscordOutbox.channel_gone(refused.value)
    assert len(fake.calls("POST", f"/channels/{channel.channel_id}/")) == 1


async def test_a_forbidden_daily_channel_pauses_its_schedule_after_one_request(
    limited_discord: tuple[FakeDiscord, discord.Client], engine: QuizEngine, clock: FakeClock
) -> None:
    fake, client = limited_discord
    channel = discord_channel(10)
    fake.forbidden_channels.add(channel.channel_id)
    engine.register_outbox("discord", DiscordOutbox(client))
    await engine.daily.set_schedule(channel, time_of_day="09:00", timezone="UTC")
    [schedule] = await engine.daily.db.active_schedules()
    slot = last_slot(spec_of(schedule), clock())
    assert await engine.daily.run_slot(schedule, slot) == "queued"
    assert await engine.publications.drain() == 1
    clock.advance(3600)  # past every retry delay: nothing is left to retry
    assert await engine.publications.drain() == 0
    assert len(fake.calls("POST", f"/channels/{channel.channel_id}/")) == 1
    paused = await engine.daily.db.schedule(schedule.team_pk, channel.channel_id)
    assert paused is not None and paused.paused


async def test_slack_updates_and_posts_are_paced_per_workspace_and_channel() -> None:
    # Slack's limits and the outbox's pacing, both sixty times faster.
    limits = SlackLimits(time_scale=60.0)
    pacing = SlackPacing(scale=60.0)
    team = Team("slack", "T1")
    async with FakeSlack(limits=limits) as slack:
        first = SlackOutbox(make_client("xoxb-first", slack.api_url), pacing=pacing)
        second = SlackOutbox(make_client("xoxb-second", slack.api_url), pacing=pacing)
        updates = [first.edit(MessageRef(f"C{n}", "1.1"), CARD) for n in range(30)]
        updates += [second.edit(MessageRef(f"D{n}", "1.1"), CARD) for n in range(30)]
        same_channel = [first.post(Channel(team, "C1", "general"), CARD) for _ in range(8)]
        await asyncio.gather(*updates, *same_channel)
    assert limits.calls["xoxb-first", "chat.update"] == 30
    assert limits.calls["xoxb-second", "chat.update"] == 30
    assert limits.channel_posts["C1"] == 8
    assert limits.refused == 0


async def test_slack_no_access_is_one_call_and_channel_gone() -> None:
    async with FakeSlack(limits=SlackLimits()) as slack:
        slack.not_in_channel.add("C9")
        outbox = SlackOutbox(make_client("xoxb-first", slack.api_url))
        with pytest.raises(SlackApiError) as refused:
            await outbox.post(Channel(Team("slack", "T1"), "C9", "gone"), CARD)
        assert SlackOutbox.channel_gone(refused.value)
        assert len(slack.calls_to("chat.postMessage")) == 1
        response = refused.value.response
        for error in ("restricted_action", "account_inactive", "token_revoked"):
            response.data = {"ok": False, "error": error}  # type: ignore[misc]
            assert SlackOutbox.channel_gone(SlackApiError("x", response))
