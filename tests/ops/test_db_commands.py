"""``quizbot health`` and ``quizbot db …`` on real SQLite files."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.commands.db import (
    DatabaseProblem,
    backup_database,
    database_info,
    restore_database,
)
from bot.commands.health import check_health
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import load_bank
from storage import migrations
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


@pytest.mark.parametrize("damage", ["pages", "header"])
async def test_restore_replaces_a_damaged_database_and_keeps_its_bytes(
    tmp_path: Path, damage: str
) -> None:
    database, backup = tmp_path / "q.db", tmp_path / "b.db"
    await _make_database(database, players=2)
    backup_database(database, backup)
    data = bytearray(database.read_bytes())
    if damage == "pages":
        data[4096 : 6 * 4096] = b"\xab" * (5 * 4096)
    else:
        data[:16] = b"garbage garbage!"
    database.write_bytes(bytes(data))
    kept = restore_database(backup, database)
    assert _answers(database) == 2
    assert kept is not None and kept.read_bytes() == bytes(data)


async def test_db_cli_info_backup_restore(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    await _make_database(database)
    env = clean_env(QUIZBOT_DATABASE=str(database))
    info = await asyncio.to_thread(quizbot, "db", "info", cwd=tmp_path, env=env)
    assert info.returncode == 0 and "answers         3" in info.stdout
    assert "not running" in info.stdout
    backup = await asyncio.to_thread(quizbot, "db", "backup", "bk/", cwd=tmp_path, env=env)
    assert backup.returncode == 0, backup.stderr
    [written] = (tmp_path / "bk").iterdir()
    latest = migrations.available()[-1].version
    assert backup.stdout == (
        f"backed up {database} to bk/{written.name} (schema version {latest})\n"
    )
    assert _answers(written) == 3
    restore = await asyncio.to_thread(
        quizbot, "db", "restore", f"bk/{written.name}", cwd=tmp_path, env=env
    )
    assert restore.returncode == 0 and "restored" in restore.stdout


async def test_restoring_the_database_onto_itself_is_refused_at_once(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    await _make_database(database)
    (tmp_path / "link.db").symlink_to(database)
    env = clean_env(QUIZBOT_DATABASE=str(database))
    for source in ("q.db", "link.db", str(database)):
        refused = await asyncio.to_thread(
            quizbot, "db", "restore", source, cwd=tmp_path, env=env, timeout=30
        )
        assert refused.returncode == 1
        assert refused.stderr == (
            f"quizbot: error: refusing to restore: {source} is the database itself\n"
        )
    assert _answers(database) == 3
    assert sorted(os.listdir(tmp_path)) == ["link.db", "q.db"]


async def test_every_restore_keeps_its_own_copy_of_the_database_it_replaced(
    tmp_path: Path,
) -> None:
    database, two, five = tmp_path / "q.db", tmp_path / "two.db", tmp_path / "five.db"
    await _make_database(two, players=2)
    await _make_database(five, players=5)
    await _make_database(database, players=3)
    kept = [restore_database(two, database), restore_database(five, database)]
    assert _answers(database) == 5
    assert [p.name.startswith("q.db.before-restore-") for p in kept if p] == [True, True]
    assert kept[0] != kept[1]
    assert [_answers(p) for p in kept if p] == [3, 2]  # the first copy was not overwritten


async def test_backups_never_overwrite_a_file_nor_the_database(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    await _make_database(database)
    env = clean_env(QUIZBOT_DATABASE=str(database))

    def backup(*args: str) -> subprocess.CompletedProcess[str]:
        return quizbot("db", "backup", *args, cwd=tmp_path, env=env)

    assert [backup("bk/").returncode for _ in range(3)] == [0, 0, 0]
    written = sorted((tmp_path / "bk").iterdir())
    assert len(written) == 3 and all(p.name.startswith("q-") for p in written)
    assert backup("one.db").returncode == 0
    (tmp_path / "mine.db").write_bytes(b"my own file")
    again = backup("mine.db")
    assert again.returncode == 1
    assert again.stderr == (
        "quizbot: error: refusing to back up: mine.db exists (--force replaces it)\n"
    )
    assert (tmp_path / "mine.db").read_bytes() == b"my own file"
    assert backup("--force", "mine.db").returncode == 0 and _answers(tmp_path / "mine.db") == 3
    (tmp_path / "link.db").symlink_to(database)
    before = database.read_bytes()
    for live in ("q.db", "link.db"):
        for args in ((live,), ("--force", live)):
            refused = backup(*args)
            assert refused.returncode == 1 and refused.stdout == ""
            assert refused.stderr == (
                f"quizbot: error: refusing to back up: {live} is the database itself\n"
            )
    assert database.read_bytes() == before


async def test_info_reports_the_write_ahead_log_beside_the_file(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    await _make_database(database)
    store = await Store.open(database)  # while it is open, recent writes sit in the WAL
    try:
        await store.execute_write("UPDATE players SET display_name = display_name || '!'")
        info = await asyncio.to_thread(database_info, database)
        wal = tmp_path / "q.db-wal"
        assert info["wal_bytes"] == wal.stat().st_size > 0
        assert info["size_bytes"] == database.stat().st_size
    finally:
        await store.close()
