"""Kill -9 between an upheld dispute's grade change and its totals: both or neither."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from questions.loader import QuestionBank
from storage.store import Store
from tests.conftest import FakeClock

WORKER = Path(__file__).with_name("settle_worker.py")
TEAM = Team("console", "crash")


async def file_dispute(db: Path, bank: QuestionBank, clock: FakeClock) -> None:
    """Two players answer an open question with nothing right; one disputes (report #1)."""
    store = await Store.open(db)
    try:
        engine = QuizEngine(store, bank, clock=clock, rng=random.Random(1))
        card = await engine.start_round(Channel(TEAM, "general"), None, mode="open")
        for user in ("alice", "bob"):
            await engine.answer(Player(TEAM, user, user), card.round_id, text="no idea")
        await engine.dispute(Player(TEAM, "alice", "alice"), card.round_id, "unfair")
    finally:
        await store.close()


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a settlement may change, read through a fresh connection."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("reports", "answers", "grade_corrections", "scores", "cards")
        }


def totals_match_answers(db: Path) -> bool:
    """Every player's all-time team total is the sum of their answers' points."""
    with sqlite3.connect(db) as conn:
        mismatched = conn.execute(
            "SELECT COUNT(*) FROM scores s WHERE s.period = 'all' AND s.channel_id = '' AND "
            "s.points != (SELECT SUM(points) FROM answers a WHERE a.player_id = s.player_id)"
        ).fetchone()
    return bool(mismatched == (0,))


def run_worker(db: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(WORKER), str(db), *flags],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_crash_mid_correction_leaves_neither_then_a_retry_both(
    tmp_path: Path, bank: QuestionBank, clock: FakeClock
) -> None:
    db = tmp_path / "settle.db"
    await file_dispute(db, bank, clock)
    before = snapshot(db)

    crashed = run_worker(db, "--crash")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert crashed.stdout == "in transaction\n"  # killed after the grade, before the totals
    assert snapshot(db) == before  # neither the grade nor the totals
    assert totals_match_answers(db)

    settled = run_worker(db)
    assert settled.returncode == 0 and settled.stdout == "settled\n", settled.stderr
    after = snapshot(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT outcome FROM reports").fetchall() == [("upheld",)]
    assert len(after["grade_corrections"]) == 1
    assert after["answers"] != before["answers"] and after["scores"] != before["scores"]
    assert after["cards"] != before["cards"]
    assert totals_match_answers(db)  # both: the grade and the totals
