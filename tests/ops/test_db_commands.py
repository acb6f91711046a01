"""``quizbot health`` and ``quizbot db …`` on real SQLite files."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
from pathlib import Path

import pytest

from bot.commands.db import DatabaseProblem, backup_database, restore_database
from bot.commands.health import check_health
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import load_bank
from storage.store import Store
from tests.ops.support import answer_round, clean_env, quizbot


async def _make_database(path: Path, players: int = 3) -> None:
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, load_bank(), rng=random.Random(1))
        await answer_round(engine, Team("console", "local"), [f"p{i}" for i in range(players)], "g")
    finally:
        await store.close()


def _answers(path: Path) -> int:
    """How many answers a database holds; checks its integrity and that every answer is in the
    all-time team totals (a copy taken mid-transaction would break that)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        answers = int(conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
        scored = conn.execute(
            "SELECT COALESCE(SUM(answers), 0) FROM scores WHERE period = 'all' AND channel_id = ''"
        ).fetchone()[0]
        assert int(scored) == answers
        return answers


async def test_health_reports_ok_and_problems(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    healthy, line = check_health(database, bot=False)
    assert not healthy and line == f"unhealthy: {database}: no such file"
    await _make_database(database)
    healthy, line = check_health(database, bot=False)
    assert healthy and line.startswith(f"ok: {database} (schema version ")
    # the database is fine, but no bot runs on it: the HEALTHCHECK's answer is "unhealthy"
    healthy, line = check_health(database)
    assert not healthy and line == f"unhealthy: not running: no Quizbot holds {database}"
    (tmp_path / "junk.db").write_text("hello")
    assert check_health(tmp_path / "junk.db", bot=False) == (
        False,
        f"unhealthy: {tmp_path / 'junk.db'}: not an SQLite database",
    )
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    healthy, line = check_health(tmp_path / "other.db", bot=False)
    assert not healthy and "not a Quizbot database" in line


async def test_health_cli_exit_codes(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    env = clean_env(QUIZBOT_DATABASE=str(database))
    missing = await asyncio.to_thread(quizbot, "health", cwd=tmp_path, env=env)
    assert missing.returncode == 1 and missing.stdout.startswith("unhealthy:")
    assert not database.exists()  # health never creates the database
    await _make_database(database)
    ok = await asyncio.to_thread(quizbot, "health", "--db-only", cwd=tmp_path, env=env)
    assert ok.returncode == 0 and ok.stdout.count("\n") == 1
    stopped = await asyncio.to_thread(quizbot, "health", cwd=tmp_path, env=env)
    assert stopped.returncode == 1 and stopped.stdout.startswith("unhealthy: not running")


async def test_backup_during_an_answer_storm_is_consistent(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    store = await Store.open(database)
    engine = QuizEngine(store, load_bank(), rng=random.Random(2))
    team = Team("slack", "T1")
    stop = asyncio.Event()

    async def storm() -> int:
        rounds = 0
        while not stop.is_set():
            await answer_round(engine, team, [f"u{rounds}-{i}" for i in range(20)], f"c{rounds}")
            rounds += 1
        return rounds

    writer = asyncio.create_task(storm())
    try:
        counts = []
        for n in range(5):
            await asyncio.sleep(0.05)
            copy = tmp_path / f"backup-{n}.db"
            await asyncio.to_thread(backup_database, database, copy)
            counts.append(_answers(copy))
    finally:
        stop.set()
        rounds = await writer
        await store.close()
    assert rounds > 2 and counts == sorted(counts) and counts[-1] > 0
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


async def test_restore_replaces_the_database_and_keeps_the_old_one(tmp_path: Path) -> None:
    database, backup = tmp_path / "q.db", tmp_path / "b.db"
    await _make_database(database, players=2)
    backup_database(database, backup)
    await _make_database(database, players=5)  # a second round: 7 answers now
    assert _answers(database) == 7
    kept = restore_database(backup, database)
    assert _answers(database) == 2 and kept is not None and _answers(kept) == 7
    store = await Store.open(database)  # the restored file opens normally
    await store.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not sqlite"), "not an SQLite database"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE x (y)").connection.close(),
         "not a Quizbot database"),
        (lambda p: None, "no such file"),
    ],
)  # fmt: skip
async def test_restore_refuses_what_is_not_a_quizbot_database(
    tmp_path: Path, make: object, message: str
) -> None:
    database, source = tmp_path / "q.db", tmp_path / "src.db"
    await _make_database(database)
    make(source)  # type: ignore[operator]
    with pytest.raises(DatabaseProblem, match=message):
        restore_database(source, database)
    assert _answers(database) == 3


async def test_db_cli_info_backup_restore(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    await _make_database(database)
    env = clean_env(QUIZBOT_DATABASE=str(database))
    info = await asyncio.to_thread(quizbot, "db", "info", cwd=tmp_path, env=env)
    assert info.returncode == 0 and "answers         3" in info.stdout
    assert "not running" in info.stdout
    backup = await asyncio.to_thread(quizbot, "db", "backup", "bk/", cwd=tmp_path, env=env)
    assert backup.returncode == 0, backup.stderr
    assert _answers(tmp_path / "bk" / "q.db") == 3
    restore = await asyncio.to_thread(quizbot, "db", "restore", "bk/q.db", cwd=tmp_path, env=env)
    assert restore.returncode == 0 and "restored" in restore.stdout
