"""Leaderboards and stats on PostgreSQL over the running totals of ``scores`` (mirrors
:mod:`storage.scores`), and adding an answer to them."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from storage.postgres.database import PostgresDatabase
from storage.records import ScoreBoard, ScoreRow

__all__ = ["PostgresScoreQueries", "ScoreRowValues", "add_to_scores"]

ScoreRowValues = tuple[int, str, str, int, int, int]
"""(team, period key, channel scope, player, points, correct 0|1): one answer's share of a
leaderboard row."""

_SCORE_COLUMNS = "s.player_id, p.external_id, p.display_name, s.points, s.answers, s.correct"


async def add_to_scores(conn: asyncpg.Connection, rows: Iterable[ScoreRowValues]) -> None:
    """Add answers to their leaderboard rows inside an open transaction, each row of ``rows``
    one answer's share: one statement, the rows summed per key and written in key order, so
    concurrent writers lock them in the same order (``score_levels`` follows through the
    table's statement triggers)."""
    totals: dict[tuple[int, str, str, int], list[int]] = {}
    for team_pk, period, scope, player_pk, points, correct in rows:
        total = totals.setdefault((team_pk, period, scope, player_pk), [0, 0, 0])
        total[0] += points
        total[1] += 1
        total[2] += correct
    if not totals:
        return
    keys = sorted(totals)
    await conn.execute(
        "INSERT INTO scores (team_id, period, channel_id, player_id, points, answers, correct) "
        "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], "
        "$5::bigint[], $6::bigint[], $7::bigint[]) ORDER BY 1, 2, 3, 4 "
        "ON CONFLICT (team_id, period, channel_id, player_id) DO UPDATE SET "
        "points = scores.points + EXCLUDED.points, answers = scores.answers + EXCLUDED.answers, "
        "correct = scores.correct + EXCLUDED.correct",
        *([key[column] for key in keys] for column in range(4)),
        *([totals[key][column] for key in keys] for column in range(3)),
    )


_BOARD = (
    # The caller's row (no row when the external id has no score here) …
    f"WITH mine AS (SELECT {_SCORE_COLUMNS} FROM players p "
    "JOIN scores s ON s.player_id = p.id "
    "WHERE p.team_id = $1 AND p.external_id = $5 "
    "AND s.team_id = $1 AND s.period = $2 AND s.channel_id = $3), "
    # … the board's size and the players above the caller, in one pass over its levels …
    "levels AS (SELECT SUM(l.players) AS players, "
    "SUM(l.players) FILTER (WHERE l.points > (SELECT points FROM mine)) AS above "
    "FROM score_levels l WHERE l.team_id = $1 AND l.period = $2 AND l.channel_id = $3), "
    # … and the best rows, tagged 0, 1 and 2 in one result.
    f"top AS (SELECT {_SCORE_COLUMNS} FROM scores s JOIN players p ON p.id = s.player_id "
    "WHERE s.team_id = $1 AND s.period = $2 AND s.channel_id = $3 "
    "ORDER BY s.points DESC, s.player_id LIMIT $4) "
    "SELECT 0, top.*, NULL::numeric FROM top "
    "UNION ALL SELECT 1, mine.*, levels.above FROM mine, levels "
    "UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, levels.players FROM levels"
)
"""One leaderboard's reads in one statement (one round trip, one snapshot): its best
``$4`` rows (tag 0), the row and players ahead of the player with external id ``$5`` (tag 1)
and its player count (tag 2)."""


def _score(row: asyncpg.Record, start: int = 0) -> ScoreRow:
    """The :data:`_SCORE_COLUMNS` of ``row`` from its column ``start`` on."""
    player, user, name, points, answers, correct = (row[start + n] for n in range(6))
    return ScoreRow(int(player), str(user), str(name), int(points), int(answers), int(correct))


class PostgresScoreQueries(PostgresDatabase):
    """Reads of ``scores`` and ``score_levels``."""

    async def top_scores(
        self, team_pk: int, period: str, channel_id: str, limit: int
    ) -> list[ScoreRow]:
        """The best ``limit`` players of a period and scope, highest points first."""
        rows = await self.fetchall(
            f"SELECT {_SCORE_COLUMNS} FROM scores s JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = $1 AND s.period = $2 AND s.channel_id = $3 "
            "ORDER BY s.points DESC, s.player_id LIMIT $4",
            team_pk,
            period,
            channel_id,
            limit,
        )
        return [_score(row) for row in rows]

    async def player_score(
        self, team_pk: int, period: str, channel_id: str, player_pk: int
    ) -> tuple[ScoreRow, int] | None:
        """A player's totals and competition rank (1 + players with more points), or None:
        one statement, the rank summed from ``score_levels`` beside the player's row."""
        row = await self.fetchone(
            f"SELECT {_SCORE_COLUMNS}, (SELECT SUM(l.players) FROM score_levels l "
            "WHERE l.team_id = s.team_id AND l.period = s.period "
            "AND l.channel_id = s.channel_id AND l.points > s.points) "
            "FROM scores s JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = $1 AND s.period = $2 AND s.channel_id = $3 AND s.player_id = $4",
            team_pk,
            period,
            channel_id,
            player_pk,
        )
        if row is None:
            return None
        return _score(row), 1 + int(row[6] or 0)

    async def player_count(self, team_pk: int, period: str, channel_id: str) -> int:
        """How many players have a score in a period and scope."""
        total = await self.fetchvalue(
            "SELECT SUM(players) FROM score_levels WHERE team_id = $1 AND period = $2 "
            "AND channel_id = $3",
            team_pk,
            period,
            channel_id,
        )
        return int(total or 0)

    async def score_board(
        self, team_pk: int, period: str, channel_id: str, limit: int, user_id: str | None
    ) -> ScoreBoard:
        """A period and scope's best ``limit`` players, the player ``user_id``'s (external id)
        totals and rank, and its player count: one statement, so one round trip and one
        snapshot."""
        rows = await self.fetchall(_BOARD, team_pk, period, channel_id, limit, user_id)
        top = tuple(_score(row, 1) for row in rows if row[0] == 0)
        mine = next(((_score(row, 1), 1 + int(row[7] or 0)) for row in rows if row[0] == 1), None)
        players = next(int(row[7] or 0) for row in rows if row[0] == 2)
        return ScoreBoard(top, mine, players)

    async def category_results(self, player_pk: int) -> list[tuple[str, int, int]]:
        """(category, answers, correct) for a player."""
        rows = await self.fetchall(
            "SELECT r.category, COUNT(*), SUM(a.correct) FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE a.player_id = $1 "
            'GROUP BY r.category ORDER BY r.category COLLATE "C"',
            player_pk,
        )
        return [(str(c), int(n), int(k or 0)) for c, n, k in rows]

    async def answered_questions(self, player_pk: int) -> set[str]:
        """The ids of every question a player has answered at least once (any kind of round)."""
        rows = await self.fetchall(
            "SELECT DISTINCT r.question_id FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE a.player_id = $1",
            player_pk,
        )
        return {str(row[0]) for row in rows}
