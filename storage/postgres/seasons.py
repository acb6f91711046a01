"""Seasons on PostgreSQL: the team's current season (read inside the answer's transaction),
ending a season, finding an ended one by name (mirrors :mod:`storage.seasons`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from storage.seasons import FIRST_SEASON, SeasonNameTakenError, SeasonRow

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresSeasonStore", "current_season", "locked_team_season"]


async def current_season(conn: asyncpg.Connection, team_pk: int) -> tuple[str, float]:
    """(period key, start) of the team's current season, inside an open transaction.

    The team's row is locked for share first: ending a season locks it for update, so an answer
    and a season's end never overlap, and the answer lands in exactly one season, never in one
    already ended.
    """
    await conn.execute("SELECT 1 FROM teams WHERE id = $1 FOR SHARE", team_pk)
    return await locked_team_season(conn, team_pk)


async def locked_team_season(conn: asyncpg.Connection, team_pk: int) -> tuple[str, float]:
    """:func:`current_season` for a caller that has locked the team's row already."""
    row = await conn.fetchrow(
        "SELECT period, started_at FROM seasons WHERE team_id = $1 AND ended_at IS NULL",
        team_pk,
    )
    return (str(row[0]), float(row[1])) if row else (FIRST_SEASON, 0.0)


class PostgresSeasonStore:
    """Seasons on the PostgreSQL store's pool (mirrors :class:`storage.seasons.SeasonStore`)."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def current(self, team_pk: int) -> SeasonRow:
        """The team's current season."""
        row = await self._db.fetchone(
            "SELECT period, name, started_at, ended_at FROM seasons "
            "WHERE team_id = $1 AND ended_at IS NULL",
            team_pk,
        )
        return SeasonRow(*tuple(row)) if row else SeasonRow(FIRST_SEASON, None, 0.0, None)

    async def ended(self, team_pk: int, name: str) -> SeasonRow | None:
        """The team's ended season of that name (any case), if any."""
        row = await self._db.fetchone(
            "SELECT period, name, started_at, ended_at FROM seasons WHERE team_id = $1 "
            "AND ended_at IS NOT NULL AND lower(name) = lower($2)",
            team_pk,
            name,
        )
        return SeasonRow(*tuple(row)) if row else None

    async def ended_names(self, team_pk: int) -> list[str]:
        """The names of the team's ended seasons, the latest first."""
        rows = await self._db.fetchall(
            "SELECT name FROM seasons WHERE team_id = $1 AND ended_at IS NOT NULL "
            "ORDER BY ended_at DESC, id DESC",
            team_pk,
        )
        return [str(row[0]) for row in rows]

    async def end(self, team_pk: int, name: str, now: float) -> str:
        """End the team's current season as ``name`` and start the next one, in one
        transaction; the ended season's period key. :class:`SeasonNameTakenError` if the name
        is taken (then nothing changed).

        The team's row is locked for update first, so answers in flight finish before (they
        count in the ended season) or wait and count in the next one.
        """

        async def work(conn: asyncpg.Connection) -> str:
            await conn.execute("SELECT 1 FROM teams WHERE id = $1 FOR UPDATE", team_pk)
            period, started_at = await locked_team_season(conn, team_pk)
            taken = await conn.fetchval(
                "SELECT 1 FROM seasons WHERE team_id = $1 AND lower(name) = lower($2)",
                team_pk,
                name,
            )
            if taken:
                raise SeasonNameTakenError(name)
            await conn.execute(
                "INSERT INTO seasons (team_id, period, started_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (team_id, period) DO NOTHING",
                team_pk,
                period,
                started_at,
            )
            await conn.execute(
                "UPDATE seasons SET name = $1, ended_at = $2 WHERE team_id = $3 AND period = $4",
                name,
                now,
                team_pk,
                period,
            )
            number = int(period.removeprefix("season:")) + 1
            await conn.execute(
                "INSERT INTO seasons (team_id, period, started_at) VALUES ($1, $2, $3)",
                team_pk,
                f"season:{number}",
                now,
            )
            return period

        return await self._db.in_transaction(work)

    async def due_to_end(self, before: float) -> list[int]:
        """Teams whose current season has answers and began before ``before`` (a first season
        without a row begins with the team's first answer)."""
        rows = await self._db.fetchall(
            "SELECT t.id FROM teams t LEFT JOIN seasons s ON s.team_id = t.id "
            "AND s.ended_at IS NULL WHERE EXISTS "
            "(SELECT 1 FROM scores c WHERE c.team_id = t.id AND c.channel_id = '' "
            "AND c.period = COALESCE(s.period, $1)) AND COALESCE(s.started_at, "
            "(SELECT MIN(a.answered_at) FROM answers a JOIN rounds r ON r.id = a.round_id "
            "WHERE r.team_id = t.id)) < $2 ORDER BY t.id",
            FIRST_SEASON,
            before,
        )
        return [int(row[0]) for row in rows]
