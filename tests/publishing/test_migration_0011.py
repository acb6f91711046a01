"""Migration 0011 moves the reveals still pending into the publication queue and drops the
trackers it replaces; rounds, slots and answers stay."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiosqlite

from storage import migrations


async def test_pending_reveals_move_into_the_queue(tmp_path: Path) -> None:
    up_to_10 = tmp_path / "m"
    up_to_10.mkdir()
    for migration in migrations.available():
        if migration.version <= 10:
            shutil.copy(migration.path, up_to_10)
    async with aiosqlite.connect(tmp_path / "q.db", isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        assert await migrations.apply(conn, up_to_10) == list(range(1, 11))
        await conn.execute("INSERT INTO teams (id, platform, external_id) VALUES (1, 'slack', 'T')")
        for round_id, kind, closed in ((1, "quiz", 50.0), (2, "daily", 60.0), (3, "daily", 70.0),
                                       (4, "daily", None)):  # fmt: skip
            await conn.execute(
                "INSERT INTO rounds (id, team_id, channel_id, kind, mode, question_id, category, "
                "difficulty, choice_order, opened_at, closes_at, closed_at) "
                "VALUES (?, 1, 'C', ?, 'choice', 'q', 'c', 'easy', '[0,1,2,3]', 0, 10, ?)",
                (round_id, kind, closed),
            )
        await conn.execute(
            "INSERT INTO quiz_reveals (round_id, attempts, retry_at) VALUES (1, 2, 99)"
        )
        for slot_id, round_id, reveal in ((1, 2, "pending"), (2, 3, "done"), (3, 4, "open")):
            await conn.execute(
                "INSERT INTO daily_slots (id, team_id, channel_id, slot_date, slot_at, state, "
                "round_id, claimed_at, reveal, reveal_attempts) "
                "VALUES (?, 1, 'C', ?, 0, 'posted', ?, 0, ?, 1)",
                (slot_id, f"2025-11-2{slot_id}", round_id, reveal),
            )
        only_11 = tmp_path / "m11"
        only_11.mkdir()
        [script] = [m for m in migrations.available() if m.version == 11]
        shutil.copy(script.path, only_11)
        assert await migrations.apply(conn, only_11) == [11]
        rows = await conn.execute_fetchall(
            "SELECT platform, team_id, channel_id, kind, round_id, attempts, due_at, outcome "
            "FROM publications ORDER BY round_id"
        )
        assert [tuple(row) for row in rows] == [
            ("slack", 1, "C", "reveal", 1, 2, 99.0, None),
            ("slack", 1, "C", "reveal", 2, 1, 60.0, None),
        ]
        tables = {row[0] for row in await conn.execute_fetchall("SELECT name FROM sqlite_master")}
        assert "quiz_reveals" not in tables
        columns = {row[1] for row in await conn.execute_fetchall("PRAGMA table_info(daily_slots)")}
        assert "reveal" not in columns and "reveal_attempts" not in columns
        counts = await conn.execute_fetchall(
            "SELECT (SELECT COUNT(*) FROM rounds), (SELECT COUNT(*) FROM daily_slots)"
        )
        assert [tuple(row) for row in counts] == [(4, 3)]
