"""Migration 0005 marks the "now" slots posted before it as manual, and keeps every slot."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiosqlite

from storage import migrations


async def test_slots_posted_by_hand_before_0005_become_manual(tmp_path: Path) -> None:
    up_to_4 = tmp_path / "m"
    up_to_4.mkdir()
    for migration in migrations.available():
        if migration.version <= 4:
            shutil.copy(migration.path, up_to_4)
    async with aiosqlite.connect(tmp_path / "q.db", isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        assert await migrations.apply(conn, up_to_4) == [1, 2, 3, 4]
        await conn.execute("INSERT INTO teams (id, platform, external_id) VALUES (1, 'slack', 'T')")
        for slot_id, key in ((1, "2025-11-24"), (2, "2025-11-24@10:15:00")):
            await conn.execute(
                "INSERT INTO daily_slots (id, team_id, channel_id, slot_date, slot_at, state, "
                "claimed_at) VALUES (?, 1, 'C', ?, 0, 'posted', 0)",
                (slot_id, key),
            )
        up_to_5 = tmp_path / "m5"
        up_to_5.mkdir()
        for migration in migrations.available():
            if migration.version <= 5:
                shutil.copy(migration.path, up_to_5)
        assert await migrations.apply(conn, up_to_5) == [5]
        rows = await conn.execute_fetchall(
            "SELECT id, manual, reveal_attempts FROM daily_slots ORDER BY id"
        )
        assert [tuple(row) for row in rows] == [(1, 0, 0), (2, 1, 0)]
        assert await conn.execute_fetchall("SELECT * FROM quiz_reveals") == []
