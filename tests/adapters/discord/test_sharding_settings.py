"""Shard settings: read, refused in one line, checked against ``auto``'s count; command sync
on the shard-0 replica only; ``quizbot doctor``'s shard line."""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.discord import ShardedQuizBot, create_bot
from bot.commands.doctor import check_discord_shards, run_checks
from bot.config import ConfigError, load_settings
from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank
from storage.store import Store
from tests.conftest import FakeClock
from tests.fakes.discord_api import APP_ID, FakeDiscord
from tests.ops.support import clean_env, make_settings, quizbot


def test_shard_settings_read_ranges_lists_and_auto(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name, value in clean_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "8")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0-2, 5,7")
    settings = load_settings()
    assert settings.discord_shard_count == 8
    assert settings.discord_shard_ids == (0, 1, 2, 5, 7)
    assert settings.discord_sharded and settings.discord_holds_shard_zero
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "AUTO")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "2,3")
    settings = load_settings()
    assert settings.discord_shard_count == "auto" and settings.discord_shard_ids == (2, 3)
    assert not settings.discord_holds_shard_zero
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "")
    settings = load_settings()
    assert settings.discord_shard_count is None and settings.discord_shard_ids is None
    assert not settings.discord_sharded and settings.discord_holds_shard_zero


@pytest.mark.parametrize(
    ("count", "ids", "message"),
    [
        ("0", "", "DISCORD_SHARD_COUNT: must be from 1 to 100000 shards, or auto, not 0"),
        ("-2", "", "DISCORD_SHARD_COUNT: must be a whole number of shards or auto"),
        ("four", "", "DISCORD_SHARD_COUNT: must be a whole number of shards or auto"),
        ("4", "0-4", "DISCORD_SHARD_IDS: shard 4 is not below DISCORD_SHARD_COUNT (4): the "),
        ("4", "3-1", "DISCORD_SHARD_IDS: the range '3-1' runs backwards; write it 1-3"),
        ("4", "0,1,1", "DISCORD_SHARD_IDS: names shard 1 twice"),
        ("4", "0;1", "DISCORD_SHARD_IDS: must list shard ids like 0-3 or 0,1,2,3; '0;1'"),
        ("4", "-1", "DISCORD_SHARD_IDS: must list shard ids like 0-3 or 0,1,2,3; '-1'"),
        ("", "0-1", "DISCORD_SHARD_IDS: needs DISCORD_SHARD_COUNT too"),
    ],
)
def test_bad_shard_settings_are_refused_naming_the_setting(
    count: str, ids: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, discord_shard_count=count, discord_shard_ids=ids)
    assert str(refused.value).startswith(f"invalid setting {message}")
    assert "\n" not in str(refused.value)


async def test_the_bot_refuses_bad_shard_ids_in_one_line_and_touches_nothing(
    tmp_path: Path,
) -> None:
    database = tmp_path / "quizbot.db"
    env = clean_env(
        QUIZBOT_DATABASE=str(database),
        DISCORD_TOKEN="fake-token",
        DISCORD_SHARD_COUNT="4",
        DISCORD_SHARD_IDS="2-5",
    )
    refused = await asyncio.to_thread(quizbot, cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "quizbot: error: invalid setting DISCORD_SHARD_IDS: shard 4 is not below "
        "DISCORD_SHARD_COUNT (4): the shards are 0-3"
    ]
    assert not database.exists()


async def test_auto_refuses_shard_ids_beyond_discords_count_before_any_identify(
    fake: FakeDiscord, tmp_path: Path, bank: QuestionBank
) -> None:
    fake.recommended_shards = 2
    settings = load_settings(
        discord_token="fake-token",
        discord_api_base_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        discord_shard_count="auto",
        discord_shard_ids="2-3",
    )
    store = await Store.open(tmp_path / "quizbot.db")
    try:
        engine = QuizEngine(store, bank, clock=FakeClock(), rng=random.Random(1))
        client = create_bot(engine, settings)
        assert isinstance(client, ShardedQuizBot)
        with pytest.raises(ConfigError) as refused:
            async with client:
                await client.start("fake-token")
        assert str(refused.value) == (
            "invalid setting DISCORD_SHARD_IDS: shard 2 is not below DISCORD_SHARD_COUNT (2): "
            "the shards are 0-1 (DISCORD_SHARD_COUNT=auto reads the count from Discord)"
        )
        assert fake.identified == []
        assert await store.fetchall("SELECT * FROM identify_slots") == []
    finally:
        await store.close()


