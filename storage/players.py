"""Teams and players: internal ids by (platform, external id), created on first sight."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
from cachetools import LRUCache

from storage.database import Database

__all__ = ["PLAYER_CACHE_SIZE", "PlayerQueries"]

PLAYER_CACHE_SIZE = 100_000
"""The most player ids remembered (least recently used forgotten first)."""


class PlayerQueries(Database):
    """Reads and writes of ``teams`` and ``players`` (part of :class:`~storage.store.Store`)."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        super().__init__(conn, path)
        # (team pk, external id) -> player pk. That pair names one row for good: players are
        # never deleted and their key never changes, so another process cannot make an entry
        # wrong. The display name can change (any process refreshes it), so it is not kept.
        self.player_pks: LRUCache[tuple[int, str], int] = LRUCache(maxsize=PLAYER_CACHE_SIZE)
        # Display names queued for the next group commit, until it ends (read-your-writes).
        self._renaming: dict[tuple[int, str], asyncio.Future[None]] = {}

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
        """The internal id of a player, creating it or refreshing its display name.

        A player already seen by this store costs no trip: the name is refreshed by a
        conditional write queued for the next group commit (it lands before any write this
        process makes later, the answer's included, and :meth:`find_player` waits for it).
        """
        key = (team_pk, external_id)
        known = self.player_pks.get(key)
        if known is not None:

            def rename(conn: sqlite3.Connection) -> None:
                conn.execute(
                    "UPDATE players SET display_name = ? WHERE id = ? AND display_name IS NOT ?",
                    (display_name, known, display_name),
                )

            renaming = self.write_soon(rename, f"refreshing the display name of player {known}")
            self._renaming[key] = renaming
            renaming.add_done_callback(lambda done: self._renamed(key, done))
            return known

        def upsert(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "INSERT INTO players (team_id, external_id, display_name) VALUES (?, ?, ?) "
                "ON CONFLICT (team_id, external_id) "
                "DO UPDATE SET display_name = excluded.display_name RETURNING id",
                (team_pk, external_id, display_name),
            ).fetchone()
            return int(row[0])

        player = await self.write_in_thread(upsert)
        self.player_pks[key] = player
        return player

    def _renamed(self, key: tuple[int, str], done: asyncio.Future[None]) -> None:
        if self._renaming.get(key) is done:
            del self._renaming[key]

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None:
        """(internal id, display name) of a player of this team, or None; a name this store
        was given is read once it is committed."""
        renaming = self._renaming.get((team_pk, external_id))
        if renaming is not None:
            await asyncio.wait([renaming])
        found = await self.fetchone(
            "SELECT id, display_name FROM players WHERE team_id = ? AND external_id = ?",
            (team_pk, external_id),
        )
        if found is None:
            return None
        self.player_pks[(team_pk, external_id)] = int(found[0])
        return int(found[0]), str(found[1])
