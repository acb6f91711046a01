"""The weekly digest on PostgreSQL: opted-in channels, claiming a week's digest once, and the
week's answers by question and category (mirrors :mod:`storage.digest_store`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import asyncpg

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresDigestStore"]


class PostgresDigestStore:
    """The weekly digest's reads and writes, on the PostgreSQL store's pool."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def set_opted_in(self, team_pk: int, channel_id: str, on: bool) -> None:
        """Opt the channel in (or out)."""
        sql = (
            "INSERT INTO digest_channels (team_id, channel_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING"
            if on
            else "DELETE FROM digest_channels WHERE team_id = $1 AND channel_id = $2"
        )
        await self._db.execute_write(sql, team_pk, channel_id)

    async def opted_in(self, team_pk: int) -> set[str]:
        """The team's channels that get the digest."""
        rows = await self._db.fetchall(
            "SELECT channel_id FROM digest_channels WHERE team_id = $1", team_pk
        )
        return {str(row[0]) for row in rows}

    async def claim(self, team_pk: int, channel_id: str, week: str, now: float) -> bool:
        """Claim the channel's digest of ``week``; False if it was claimed before (by any
        replica: the primary key decides)."""
        try:
            await self._db.execute_write(
                "INSERT INTO digests (team_id, channel_id, week, claimed_at) "
                "VALUES ($1, $2, $3, $4)",
                team_pk,
                channel_id,
                week,
                now,
            )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def mark_posted(self, team_pk: int, channel_id: str, week: str, now: float) -> None:
        """The platform accepted the digest."""
        await self._db.execute_write(
            "UPDATE digests SET posted_at = $1 WHERE team_id = $2 AND channel_id = $3 "
            "AND week = $4",
            now,
            team_pk,
            channel_id,
            week,
        )

    async def results(
        self, team_pk: int, start: float, end: float, *, by: Literal["question_id", "category"]
    ) -> list[tuple[str, int, int]]:
        """(question or category, answers, correct) of the team's quiz and daily answers
        given in [start, end) (reviews are private practice: not counted)."""
        column = {"question_id": "r.question_id", "category": "r.category"}[by]
        rows = await self._db.fetchall(
            f"SELECT {column}, COUNT(*), SUM(a.correct) FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE r.team_id = $1 AND a.answered_at >= $2 "
            f"AND a.answered_at < $3 AND r.kind <> 'review' GROUP BY {column} "
            f'ORDER BY {column} COLLATE "C"',
            team_pk,
            start,
            end,
        )
        return [(str(key), int(n), int(k or 0)) for key, n, k in rows]