async def test_only_the_replica_running_shard_0_syncs_the_commands(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    commands = f"/applications/{APP_ID}/commands"
    common = {
        "QUIZBOT_DATABASE": str(tmp_path / "quizbot.db"),
        "DISCORD_TOKEN": "fake-token",
        "DISCORD_API_BASE_URL": fake.api_url,
        "DISCORD_SHARD_COUNT": "4",
    }
    other = clean_env(**common, DISCORD_SHARD_IDS="2-3")
    skipped = await asyncio.to_thread(quizbot, "discord", "sync", cwd=tmp_path, env=other)
    assert skipped.returncode == 0, skipped.stderr
    assert skipped.stdout.strip().splitlines() == [
        "Skipped: this replica runs shards 2-3 (DISCORD_SHARD_IDS); "
        "the replica running shard 0 syncs the commands"
    ]
    assert fake.calls("PUT", commands) == [] and fake.requests == []
    first = clean_env(**common, DISCORD_SHARD_IDS="0-1")
    synced = await asyncio.to_thread(quizbot, "discord", "sync", cwd=tmp_path, env=first)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("Synced 6 commands globally")
    assert len(fake.calls("PUT", commands)) == 1
    unsharded = clean_env(**{k: v for k, v in common.items() if k != "DISCORD_SHARD_COUNT"})
    again = await asyncio.to_thread(quizbot, "discord", "sync", cwd=tmp_path, env=unsharded)
    assert again.returncode == 0 and len(fake.calls("PUT", commands)) == 2


async def test_doctor_shows_the_shard_settings_and_discords_recommended_count(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    fake.recommended_shards, fake.max_concurrency = 4, 2
    base = {"discord_token": "fake-token", "discord_api_base_url": fake.api_url}
    sharded = make_settings(
        tmp_path / "q.db", **base, discord_shard_count="4", discord_shard_ids="0-1"
    )
    checks = {check.name: check for check in await run_checks(sharded)}
    assert checks["discord"].status == "ok"
    assert (checks["shards"].status, checks["shards"].detail) == (
        "ok",
        "shards 0-1 of 4 on this replica; Discord recommends 4; identify concurrency 2",
    )
    auto = make_settings(tmp_path / "q.db", **base, discord_shard_count="auto")
    async with aiohttp.ClientSession() as session:
        [line] = await check_discord_shards(auto, session)
        assert line.detail.startswith("shards all of auto (4) on this replica")
        too_few = make_settings(tmp_path / "q.db", **base, discord_shard_count="2")
        [few] = await check_discord_shards(too_few, session)
        assert few.status == "warn" and "raise DISCORD_SHARD_COUNT to 4" in few.fix
        unsharded = make_settings(tmp_path / "q.db", **base)
        [advice] = await check_discord_shards(unsharded, session)
        assert (advice.status, advice.detail) == (
            "warn",
            "not sharded; Discord recommends 4; identify concurrency 2",
        )
        assert "DISCORD_SHARD_COUNT=4" in advice.fix
        fake.recommended_shards = 1
        assert await check_discord_shards(unsharded, session) == []
        beyond = make_settings(
            tmp_path / "q.db", **base, discord_shard_count="auto", discord_shard_ids="1"
        )
        [bad] = await check_discord_shards(beyond, session)
        assert bad.status == "FAIL" and "shard 1 is not below" in bad.detail


async def test_login_reads_the_concurrency_and_warns_of_a_count_below_discords(
    fake: FakeDiscord, tmp_path: Path, bank: QuestionBank, caplog: pytest.LogCaptureFixture
) -> None:
    fake.recommended_shards, fake.max_concurrency = 4, 16
    settings = load_settings(
        discord_token="fake-token",
        discord_api_base_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        discord_shard_count="2",
        discord_shard_ids="1",
    )
    caplog.set_level(logging.INFO, logger="bot.adapters.discord.sharding")
    store = await Store.open(tmp_path / "quizbot.db")
    try:
        engine = QuizEngine(store, bank, clock=FakeClock(), rng=random.Random(1))
        client = create_bot(engine, settings)
        assert isinstance(client, ShardedQuizBot)
        async with client:
            await client.login("fake-token")
            assert (client.shard_count, client.shard_ids, client.max_concurrency) == (2, [1], 16)
    finally:
        await store.close()
    lines = [r.getMessage() for r in caplog.records if r.name.endswith("sharding")]
    assert lines == [
        "Discord shards 1 of 2 on this replica (Discord recommends 4; identify concurrency 16)",
        "DISCORD_SHARD_COUNT (2) is below the 4 shards Discord recommends; raise it (or set "
        "auto) and re-slice DISCORD_SHARD_IDS across the replicas",
    ]
