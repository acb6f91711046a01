"""SQL of seasons: the current season's period key (read inside the answer's transaction),
ending a season, and finding an ended one by name."""

from __future__ import annotations

import sqlite3

from storage.database import Database
from storage.errors import SeasonNameTakenError
from storage.records import SeasonRow

__all__ = [
    "FIRST_SEASON",
    "SeasonNameTakenError",
    "SeasonRow",
    "SeasonStore",
    "current_season",
]

FIRST_SEASON = "season:1"
"""The period key of a team's first season (a team with no ``seasons`` row is in it)."""


def current_season(conn: sqlite3.Connection, team_pk: int) -> tuple[str, float]:
    """(period key, start) of the team's current season, inside an open transaction."""
    row = conn.execute(
        "SELECT period, started_at FROM seasons WHERE team_id = ? AND ended_at IS NULL",
        (team_pk,),
    ).fetchone()
    return (str(row[0]), float(row[1])) if row else (FIRST_SEASON, 0.0)


class SeasonStore:
    """Seasons, on the store's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def current(self, team_pk: int) -> SeasonRow:
        """The team's current season."""
        row = await self._db.fetchone(
            "SELECT period, name, started_at, ended_at FROM seasons "
            "WHERE team_id = ? AND ended_at IS NULL",
            (team_pk,),
        )
        return SeasonRow(*row) if row else SeasonRow(FIRST_SEASON, None, 0.0, None)

    async def ended(self, team_pk: int, name: str) -> SeasonRow | None:
        """The team's ended season of that name (any case), if any."""
        row = await self._db.fetchone(
            "SELECT period, name, started_at, ended_at FROM seasons WHERE team_id = ? "
            "AND ended_at IS NOT NULL AND name = ? COLLATE NOCASE",
            (team_pk, name),
        )
        return SeasonRow(*row) if row else None

    async def ended_names(self, team_pk: int) -> list[str]:
        """The names of the team's ended seasons, the latest first."""
        rows = await self._db.fetchall(
            "SELECT name FROM seasons WHERE team_id = ? AND ended_at IS NOT NULL "
            "ORDER BY ended_at DESC, id DESC",
            (team_pk,),
        )
        return [str(row[0]) for row in rows]

    async def end(self, team_pk: int, name: str, now: float) -> str:
        """End the team's current season as ``name`` and start the next one, in one
        transaction; the ended season's period key. :class:`SeasonNameTakenError` if the name
        is taken (then nothing changed)."""

        def work(conn: sqlite3.Connection) -> str:
            period, started_at = current_season(conn, team_pk)
            taken = conn.execute(
                "SELECT 1 FROM seasons WHERE team_id = ? AND name = ? COLLATE NOCASE",
                (team_pk, name),
            ).fetchone()
            if taken:
                raise SeasonNameTakenError(name)
            conn.execute(
                "INSERT INTO seasons (team_id, period, started_at) VALUES (?, ?, ?) "
                "ON CONFLICT (team_id, period) DO NOTHING",
                (team_pk, period, started_at),
            )
            conn.execute(
                "UPDATE seasons SET name = ?, ended_at = ? WHERE team_id = ? AND period = ?",
                (name, now, team_pk, period),
            )
            number = int(period.removeprefix("season:")) + 1
            conn.execute(
                "INSERT INTO seasons (team_id, period, started_at) VALUES (?, ?, ?)",
                (team_pk, f"season:{number}", now),
            )
            return period

        return await self._db.write_in_thread(work)

    async def due_to_end(self, before: float) -> list[int]:
        """Teams whose current season has answers and began before ``before`` (a first season
        without a row begins with the team's first answer)."""
        rows = await self._db.fetchall(
            "SELECT t.id FROM teams t LEFT JOIN seasons s ON s.team_id = t.id "
            "AND s.ended_at IS NULL WHERE EXISTS "
            "(SELECT 1 FROM scores c WHERE c.team_id = t.id AND c.channel_id = '' "
            "AND c.period = COALESCE(s.period, ?)) AND COALESCE(s.started_at, "
            "(SELECT MIN(a.answered_at) FROM answers a JOIN rounds r ON r.id = a.round_id "
            "WHERE r.team_id = t.id)) < ?",
            (FIRST_SEASON, before),
        )
        return [int(row[0]) for row in rows]
