"""Teams and players on PostgreSQL: internal ids by (platform, external id), created on first
sight (mirrors :mod:`storage.players`)."""

from __future__ import annotations

import asyncpg
from cachetools import LRUCache

from storage.postgres.database import PostgresDatabase
from storage.postgres.url import PostgresUrl

__all__ = ["PostgresPlayerQueries"]

_PLAYER_CACHE_SIZE = 100_000


class PostgresPlayerQueries(PostgresDatabase):
    """Reads and writes of ``teams`` and ``players``."""

    def __init__(self, pool: asyncpg.Pool, url: PostgresUrl) -> None:
        super().__init__(pool, url)
        # (team pk, external id) -> player pk, as in the SQLite store. That pair names one row
        # for good (players are never deleted, their key never changes), so no other replica
        # can make an entry wrong. The display name can change in any replica: it is not kept.
        self.player_pks: LRUCache[tuple[int, str], int] = LRUCache(maxsize=_PLAYER_CACHE_SIZE)

    async def team_pk(self, platform: str, external_id: str) -> int:
        """The internal id of a team, creating the team on first sight."""
        found = await self.find_team_pk(platform, external_id)
        if found is not None:
            return found
        created = await self.fetchvalue(
            "INSERT INTO teams (platform, external_id) VALUES ($1, $2) "
            "ON CONFLICT (platform, external_id) DO NOTHING RETURNING id",
            platform,
            external_id,
        )
        if created is not None:
            return int(created)
        found = await self.find_team_pk(platform, external_id)  # created by a concurrent call
        assert found is not None
        return found

    async def team_by_pk(self, team_pk: int) -> tuple[str, str] | None:
        """(platform, external id) of a team by internal id."""
        row = await self.fetchone("SELECT platform, external_id FROM teams WHERE id = $1", team_pk)
        return (str(row[0]), str(row[1])) if row else None

    async def find_team_pk(self, platform: str, external_id: str) -> int | None:
        """The internal id of a known team, or None."""
        found = await self.fetchvalue(
            "SELECT id FROM teams WHERE platform = $1 AND external_id = $2", platform, external_id
        )
        return None if found is None else int(found)

    async def player_pk(self, team_pk: int, external_id: str, display_name: str) -> int:
        """The internal id of a player, creating it or refreshing its display name.

        A player already seen costs one conditional update, which writes only when the name
        changed (whichever replica saw the change).
        """
        key = (team_pk, external_id)
        known = self.player_pks.get(key)
        if known is not None:
            await self.execute_write(
                "UPDATE players SET display_name = $1 WHERE id = $2 "
                "AND display_name IS DISTINCT FROM $1",
                display_name,
                known,
            )
            return known
        player = int(
            await self.fetchvalue(
                "INSERT INTO players (team_id, external_id, display_name) VALUES ($1, $2, $3) "
                "ON CONFLICT (team_id, external_id) DO UPDATE SET display_name = "
                "EXCLUDED.display_name RETURNING id",
                team_pk,
                external_id,
                display_name,
            )
        )
        self.player_pks[key] = player
        return player

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None:
        """(internal id, display name) of a player of this team, or None (the name as stored
        now, whichever replica wrote it)."""
        row = await self.fetchone(
            "SELECT id, display_name FROM players WHERE team_id = $1 AND external_id = $2",
            team_pk,
            external_id,
        )
        if row is None:
            return None
        self.player_pks[(team_pk, external_id)] = int(row[0])
        return int(row[0]), str(row[1])
