"""``bot.app.run``: every configured adapter on one loop and engine; graceful stop on signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.app import lock_path, platform_adapters, run, running_pid
from bot.commands.db import DatabaseProblem, backup_database, restore_database
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from tests.ops.support import make_settings


class FakeAdapter:
    """Serves until cancelled; remembers the engine it was given and that it stopped."""

    def __init__(self) -> None:
        self.engines: list[QuizEngine] = []
        self.started = asyncio.Event()
        self.stopped = False

    async def __call__(self, engine: QuizEngine, settings: Settings) -> None:
        self.engines.append(engine)
        self.started.set()
        try:
            await asyncio.Event().wait()
        finally:
            self.stopped = True


async def _signal_when_started(adapters: list[FakeAdapter], sig: signal.Signals) -> None:
    for adapter in adapters:
        await asyncio.wait_for(adapter.started.wait(), 5)
    os.kill(os.getpid(), sig)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_both_adapters_share_one_engine_and_stop_on_a_signal(
    tmp_path: Path, sig: signal.Signals
) -> None:
    settings = make_settings(tmp_path / "q.db", discord_token="d", slack_bot_token="xoxb-1",
                             slack_app_token="xapp-1")  # fmt: skip
    discord, slack = FakeAdapter(), FakeAdapter()
    kill = asyncio.create_task(_signal_when_started([discord, slack], sig))
    code = await asyncio.wait_for(run(settings, adapters={"discord": discord, "slack": slack}), 10)
    await kill
    assert code == 0
    assert discord.stopped and slack.stopped
    assert discord.engines[0] is slack.engines[0]
    assert running_pid(settings.quizbot_database) is None


async def test_restore_is_refused_while_the_bot_runs(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    settings = make_settings(database, discord_token="d")
    adapter = FakeAdapter()
    task = asyncio.create_task(run(settings, adapters={"discord": adapter}))
    await asyncio.wait_for(adapter.started.wait(), 5)
    assert running_pid(database) == str(os.getpid())
    assert lock_path(database).read_text().strip() == str(os.getpid())
    backup = tmp_path / "backup.db"
    await asyncio.to_thread(backup_database, database, backup)
    with pytest.raises(DatabaseProblem, match=r"refusing to restore: .* in use by a running"):
        await asyncio.to_thread(restore_database, backup, database)
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(task, 10) == 0


async def test_a_failing_adapter_stops_the_others_and_exits_1(tmp_path: Path) -> None:
    async def broken(engine: QuizEngine, settings: Settings) -> None:
        await asyncio.sleep(0.05)
        raise RuntimeError("login failed")

    survivor = FakeAdapter()
    settings = make_settings(tmp_path / "q.db", discord_token="d")
    code = await asyncio.wait_for(run(settings, adapters={"slack": broken, "d": survivor}), 10)
    assert code == 1 and survivor.stopped


async def test_answers_made_before_the_signal_are_committed(tmp_path: Path) -> None:
    acknowledged: list[str] = []

    async def busy(engine: QuizEngine, settings: Settings) -> None:
        team = Team("slack", "T1")
        card = await engine.start_round(Channel(team, "C1"), None)
        for i in range(10_000):
            name = f"p{i}"
            await engine.answer(Player(team, name, name), card.round_id, choice="A")
            acknowledged.append(name)
            if i == 50:
                os.kill(os.getpid(), signal.SIGTERM)

    database = tmp_path / "q.db"
    code = await asyncio.wait_for(run(make_settings(database), adapters={"slack": busy}), 10)
    assert code == 0 and 50 < len(acknowledged) < 10_000
    with contextlib.closing(sqlite3.connect(database)) as conn:
        stored = {row[0] for row in conn.execute("SELECT external_id FROM players")}
    assert set(acknowledged) <= stored


async def test_half_configured_slack_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is missing"):
        await run(make_settings(tmp_path / "q.db", slack_signing_secret="s"), adapters={})
    assert not (tmp_path / "q.db").exists()


def test_platform_adapters_are_imported_only_when_enabled(tmp_path: Path) -> None:
    assert platform_adapters(make_settings(tmp_path / "q.db")) == {}
