"""Kill -9 in the middle of answering: the database stays sound and keeps every acknowledged
answer."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

WORKER = Path(__file__).with_name("crash_worker.py")


def _run_and_kill(db: Path, rng: random.Random) -> list[tuple[int, str, int]]:
    """Start the worker, let it acknowledge a random number of answers, SIGKILL it."""
    target = rng.randrange(1, 600)
    linger = rng.random() * 0.05
    process = subprocess.Popen(
        [sys.executable, str(WORKER), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged: list[tuple[int, str, int]] = []
    watchdog = threading.Timer(20, process.kill)  # never block on a silent worker
    watchdog.start()
    try:
        assert process.stdout is not None
        while len(acknowledged) < target:
            line = process.stdout.readline()
            if not line:
                break
            round_id, user_id, points = line.split()
            acknowledged.append((int(round_id), user_id, int(points)))
        time.sleep(linger)  # kill at a random moment, not right after a line
        os.kill(process.pid, signal.SIGKILL)
        rest, errors = process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    for line in rest.splitlines():  # lines written before the kill but not yet read
        if line.count(" ") == 2:
            round_id, user_id, points = line.split()
            acknowledged.append((int(round_id), user_id, int(points)))
    assert process.returncode == -signal.SIGKILL, errors
    return acknowledged


def test_sigkill_keeps_every_acknowledged_answer(tmp_path: Path) -> None:
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    db = tmp_path / "crash.db"
    for attempt in range(3):  # the same file survives repeated crashes
        acknowledged = _run_and_kill(db, rng)
        assert acknowledged, f"seed {seed}: the worker acknowledged nothing"
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], seed
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], seed
            stored = {
                (round_id, user_id): points
                for round_id, user_id, points in conn.execute(
                    "SELECT a.round_id, p.external_id, a.points FROM answers a "
                    "JOIN players p ON p.id = a.player_id"
                )
            }
            missing = [a for a in acknowledged if stored.get((a[0], a[1])) != a[2]]
            assert not missing, f"seed {seed}, attempt {attempt}: lost {missing[:5]}"
            # answers and score totals were committed together
            answers_total = conn.execute("SELECT COALESCE(SUM(points), 0) FROM answers").fetchone()
            scores_total = conn.execute(
                "SELECT COALESCE(SUM(points), 0) FROM scores "
                "WHERE period = 'all' AND channel_id = ''"
            ).fetchone()
            assert answers_total == scores_total, seed
