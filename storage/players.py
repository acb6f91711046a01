"""Teams and players: internal ids by (platform, external id), created on first sight."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from storage.database import Database

__all__ = ["PlayerQueries"]

_PLAYER_CACHE_SIZE = 100_000


class PlayerQueries(Database):
    """Reads and writes of ``teams`` and ``players`` (part of :class:`~storage.store.Store`)."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        super().__init__(conn, path)
        # (team pk, external id) -> (player pk, display name). Players are never deleted and
        # only this class writes them, so a hit saves the answer path one trip to the database.
        self._players: dict[tuple[int, str], tuple[int, str]] = {}

    async def team_pk(self, platform: str, external_id: str) -> int:
        """The internal id of a team, creating the team on first sight."""
        found = await self.fetchone(
            "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
        )
        if found:
            return int(found[0])
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO teams (platform, external_id) VALUES (?, ?)",
                (platform, external_id),
            )
        found = await self.fetchone(
            "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
        )
        assert found is not None
        return int(found[0])

    async def team_by_pk(self, team_pk: int) -> tuple[str, str] | None:
        """(platform, external id) of a team by internal id."""
        found = await self.fetchone(
            "SELECT platform, external_id FROM teams WHERE id = ?", (team_pk,)
        )
        return (str(found[0]), str(found[1])) if found else None

    async def find_team_pk(self, platform: str, external_id: str) -> int | None:
        """The internal id of a known team, or None."""
        found = await self.fetchone(
            "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
        )
        return int(found[0]) if found else None

    async def player_pk(self, team_pk: int, external_id: str, display_name: str) -> int:
        """The internal id of a player, creating it or refreshing its display name."""
        key = (team_pk, external_id)
        cached = self._players.get(key)
        if cached is not None and cached[1] == display_name:
            return cached[0]
        found = await self.fetchone(
            "SELECT id, display_name FROM players WHERE team_id = ? AND external_id = ?",
            (team_pk, external_id),
        )
        if found and found[1] == display_name:
            self._remember_player(key, int(found[0]), display_name)
            return int(found[0])

        def upsert(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "INSERT INTO players (team_id, external_id, display_name) VALUES (?, ?, ?) "
                "ON CONFLICT (team_id, external_id) "
                "DO UPDATE SET display_name = excluded.display_name RETURNING id",
                (team_pk, external_id, display_name),
            ).fetchone()
            return int(row[0])

        player = await self.write_in_thread(upsert)
        self._remember_player(key, player, display_name)
        return player

    def _remember_player(self, key: tuple[int, str], player_pk: int, display_name: str) -> None:
        if len(self._players) >= _PLAYER_CACHE_SIZE:
            self._players.clear()  # crude but bounded; a miss only costs one query
        self._players[key] = (player_pk, display_name)

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None:
        """(internal id, display name) of a player of this team, or None."""
        cached = self._players.get((team_pk, external_id))
        if cached is not None:
            return cached
        found = await self.fetchone(
            "SELECT id, display_name FROM players WHERE team_id = ? AND external_id = ?",
            (team_pk, external_id),
        )
        return (int(found[0]), str(found[1])) if found else None
