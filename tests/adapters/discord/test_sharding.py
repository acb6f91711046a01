"""Two replicas of a sharded bot (slices 0-1 and 2-3 of 4 shards) on one database, over real
gateway connections to the fake: identifies taken in turns per bucket across replicas, each
guild's events on its shard's replica, and a button working on whichever replica gets it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord import QuizBot, ShardedQuizBot, create_bot, run_discord
from bot.config import load_settings
from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank
from storage.store import Store
from tests.adapters.discord.conftest import Driver
from tests.conftest import FakeClock
from tests.fakes.discord_api import FakeDiscord, shard_of

SHARDS = 4
HOLD_S = 0.5  # the identify lock's hold in these tests (Discord's window is 5 s)
SLICES = ("0-1", "2-3")


def guild_on_shard(shard: int, count: int = SHARDS) -> str:
    """A guild id (a snowflake) whose events go to ``shard``."""
    high = 222222222222222222 >> 22
    high += (shard - high) % count
    return str(high << 22 | 4242)


GUILDS = {shard: guild_on_shard(shard) for shard in range(SHARDS)}
CHANNELS = {shard: str(444444444444444400 + shard) for shard in range(SHARDS)}


@dataclass
class Replica:
    """One replica: its own store (on the shared database file), engine and client."""

    store: Store
    engine: QuizEngine
    client: QuizBot
    task: asyncio.Task[None]


@pytest.fixture
async def sharded_fake(endpoints: None) -> AsyncIterator[FakeDiscord]:
    """The fake with four guilds, one per shard, and two identify buckets."""
    server = FakeDiscord(
        guilds={GUILDS[shard]: [CHANNELS[shard]] for shard in range(SHARDS)},
        recommended_shards=SHARDS,
        max_concurrency=2,
    )
    await server.start()
    yield server
    await server.close()


@contextlib.asynccontextmanager
async def replica(
    fake: FakeDiscord, database: Path, bank: QuestionBank, shard_ids: str, count: str
) -> AsyncIterator[Replica]:
    """A replica running ``shard_ids`` of ``count`` shards until the block ends."""
    settings = load_settings(
        discord_token="fake-token",
        discord_api_base_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        discord_shard_count=count,
        discord_shard_ids=shard_ids,
    )
    store = await Store.open(database)
    engine = QuizEngine(
        store, bank, clock=FakeClock(), rng=random.Random(len(shard_ids)), round_seconds=60
    )
    client = create_bot(engine, settings, identify_hold_s=HOLD_S)
    task = asyncio.create_task(client.start("fake-token"))
    try:
        yield Replica(store, engine, client, task)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.shutdown()
        await client.close()
        await store.close()


@contextlib.asynccontextmanager
async def two_replicas(
    fake: FakeDiscord, tmp_path: Path, bank: QuestionBank, count: str = str(SHARDS)
) -> AsyncIterator[tuple[Replica, Replica]]:
    """Both replicas started at once, returned once every shard is ready."""
    database = tmp_path / "quizbot.db"
    async with (
        replica(fake, database, bank, SLICES[0], count) as first,
        replica(fake, database, bank, SLICES[1], count) as second,
    ):
        async with asyncio.timeout(60):
            await first.client.wait_until_ready()
            await second.client.wait_until_ready()
        yield first, second


def bucket_gaps(fake: FakeDiscord, max_concurrency: int) -> dict[int, list[float]]:
    """Per identify bucket, the fake's times between consecutive identifies."""
    times: dict[int, list[float]] = {}
    for record in fake.identified:
        assert record.shard is not None
        times.setdefault(record.shard[0] % max_concurrency, []).append(record.at)
    return {bucket: [b - a for a, b in itertools.pairwise(at)] for bucket, at in times.items()}


