"""Migrations 0006 and 0007 keep every row: resolved reports count as told; the scores so far
become every team's first season."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiosqlite

from storage import migrations


async def test_reports_and_scores_written_before_are_kept_and_backfilled(tmp_path: Path) -> None:
    up_to_5 = tmp_path / "m"
    up_to_5.mkdir()
    for migration in migrations.available():
        if migration.version <= 5:
            shutil.copy(migration.path, up_to_5)
    async with aiosqlite.connect(tmp_path / "q.db", isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        assert await migrations.apply(conn, up_to_5) == [1, 2, 3, 4, 5]
        await conn.executescript(
            """
            INSERT INTO teams (id, platform, external_id) VALUES (1, 'slack', 'T');
            INSERT INTO players (id, team_id, external_id, display_name) VALUES (1, 1, 'U', 'a');
            INSERT INTO rounds (id, team_id, channel_id, kind, mode, question_id, category,
                difficulty, choice_order, opened_at, closes_at)
                VALUES (1, 1, 'C', 'quiz', 'open', 'q', 'c', 'easy', '0123', 50, 110);
            INSERT INTO answers (id, round_id, player_id, text, grade, correct, points,
                answered_at) VALUES (1, 1, 1, 'x', 1, 1, 90, 60);
            INSERT INTO scores VALUES (1, 'all', '', 1, 90, 1, 1), (1, 'all', 'C', 1, 90, 1, 1),
                (1, 'w2025-48', '', 1, 90, 1, 1);
            INSERT INTO reports (id, team_id, player_id, round_id, question_id, kind, created_at,
                status, resolved_at) VALUES (1, 1, 1, 1, 'q', 'typo', 70, 'resolved', 80),
                (2, 1, 1, 1, 'q', 'dispute', 70, 'open', NULL);
            """
        )
        assert (await migrations.apply(conn))[:2] == [6, 7]
        reports = await conn.execute_fetchall(
            "SELECT id, status, outcome, notified_at FROM reports ORDER BY id"
        )
        assert [tuple(r) for r in reports] == [(1, "resolved", None, 80.0), (2, "open", None, None)]
        seasons = await conn.execute_fetchall("SELECT team_id, period, started_at FROM seasons")
        assert [tuple(r) for r in seasons] == [(1, "season:1", 60.0)]
        scores = await conn.execute_fetchall(
            "SELECT period, channel_id, points FROM scores ORDER BY period, channel_id"
        )
        assert [tuple(r) for r in scores] == [
            ("all", "", 90),
            ("all", "C", 90),
            ("season:1", "", 90),
            ("season:1", "C", 90),
            ("w2025-48", "", 90),
        ]
        levels = await conn.execute_fetchall(
            "SELECT players FROM score_levels WHERE period = 'season:1' AND channel_id = ''"
        )
        assert [tuple(r) for r in levels] == [(1,)]  # the triggers counted the backfill
