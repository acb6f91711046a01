"""Fault injection: a full disk (at start and while running), an unwritable database file and
folder, the database deleted while the bot runs, and other names (a symlink, a hard link) for
the live database. Each test counts the faults it injected; the run prints the tally.

The bot runs for real: in this process through ``bot.app.run`` (with an adapter that hands its
engine to the test), or as a ``quizbot console`` process; ``quizbot health`` is asked from
another process, as a monitor would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import lock_path, run
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from bot.heartbeat import heartbeat_path
from storage.store import StoreError
from tests.ops.support import ROOT, clean_env, make_settings, quizbot
from tests.reliability.faults import fill, injected, small_disk

TEAM = Team("slack", "T1")
DROP = "-dac_override,-dac_read_search"
WITHOUT_PERMISSION_BYPASS = (  # root writes anything: run without the capabilities that let it
    ["setpriv", f"--inh-caps={DROP}", f"--bounding-set={DROP}"] if os.geteuid() == 0 else []
)


def _make_database(database: Path) -> None:
    made = quizbot(
        "console", "--seed", "1", cwd=database.parent, stdin="/quiz\nA\n/close\n",
        env=clean_env(QUIZBOT_DATABASE=str(database)),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr


def _stored_players(database: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT external_id FROM players")}


async def _health_until(database: Path, wanted: str) -> str:
    """Ask ``quizbot health`` (another process) until its line contains ``wanted``."""
    env = clean_env(QUIZBOT_DATABASE=str(database))
    asked = 0
    while True:
        result = await asyncio.to_thread(quizbot, "health", cwd=database.parent, env=env)
        if wanted in result.stdout:
            return result.stdout
        asked += 1
        assert asked < 60, f"health never said {wanted!r}; last: {result.stdout}"
        await asyncio.sleep(0.5)


class Bot:
    """``bot.app.run`` in this process, with an adapter that lends the test its engine."""

    def __init__(self, engine: QuizEngine, task: asyncio.Task[int]) -> None:
        self.engine = engine
        self.task = task
        self.acknowledged: list[str] = []

    async def answer(self, round_id: int, name: str) -> str | None:
        """Answer as ``name``: None once saved (acknowledged), else the refusal."""
        try:
            await self.engine.answer(Player(TEAM, name, name), round_id, choice="A")
        except StoreError as exc:
            return str(exc)
        self.acknowledged.append(name)
        return None

    async def stop(self) -> int:
        """SIGTERM, as ``docker stop`` sends; the exit code."""
        os.kill(os.getpid(), signal.SIGTERM)
        return await asyncio.wait_for(self.task, 10)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[Bot]:
    lent: asyncio.Queue[QuizEngine] = asyncio.Queue()

    async def adapter(engine: QuizEngine, settings: Settings) -> None:
        await lent.put(engine)
        await asyncio.Event().wait()

    task = asyncio.create_task(run(settings, adapters={"slack": adapter}))
    engine = await asyncio.wait_for(lent.get(), 10)
    bot = Bot(engine, task)
    try:
        yield bot
    finally:
        if not task.done():
            await bot.stop()


# -- a full disk -----------------------------------------------------------------------------


def test_starting_on_a_full_disk_is_refused_in_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        database = disk / "q.db"
        _make_database(database)
        before = database.read_bytes()
        fill(disk)
        injected("full disk at start")
        started = quizbot(
            "console", "--seed", "1", cwd=tmp_path, stdin="/quiz\nA\n",
            env=clean_env(QUIZBOT_DATABASE=str(database)),
        )  # fmt: skip
        assert started.returncode == 2 and started.stdout == ""
        assert started.stderr == (
            f"quizbot: error: {lock_path(database)}: cannot write the lock file "
            "(No space left on device)\n"
        )
        assert database.read_bytes() == before
        assert not [name for name in os.listdir(disk) if name.endswith(".tmp")]


async def test_a_disk_filling_up_while_running_refuses_answers_and_recovers(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        database = disk / "q.db"
        async with running_bot(make_settings(database)) as bot:
            card = await bot.engine.start_round(Channel(TEAM, "C1"), None)
            assert [await bot.answer(card.round_id, f"p{n}") for n in range(20)] == [None] * 20
            filler = fill(disk)
            injected("full disk while running")
            refusal, number = None, 20
            while refusal is None and number < 5_000:  # until SQLite needs a new block
                refusal = await bot.answer(card.round_id, f"p{number}")
                number += 1
            assert refusal == f"{database}: cannot save (database or disk is full)"
            line = await _health_until(database, "cannot save")
            assert line == f"unhealthy: bot (pid {os.getpid()}) cannot save: {refusal}\n"
            assert not [name for name in os.listdir(disk) if name.endswith(".tmp")]
            filler.unlink()
            assert await bot.answer(card.round_id, f"p{number - 1}") is None  # answers again
            assert (await _health_until(database, "ok: ")).startswith(f"ok: {database}")
            assert await bot.stop() == 0
        assert set(bot.acknowledged) <= _stored_players(database)
        assert f"p{number - 1}" in bot.acknowledged


# -- an unwritable database ------------------------------------------------------------------


@pytest.mark.parametrize("locked", ["file", "folder"])
def test_an_unwritable_database_is_refused_at_start_and_reported(
    tmp_path: Path, locked: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "q.db"
    _make_database(database)
    before = database.read_bytes()
    locked_path = database if locked == "file" else folder
    locked_path.chmod(0o555)
    injected(f"unwritable database {locked}")
    what = "not writable" if locked == "file" else "folder not writable"
    problem = f"{locked_path}: {what} by this user (uid {os.getuid()})"
    env = {**clean_env(QUIZBOT_DATABASE=str(database)), "PYTHONPATH": str(ROOT)}

    def quizbot_without_root_powers(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*WITHOUT_PERMISSION_BYPASS, sys.executable, "-m", "bot", *args],
            input="/quiz\nA\n", capture_output=True, text=True, env=env, cwd=tmp_path,
            timeout=60, check=False,
        )  # fmt: skip

    try:
        started = quizbot_without_root_powers("console", "--seed", "1")
        doctor = quizbot_without_root_powers("doctor")
        health = quizbot_without_root_powers("health", "--db-only")
    finally:
        locked_path.chmod(0o755)
    assert started.returncode == 2 and started.stdout == ""
    assert started.stderr == f"quizbot: error: {problem}\n"
    assert doctor.returncode == 1 and f"FAIL database: {problem}\n     fix: " in doctor.stdout
    assert health.returncode == 1 and health.stdout == f"unhealthy: {problem}\n"
    assert database.read_bytes() == before


# -- the database deleted while running ------------------------------------------------------


async def test_a_database_deleted_while_running_takes_no_answer_and_is_not_recreated(
    tmp_path: Path,
) -> None:
    database = tmp_path / "q.db"
    env = clean_env(QUIZBOT_DATABASE=str(database))
    async with running_bot(make_settings(database)) as bot:
        card = await bot.engine.start_round(Channel(TEAM, "C1"), None)
        assert await bot.answer(card.round_id, "before") is None
        backup = await asyncio.to_thread(quizbot, "db", "backup", "bk/", cwd=tmp_path, env=env)
        assert backup.returncode == 0, backup.stderr
        database.unlink()
        injected("database deleted while running")
        refusals = {await bot.answer(card.round_id, f"p{n}") for n in range(100)}
        assert bot.acknowledged == ["before"]  # not one of the 100 was acknowledged
        [refusal] = refusals
        assert refusal is not None and refusal.startswith(
            f"{database}: the database file was deleted while Quizbot was running"
        )
        await _health_until(database, f"unhealthy: {database}: no such file")
        assert await bot.stop() == 0
    restarted = quizbot("console", "--seed", "1", cwd=tmp_path, stdin="/quiz\n", env=env)
    assert restarted.returncode == 2 and restarted.stdout == ""
    assert restarted.stderr.startswith(
        f"quizbot: error: {database}: missing, but q.db.lock and q.db-wal beside it show it "
        "existed (deleted or moved?); restore it (quizbot db restore BACKUP)"
    )
    assert not database.exists()
    [copy] = os.listdir(tmp_path / "bk")
    restore = quizbot("db", "restore", f"bk/{copy}", cwd=tmp_path, env=env)
    assert restore.returncode == 1 and "q.db-wal is the log of a database that is gone" in (
        restore.stderr
    )
    (tmp_path / "q.db-wal").rename(tmp_path / "old-wal")
    assert quizbot("db", "restore", f"bk/{copy}", cwd=tmp_path, env=env).returncode == 0
    assert _stored_players(database) == {"before"}


# -- other names for the live database -------------------------------------------------------


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_another_name_for_the_live_database_gets_past_no_lock(tmp_path: Path, link: str) -> None:
    database = tmp_path / "q.db"
    _make_database(database)
    other = tmp_path / "other.db"
    (other.symlink_to if link == "symlink" else other.hardlink_to)(database)
    (tmp_path / "backup").mkdir()
    assert quizbot("db", "backup", "backup/", cwd=tmp_path, env=clean_env(
        QUIZBOT_DATABASE=str(database))).returncode == 0  # fmt: skip
    [backup] = (tmp_path / "backup").iterdir()
    running = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--seed", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env={**clean_env(QUIZBOT_DATABASE=str(database)), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        while not heartbeat_path(database).exists():
            assert running.poll() is None, running.communicate()
            time.sleep(0.05)
        injected(f"second name ({link}) for the live database")
        env = clean_env(QUIZBOT_DATABASE=str(other))
        holder = f"pid {running.pid}" if link == "symlink" else "under another name of the file"
        in_use = f"{other}: in use by a running Quizbot ({holder}); stop it first"
        second = quizbot("console", "--seed", "2", cwd=tmp_path, env=env, stdin="/quiz\nA\n")
        assert second.returncode == 2 and second.stderr == f"quizbot: error: {in_use}\n"
        restore = quizbot("db", "restore", str(backup), cwd=tmp_path, env=env)
        assert restore.returncode == 1
        assert restore.stderr == f"quizbot: error: refusing to restore: {in_use}\n"
        out, errors = running.communicate("/quiz\nB\n", timeout=60)
        assert running.returncode == 0 and "Question #2" in out, errors
    finally:
        if running.poll() is None:
            running.kill()
            running.communicate(timeout=10)
    assert _stored_players(database) == {"you"}
    with contextlib.closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 2
