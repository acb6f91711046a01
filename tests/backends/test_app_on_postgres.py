"""The bot on PostgreSQL: ``quizbot console`` and ``run`` open ``PostgresStore`` (migrating at
start, or refusing a database behind the code), hold no lock (replicas share the database),
beat their own heartbeat file; ``health`` and ``doctor`` check the server and the schema."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet

from bot.app import build_engine, run
from bot.commands.doctor import check_postgres
from bot.commands.health import check_postgres_health
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from storage.errors import StoreError
from storage.postgres.migrations import latest_version
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from tests.ops.support import ROOT, clean_env, quizbot

TEAM = Team("console", "local")


def settings_for(url: str, tmp_path: Path, **values: object) -> Settings:
    """Settings on the PostgreSQL database ``url``, with no .env file."""
    return Settings(_env_file=None, quizbot_database=url, **values)  # type: ignore[call-arg]


class Replica:
    """A platform adapter double: plays one round on the engine it is given, then serves
    until cancelled."""

    def __init__(self) -> None:
        self.engine: QuizEngine | None = None
        self.played = asyncio.Event()

    async def __call__(self, engine: QuizEngine, settings: Settings) -> None:
        self.engine = engine
        channel = Channel(TEAM, "general", "general")
        card = await engine.start_round(channel, None)
        await engine.answer(Player(TEAM, "u1", "Ada"), card.round_id, choice="A")
        self.played.set()
        await asyncio.Event().wait()


def test_the_console_plays_on_postgres_and_health_reads_its_heartbeat(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "replica.heartbeat"
    env = clean_env(QUIZBOT_DATABASE=empty_postgres_url, QUIZBOT_HEARTBEAT_FILE=str(heartbeat))
    console = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    try:
        for _ in range(600):  # the store migrated the empty database, then the beat began
            if heartbeat.exists() or console.poll() is not None:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        running = quizbot("health", cwd=tmp_path, env=env)
        assert running.returncode == 0, running.stdout + running.stderr
        assert f"schema version {latest_version()}" in running.stdout
        assert f"bot pid {console.pid}" in running.stdout
        out, err = console.communicate("/quiz\nA\n", timeout=60)
        assert console.returncode == 0 and "Question #1" in out, err
    finally:
        if console.poll() is None:
            console.kill()
            console.communicate(timeout=10)
    assert not heartbeat.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no SQLite file, no lock
    stopped = quizbot("health", cwd=tmp_path, env=env)
    assert stopped.returncode == 1 and stopped.stdout.startswith("unhealthy: not running")
    database_only = quizbot("health", "--db-only", cwd=tmp_path, env=env)
    assert database_only.returncode == 0 and database_only.stdout.startswith("ok: postgresql://")


async def test_two_replicas_run_at_once_on_one_database(postgres_url: str, tmp_path: Path) -> None:
    first = settings_for(postgres_url, tmp_path, quizbot_heartbeat_file=tmp_path / "a.hb")
    second = settings_for(postgres_url, tmp_path, quizbot_heartbeat_file=tmp_path / "b.hb")
    adapter = Replica()
    bot = asyncio.create_task(run(first, adapters={"discord": adapter}))
    await asyncio.wait_for(adapter.played.wait(), 20)
    assert isinstance(adapter.engine and adapter.engine.store, PostgresStore)
    async with build_engine(second) as other:  # no lock refuses a second process
        channel = Channel(TEAM, "general", "general")
        [open_round] = await other.open_rounds(channel)
        await other.answer(Player(TEAM, "u2", "Bob"), open_round.round_id, choice="B")
        assert await other.store.answer_count(open_round.round_id) == 2
    for _ in range(200):
        if (tmp_path / "a.hb").exists():
            break
        await asyncio.sleep(0.05)
    healthy, line = await asyncio.to_thread(
        check_postgres_health, PostgresUrl.parse(postgres_url), tmp_path / "a.hb"
    )
    assert healthy, line
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(bot, 20) == 0
    assert not (tmp_path / "a.hb").exists()


async def test_without_migrating_at_start_a_database_behind_is_refused(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    settings = settings_for(empty_postgres_url, tmp_path, quizbot_migrate_on_start=False)
    with pytest.raises(StoreError, match=r"run `quizbot db migrate`"):
        async with build_engine(settings):
            pass
    check = await check_postgres(settings, PostgresUrl.parse(empty_postgres_url))
    assert check.status == "FAIL" and "quizbot db migrate" in (check.fix or "")
    migrating = settings_for(empty_postgres_url, tmp_path)
    check = await check_postgres(migrating, PostgresUrl.parse(empty_postgres_url))
    assert check.status == "ok" and "migrates to" in check.detail
    async with build_engine(migrating) as engine:
        assert await engine.store.schema_version() == latest_version()
    check = await check_postgres(settings, PostgresUrl.parse(empty_postgres_url))
    assert (check.status, check.detail.endswith(f"schema version {latest_version()}")) == (
        "ok",
        True,
    )
    conn = await asyncpg.connect(empty_postgres_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM teams") == 0
    finally:
        await conn.close()


def test_the_heartbeat_file_setting(tmp_path: Path) -> None:
    sqlite = Settings(_env_file=None, quizbot_database=tmp_path / "q.db")  # type: ignore[call-arg]
    assert sqlite.heartbeat_file == (tmp_path / "q.db.heartbeat").resolve()
    url = "postgresql://quiz@db:5432/quizbot"
    assert settings_for(url, tmp_path).heartbeat_file == Path("quizbot.heartbeat")
    chosen = settings_for(url, tmp_path, quizbot_heartbeat_file=str(tmp_path / "x.hb"))
    assert chosen.heartbeat_file == tmp_path / "x.hb"
    blank = settings_for(url, tmp_path, quizbot_heartbeat_file="")
    assert blank.heartbeat_file == Path("quizbot.heartbeat")


def test_slack_with_oauth_on_postgres_is_not_refused_it_opens_the_database(
    tmp_path: Path,
) -> None:
    url = f"postgresql://quiz@/nowhere?host={tmp_path}&port=5432"
    settings = settings_for(
        url,
        tmp_path,
        slack_client_id="1.2",
        slack_client_secret="s",
        slack_signing_secret="x",
        slack_redirect_uri="https://quiz.example/slack/oauth_redirect",
        quizbot_secret_key=Fernet.generate_key().decode(),
    )
    # no configuration refusal: the bot goes on to open the (here unreachable) database
    with pytest.raises(StoreError, match="cannot connect"):
        asyncio.run(run(settings))


def test_the_question_reports_and_stats_read_postgres(postgres_url: str, tmp_path: Path) -> None:
    env = clean_env(QUIZBOT_DATABASE=postgres_url)
    for command in (["questions", "reports"], ["questions", "disputes"], ["questions", "stats"]):
        done = quizbot(*command, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "No open reports." in quizbot("questions", "reports", cwd=tmp_path, env=env).stdout
    assert list(tmp_path.iterdir()) == []