async def test_each_shard_identifies_once_and_a_bucket_waits_across_replicas(
    sharded_fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake = sharded_fake
    async with two_replicas(fake, tmp_path, bank) as (first, second):
        assert sorted(fake.identified_shards()) == [0, 1, 2, 3]
        assert {record.shard for record in fake.identified} == {(s, SHARDS) for s in range(4)}
        assert isinstance(first.client, ShardedQuizBot)
        assert set(first.client.shards) == {0, 1} and set(second.client.shards) == {2, 3}
        gaps = bucket_gaps(fake, max_concurrency=2)
        # bucket 0 holds shard 0 (first replica) and shard 2 (second): two identifies in turn
        assert sorted(gaps) == [0, 1] and all(len(g) == 1 for g in gaps.values())
        assert all(gap >= HOLD_S for g in gaps.values() for gap in g), gaps
        # each replica sees only its own shards' guilds (READY and GUILD_CREATE per shard)
        assert {str(g.id) for g in first.client.guilds} == {GUILDS[0], GUILDS[1]}
        assert {str(g.id) for g in second.client.guilds} == {GUILDS[2], GUILDS[3]}
        assert fake.session_starts == 1000 - SHARDS


async def test_shards_identifying_again_take_turns_across_replicas(
    sharded_fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake = sharded_fake
    async with two_replicas(fake, tmp_path, bank):
        # Discord drops the sessions of shard 0 (first replica) and 2 (second), one bucket
        await fake.invalidate_session(0)
        await fake.invalidate_session(2)
        async with asyncio.timeout(30):
            await fake.wait_identified(SHARDS + 2)
        again = sorted(fake.identified_shards()[SHARDS:])
        assert again == [0, 2]
        gaps = bucket_gaps(fake, max_concurrency=2)
        assert len(gaps[0]) == 3 and all(gap >= HOLD_S for gap in gaps[0]), gaps


async def quiz_through_the_gateway(
    fake: FakeDiscord, holder: QuizBot, shard: int, *options: tuple[str, str]
) -> dict[str, Any]:
    """``/quiz`` in the guild on ``shard``, sent by the fake's gateway (to that shard only);
    checks that ``holder`` (the replica running it) answered, and returns the question."""
    guild, channel = GUILDS[shard], CHANNELS[shard]
    assert shard_of(guild, SHARDS) == shard
    opts = [{"name": name, "type": 3, "value": value} for name, value in options]
    quiz = Driver.payload(
        2,
        {"id": "1", "name": "quiz", "type": 1, "guild_id": guild, "options": opts},
        guild=guild,
        channel=channel,
    )
    received = asyncio.create_task(
        holder.wait_for("interaction", check=lambda i: str(i.id) == quiz["id"])
    )
    fake.open_interaction(quiz["id"], quiz["token"], channel, quiz["member"]["user"])
    await fake.push("INTERACTION_CREATE", quiz)
    await fake.answered(quiz["token"])
    async with asyncio.timeout(5):
        assert str((await received).id) == quiz["id"]
    # one replica answered: a second response would have been refused (40060)
    assert fake.refused() == []
    [question] = [
        m
        for m in fake.messages.values()
        if m["channel_id"] == channel and m["embeds"] and m.get("interaction_metadata") is None
    ]
    return question


async def test_a_quiz_on_shard_3_is_answered_there_and_its_button_works_on_the_other_replica(
    sharded_fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake = sharded_fake
    async with two_replicas(fake, tmp_path, bank) as (first, second):
        question = await quiz_through_the_gateway(fake, second.client, 3)
        button = question["components"][0]["components"][0]["custom_id"]

        # the press reaches the replica that does not hold shard 3
        press = Driver(first.client, fake)
        token = await press.run(press.click(question, button, guild=GUILDS[3], channel=CHANNELS[3]))
        feedback = fake.original(token)
        assert feedback is not None and "points" in feedback["embeds"][0]["title"]
        assert feedback["flags"] & 64
        # the answer is in the database both replicas share
        assert await second.store.fetchone("SELECT COUNT(*) FROM answers") == (1,)
        assert fake.refused() == []


async def test_an_open_questions_form_opens_on_one_replica_and_is_graded_on_the_other(
    sharded_fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake = sharded_fake
    where = {"guild": GUILDS[1], "channel": CHANNELS[1]}
    async with two_replicas(fake, tmp_path, bank) as (first, second):
        question = await quiz_through_the_gateway(
            fake, first.client, 1, ("category", "beta"), ("mode", "open")
        )
        [open_id] = [b["custom_id"] for row in question["components"] for b in row["components"]]
        on_second = Driver(second.client, fake)
        token = await on_second.run(on_second.click(question, open_id, **where))
        [callback] = [r for r in fake.responses(token) if r.path.endswith("/callback")]
        assert callback.body["type"] == 9  # the form
        form = callback.body["data"]["custom_id"]
        on_first = Driver(first.client, fake)
        answered = await on_first.run(on_first.submit(form, "some words about it", **where))
        reply = fake.original(answered)
        assert reply is not None and reply["flags"] & 64
        [feedback] = reply["embeds"]
        assert "points" in feedback["title"]
        assert {"name": "Your answer", "value": "some words about it", "inline": False} in (
            feedback["fields"]
        )
        assert await first.store.fetchone("SELECT COUNT(*) FROM answers") == (1,)
        assert fake.refused() == []


async def test_auto_reads_the_shard_count_from_gateway_bot(
    sharded_fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake = sharded_fake
    async with two_replicas(fake, tmp_path, bank, count="auto") as (first, second):
        assert first.client.shard_count == SHARDS == second.client.shard_count
        assert sorted(fake.identified_shards()) == [0, 1, 2, 3]
        assert {record.shard for record in fake.identified} == {(s, SHARDS) for s in range(4)}
    assert fake.calls("GET", "/gateway/bot")


async def test_run_discord_runs_every_shard_and_closes_them_all_on_shutdown(
    sharded_fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake = sharded_fake
    fake.max_concurrency = SHARDS  # one bucket per shard: no shard waits for another
    settings = load_settings(
        discord_token="fake-token",
        discord_api_base_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        discord_shard_count=str(SHARDS),
    )
    store = await Store.open(tmp_path / "quizbot.db")
    try:
        engine = QuizEngine(store, bank, clock=FakeClock(), rng=random.Random(1))
        task = asyncio.create_task(run_discord(engine, settings))
        async with asyncio.timeout(30):
            await fake.wait_identified(SHARDS)
        assert sorted(fake.identified_shards()) == [0, 1, 2, 3]
        assert len(fake.open_sockets()) == SHARDS
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert fake.open_sockets() == []
        rows = await store.fetchall("SELECT bucket FROM identify_slots ORDER BY bucket")
        assert rows == [(0,), (1,), (2,), (3,)]
    finally:
        await store.close()
