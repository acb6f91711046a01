"""SIGTERM under answer load: every acknowledged answer is in the database; exit 0 within 10 s."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.ops.support import ROOT, clean_env

PLAYERS = 20_000


def _feed(stdin: object) -> None:
    """Open a round, then answer as one new player after another; never close stdin."""
    assert hasattr(stdin, "write")
    with contextlib.suppress(BrokenPipeError, OSError, ValueError):
        stdin.write("/quiz\n")
        for i in range(PLAYERS):
            stdin.write(f"/as p{i}\nA\n")
        stdin.flush()


def test_sigterm_under_load_keeps_every_acknowledged_answer(tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    env = clean_env(QUIZBOT_DATABASE=str(database), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    threading.Thread(target=_feed, args=(proc.stdin,), daemon=True).start()
    acknowledged: list[str] = []
    player = None
    block: list[str] = []
    signalled_at = None
    for line in proc.stdout:
        if line != "\n":
            block.append(line)
            continue
        first = block[0] if block else ""
        if first.startswith("You are now "):
            player = first.removeprefix("You are now ").rstrip(".\n")
        elif first.startswith("(only you see this)"):
            assert player is not None
            acknowledged.append(player)
        block = []
        if len(acknowledged) == 300 and signalled_at is None:
            proc.send_signal(signal.SIGTERM)
            signalled_at = time.monotonic()
    code = proc.wait(timeout=10)
    elapsed = time.monotonic() - (signalled_at or 0)
    stderr = proc.stderr.read()
    with contextlib.suppress(BrokenPipeError, OSError):
        proc.stdin.close()
    proc.stdout.close()
    proc.stderr.close()
    assert signalled_at is not None, stderr
    assert code == 0, stderr
    assert elapsed < 10
    assert 300 <= len(acknowledged) < PLAYERS
    with contextlib.closing(sqlite3.connect(database)) as conn:
        stored = {
            row[0]
            for row in conn.execute(
                "SELECT p.display_name FROM answers a JOIN players p ON p.id = a.player_id"
            )
        }
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(acknowledged) <= stored
    assert not (tmp_path / "q.db-wal").exists() or (tmp_path / "q.db-wal").stat().st_size == 0
