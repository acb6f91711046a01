"""Seasons on PostgreSQL: the team's current season, read inside the answer's transaction
(mirrors :func:`storage.seasons.current_season`)."""

from __future__ import annotations

import asyncpg

from storage.seasons import FIRST_SEASON

__all__ = ["current_season"]


async def current_season(conn: asyncpg.Connection, team_pk: int) -> tuple[str, float]:
    """(period key, start) of the team's current season, inside an open transaction.

    The team's row is locked for share first: ending a season locks it for update, so an answer
    and a season's end never overlap, and the answer lands in exactly one season, never in one
    already ended.
    """
    await conn.execute("SELECT 1 FROM teams WHERE id = $1 FOR SHARE", team_pk)
    row = await conn.fetchrow(
        "SELECT period, started_at FROM seasons WHERE team_id = $1 AND ended_at IS NULL",
        team_pk,
    )
    return (str(row[0]), float(row[1])) if row else (FIRST_SEASON, 0.0)
