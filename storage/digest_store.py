"""SQL of the weekly digest: opting a daily channel in, claiming a week's digest once, and the
week's answers grouped by question and by category."""

from __future__ import annotations

import sqlite3
from typing import Literal

from storage.database import Database

__all__ = ["DigestStore"]


class DigestStore:
    """The weekly digest's reads and writes, on the store's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_opted_in(self, team_pk: int, channel_id: str, on: bool) -> None:
        """Opt the channel in (or out)."""
        sql = (
            "INSERT INTO digest_channels (team_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
            if on
            else "DELETE FROM digest_channels WHERE team_id = ? AND channel_id = ?"
        )
        await self._db.execute_write(sql, (team_pk, channel_id))

    async def opted_in(self, team_pk: int) -> set[str]:
        """The team's channels that get the digest."""
        rows = await self._db.fetchall(
            "SELECT channel_id FROM digest_channels WHERE team_id = ?", (team_pk,)
        )
        return {str(row[0]) for row in rows}

    async def claim(self, team_pk: int, channel_id: str, week: str, now: float) -> bool:
        """Claim the channel's digest of ``week``; False if it was claimed before."""
        try:
            await self._db.execute_write(
                "INSERT INTO digests (team_id, channel_id, week, claimed_at) VALUES (?, ?, ?, ?)",
                (team_pk, channel_id, week, now),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    async def mark_posted(self, team_pk: int, channel_id: str, week: str, now: float) -> None:
        """The platform accepted the digest."""
        await self._db.execute_write(
            "UPDATE digests SET posted_at = ? WHERE team_id = ? AND channel_id = ? AND week = ?",
            (now, team_pk, channel_id, week),
        )

    async def results(
        self, team_pk: int, start: float, end: float, *, by: Literal["question_id", "category"]
    ) -> list[tuple[str, int, int]]:
        """(question or category, answers, correct) of the team's quiz and daily answers
        given in [start, end) (reviews are private practice: not counted)."""
        rows = await self._db.fetchall(
            f"SELECT r.{by}, COUNT(*), SUM(a.correct) FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE r.team_id = ? AND a.answered_at >= ? "
            f"AND a.answered_at < ? AND r.kind != 'review' GROUP BY r.{by} ORDER BY r.{by}",
            (team_pk, start, end),
        )
        return [(str(key), int(n), int(k or 0)) for key, n, k in rows]
