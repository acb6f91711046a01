"""Teams and players on PostgreSQL: internal ids by (platform, external id), created on first
sight (mirrors :mod:`storage.players`)."""

from __future__ import annotations

import asyncio

import asyncpg
from cachetools import LRUCache

from storage.postgres.answer_batches import BatchedWrites
from storage.postgres.url import PostgresUrl

__all__ = ["PostgresPlayerQueries"]

_PLAYER_CACHE_SIZE = 100_000


class PostgresPlayerQueries(BatchedWrites):
    """Reads and writes of ``teams`` and ``players``."""

    def __init__(self, pool: asyncpg.Pool, url: PostgresUrl) -> None:
        super().__init__(pool, url)
        # (team pk, external id) -> player pk, as in the SQLite store. That pair names one row
        # for good (players are deleted only by `db forget`, which refuses while a bot is
        # connected; their key never changes), so no other replica can make an entry wrong.
        # The display name can change in any replica: it is not kept.
        self.player_pks: LRUCache[tuple[int, str], int] = LRUCache(maxsize=_PLAYER_CACHE_SIZE)
        self._renaming: dict[tuple[int, str], asyncio.Future[None]] = {}

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

        A player already seen by this store costs no trip: the name is refreshed in the next
        answer batch, ahead of its answers (written only when it changed, whichever replica saw
        the change), and :meth:`find_player` waits for it.
        """
        key = (team_pk, external_id)
        known = self.player_pks.get(key)
        if known is not None:
            renaming = self.batches.rename(known, display_name)
            self._renaming[key] = renaming
            renaming.add_done_callback(lambda done: self._renamed(key, done))
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

    def _renamed(self, key: tuple[int, str], done: asyncio.Future[None]) -> None:
        if self._renaming.get(key) is done:
            del self._renaming[key]

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None:
        """(internal id, display name) of a player of this team, or None (the name as stored
        now, whichever replica wrote it, once a name this store was given is committed)."""
        renaming = self._renaming.get((team_pk, external_id))
        if renaming is not None:
            await asyncio.wait([renaming])
        row = await self.fetchone(
            "SELECT id, display_name FROM players WHERE team_id = $1 AND external_id = $2",
            team_pk,
            external_id,
        )
        if row is None:
            return None
        self.player_pks[(team_pk, external_id)] = int(row[0])
        return int(row[0]), str(row[1])
