"""``quizbot health`` needs a live event loop (the running bot's heartbeat), not only the DB."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from bot.commands.health import check_health
from bot.heartbeat import heartbeat_age, heartbeat_path
from tests.ops.support import ROOT, clean_env, quizbot

# A bot whose event loop hangs: it holds the lock and beats, then blocks the loop for good.
HUNG_BOT = """
import asyncio, sys, time
from pathlib import Path
from bot.app import instance_lock
from bot.heartbeat import run_heartbeat

database = Path(sys.argv[1])

async def main() -> None:
    with instance_lock(database):
        beating = asyncio.create_task(run_heartbeat(database, 0.1))
        await asyncio.sleep(0.3)
        print("beating", flush=True)
        time.sleep(120)  # a blocking call on the event loop: no more heartbeats
        beating.cancel()

asyncio.run(main())
"""


def _wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _make_database(database: Path) -> None:
    env = clean_env(QUIZBOT_DATABASE=str(database))
    made = quizbot("console", "--seed", "1", cwd=database.parent, env=env, stdin="/quiz\n")
    assert made.returncode == 0, made.stderr


def test_a_bot_with_a_blocked_event_loop_turns_unhealthy(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    _make_database(database)
    hung = subprocess.Popen(
        [sys.executable, "-c", HUNG_BOT, str(database)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
    )
    try:
        assert hung.stdout is not None and hung.stdout.readline() == "beating\n"
        healthy, line = check_health(database, max_age_s=1.0)
        assert healthy and line.startswith(f"ok: {database} (schema version "), line
        assert f"bot pid {hung.pid}" in line
        time.sleep(1.5)  # the loop is blocked: the heartbeat goes stale
        healthy, line = check_health(database, max_age_s=1.0)
        assert not healthy and "event loop is blocked" in line, line
        env = clean_env(QUIZBOT_DATABASE=str(database))
        cli = quizbot("health", "--max-age", "1", cwd=tmp_path, env=env)
        assert cli.returncode == 1 and cli.stdout.startswith("unhealthy: bot (pid "), cli.stdout
        # the database itself still answers
        assert quizbot("health", "--db-only", cwd=tmp_path, env=env).returncode == 0
    finally:
        hung.kill()
        hung.wait(timeout=10)
        assert hung.stdout is not None
        hung.stdout.close()


def test_a_running_console_is_healthy_and_a_stopped_one_is_not(tmp_path: Path) -> None:
    database = tmp_path / "data" / "q.db"
    env = clean_env(QUIZBOT_DATABASE=str(database))
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
        _wait_for(lambda: heartbeat_path(database).exists())
        age = heartbeat_age(database)
        assert age is not None and age < 5
        running = quizbot("health", cwd=tmp_path, env=env)
        assert running.returncode == 0, running.stdout
        assert running.stdout.startswith("ok: ") and f"bot pid {console.pid}" in running.stdout
        out, err = console.communicate("/quiz\n", timeout=60)
        assert console.returncode == 0 and "Question #1" in out, err
    finally:
        if console.poll() is None:
            console.kill()
            console.communicate(timeout=10)
    assert not heartbeat_path(database).exists()  # removed on a clean stop
    stopped = quizbot("health", cwd=tmp_path, env=env)
    assert stopped.returncode == 1 and stopped.stdout.startswith("unhealthy: not running")


async def test_the_heartbeat_beats_while_the_loop_runs(tmp_path: Path) -> None:
    from bot.heartbeat import run_heartbeat

    database = tmp_path / "q.db"
    assert heartbeat_age(database) is None
    task = asyncio.create_task(run_heartbeat(database, 0.05))
    await asyncio.sleep(0.2)
    first = heartbeat_path(database).read_text()
    await asyncio.sleep(0.2)
    assert heartbeat_path(database).read_text() != first  # it keeps beating
    age = heartbeat_age(database)
    assert age is not None and age < 1
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not heartbeat_path(database).exists()


def test_a_max_age_under_twice_the_heartbeat_interval_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    _make_database(database)
    env = clean_env(QUIZBOT_DATABASE=str(database))
    for max_age in ("-5", "0", "9.5", "nan"):
        refused = quizbot("health", "--max-age", max_age, cwd=tmp_path, env=env)
        assert refused.returncode == 2 and refused.stdout == "", max_age
        assert refused.stderr == (
            f"quizbot: error: --max-age {float(max_age):g}: give at least twice the heartbeat "
            "interval (5 s), so 10 seconds or more\n"
        )
    accepted = quizbot("health", "--max-age", "10", cwd=tmp_path, env=env)
    assert accepted.returncode == 1 and accepted.stdout.startswith("unhealthy: not running")
