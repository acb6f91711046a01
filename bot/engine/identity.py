"""Who is who: teams and players by their internal ids, and rounds checked against a team.

Everything is keyed by (platform, team id). A round is looked up by id and then checked
against the caller's team, so a round of another team is "unknown" whatever its id. A review
round belongs to one player (it lives in their pseudo channel ``review:<user>``): to anybody
else it is "unknown" too.
"""

from __future__ import annotations

from cachetools import LRUCache

from bot.engine.errors import QuizError, RoundNotFoundError
from bot.engine.model import Channel, Player, Team
from bot.safe_text import storable
from storage.interface import Storage
from storage.records import RoundRecord

__all__ = [
    "REVIEW_CHANNEL_PREFIX",
    "TEAMS_REMEMBERED",
    "Identities",
    "channel_key",
    "review_channel_id",
]

REVIEW_CHANNEL_PREFIX = "review:"
TEAMS_REMEMBERED = 10_000
"""The most teams whose internal id is remembered (least recently used forgotten first)."""


def review_channel_id(player: Player) -> str:
    """The pseudo channel of ``player``'s private review rounds."""
    return REVIEW_CHANNEL_PREFIX + storable(player.user_id)


def channel_key(channel: Channel) -> str:
    """The id a channel's rounds, schedule and leaderboard rows are stored under.

    Every answer counts once for the team (scope ``""``) and once for its channel, so a channel
    id may be neither empty (it would be the team's row, counted twice) nor a review pseudo
    channel: :class:`QuizError` for those.
    """
    key = channel.channel_id
    if not key.strip():
        raise QuizError("A channel name can't be empty.")
    if key.startswith(REVIEW_CHANNEL_PREFIX):
        raise QuizError(f"Channel names starting with {REVIEW_CHANNEL_PREFIX!r} are for reviews.")
    return key


class Identities:
    """Internal ids of teams and players, with the teams' ids remembered."""

    def __init__(self, store: Storage) -> None:
        self._store = store
        # Team (platform, external id) <-> internal id, both ways. A team row is never deleted
        # and neither its key nor its platform and external id ever change, so no process can
        # make an entry wrong. A team not found is not remembered: another process may add it.
        self._pks: LRUCache[Team, int] = LRUCache(maxsize=TEAMS_REMEMBERED)
        self._teams: LRUCache[int, Team] = LRUCache(maxsize=TEAMS_REMEMBERED)

    def _remember(self, team: Team, team_pk: int) -> int:
        self._pks[team] = team_pk
        self._teams[team_pk] = team
        return team_pk

    async def team_pk(self, team: Team) -> int:
        """The internal id of ``team``, creating the team on first sight."""
        cached = self._pks.get(team)
        if cached is not None:
            return cached
        return self._remember(team, await self._store.team_pk(team.platform, team.team_id))

    async def known_team_pk(self, team: Team) -> int | None:
        """The internal id of ``team`` if it is known; never creates it."""
        cached = self._pks.get(team)
        if cached is not None:
            return cached
        found = await self._store.find_team_pk(team.platform, team.team_id)
        return None if found is None else self._remember(team, found)

    async def team_of(self, team_pk: int) -> Team:
        """The team with this internal id (:class:`RoundNotFoundError` if there is none)."""
        cached = self._teams.get(team_pk)
        if cached is not None:
            return cached
        found = await self._store.team_by_pk(team_pk)
        if found is None:
            raise RoundNotFoundError()
        team = Team(*found)
        self._remember(team, team_pk)
        return team

    async def player_pk(self, player: Player) -> int:
        """The internal id of ``player``, creating it or refreshing its display name."""
        return await self._store.player_pk(
            await self.team_pk(player.team),
            storable(player.user_id),
            storable(player.display_name),
        )

    async def find_player(self, player: Player) -> tuple[int, str] | None:
        """(internal id, stored display name) of a player who has played, else None."""
        team_pk = await self.known_team_pk(player.team)
        if team_pk is None:
            return None
        return await self._store.find_player(team_pk, storable(player.user_id))

    async def team_round(self, team: Team, round_id: int) -> RoundRecord:
        """The round with this id if it belongs to ``team``; otherwise RoundNotFoundError."""
        record = await self._store.get_round(round_id)
        if record is None or await self.known_team_pk(team) != record.team_pk:
            raise RoundNotFoundError()
        return record

    async def player_round(self, player: Player, round_id: int) -> RoundRecord:
        """The round with this id if ``player`` may act on it; otherwise RoundNotFoundError."""
        return self.for_player(await self.team_round(player.team, round_id), player)

    @staticmethod
    def for_player(record: RoundRecord, player: Player) -> RoundRecord:
        """``record`` (of ``player``'s team) unless it is another player's review round."""
        if record.kind == "review" and record.channel_id != review_channel_id(player):
            raise RoundNotFoundError()
        return record
