"""Leaderboard and stats queries over the running totals of the ``scores`` table."""

from __future__ import annotations

from typing import Protocol

from storage.database import Database
from storage.records import ScoreBoard, ScoreRow

__all__ = ["ScoreQueries"]


class _BoardReads(Protocol):
    """What :meth:`ScoreQueries.score_board` reads through: this class's queries and the
    player lookup of :class:`~storage.players.PlayerQueries` (both parts of the store)."""

    async def top_scores(
        self, team_pk: int, period: str, channel_id: str, limit: int
    ) -> list[ScoreRow]: ...

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None: ...

    async def player_score(
        self, team_pk: int, period: str, channel_id: str, player_pk: int
    ) -> tuple[ScoreRow, int] | None: ...

    async def player_count(self, team_pk: int, period: str, channel_id: str) -> int: ...


class ScoreQueries(Database):
    """Reads of ``scores`` and ``score_levels`` (part of :class:`~storage.store.Store`)."""

    async def top_scores(
        self, team_pk: int, period: str, channel_id: str, limit: int
    ) -> list[ScoreRow]:
        """The best ``limit`` players of a period and scope, highest points first."""
        rows = await self.fetchall(
            "SELECT s.player_id, p.external_id, p.display_name, s.points, s.answers, s.correct "
            "FROM scores s JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = ? AND s.period = ? AND s.channel_id = ? "
            "ORDER BY s.points DESC, s.player_id LIMIT ?",
            (team_pk, period, channel_id, limit),
        )
        return [ScoreRow(*row) for row in rows]

    async def player_score(
        self, team_pk: int, period: str, channel_id: str, player_pk: int
    ) -> tuple[ScoreRow, int] | None:
        """A player's totals and competition rank (1 + players with more points), or None."""
        row = await self.fetchone(
            "SELECT s.player_id, p.external_id, p.display_name, s.points, s.answers, s.correct "
            "FROM scores s JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = ? AND s.period = ? AND s.channel_id = ? AND s.player_id = ?",
            (team_pk, period, channel_id, player_pk),
        )
        if row is None:
            return None
        score = ScoreRow(*row)
        ahead = await self.fetchone(
            "SELECT SUM(players) FROM score_levels WHERE team_id = ? AND period = ? "
            "AND channel_id = ? AND points > ?",
            (team_pk, period, channel_id, score.points),
        )
        return score, 1 + (int(ahead[0] or 0) if ahead else 0)

    async def player_count(self, team_pk: int, period: str, channel_id: str) -> int:
        """How many players have a score in a period and scope."""
        row = await self.fetchone(
            "SELECT SUM(players) FROM score_levels WHERE team_id = ? AND period = ? "
            "AND channel_id = ?",
            (team_pk, period, channel_id),
        )
        return int(row[0] or 0) if row else 0

    async def score_board(
        self: _BoardReads,
        team_pk: int,
        period: str,
        channel_id: str,
        limit: int,
        user_id: str | None,
    ) -> ScoreBoard:
        """A period and scope's best ``limit`` players, the player ``user_id``'s (external id)
        totals and rank, and its player count: the reads of :meth:`top_scores`,
        :meth:`find_player` (a name this store was given is read once it is committed),
        :meth:`player_score` and :meth:`player_count` in turn."""
        top = await self.top_scores(team_pk, period, channel_id, limit)
        found = None if user_id is None else await self.find_player(team_pk, user_id)
        mine = None
        if found is not None:
            mine = await self.player_score(team_pk, period, channel_id, found[0])
        players = await self.player_count(team_pk, period, channel_id)
        return ScoreBoard(tuple(top), mine, players)

    async def category_results(self, player_pk: int) -> list[tuple[str, int, int]]:
        """(category, answers, correct) for a player."""
        rows = await self.fetchall(
            "SELECT r.category, COUNT(*), SUM(a.correct) FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE a.player_id = ? "
            "GROUP BY r.category ORDER BY r.category",
            (player_pk,),
        )
        return [(str(c), int(n), int(k or 0)) for c, n, k in rows]

    async def answered_questions(self, player_pk: int) -> set[str]:
        """The ids of every question a player has answered at least once (any kind of round)."""
        rows = await self.fetchall(
            "SELECT DISTINCT r.question_id FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE a.player_id = ?",
            (player_pk,),
        )
        return {str(question_id) for (question_id,) in rows}
