"""The reads behind question analytics and team progress on PostgreSQL (mirrors
:mod:`storage.analytics`: the same rows; the statistics are the engine's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.analytics import AnswerFact, MemberCategory

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresAnalyticsStore"]

_ANY_TEAM = "($1::BIGINT IS NULL OR {column} = $1)"


class PostgresAnalyticsStore:
    """Reads for question analytics, of one team or (``team_pk`` None) of all."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def answers(self, team_pk: int | None) -> list[AnswerFact]:
        """Every answer with its round's question and mode."""
        rows = await self._db.fetchall(
            "SELECT r.question_id, r.mode, a.choice, a.grade, a.correct, a.player_id "
            "FROM answers a JOIN rounds r ON r.id = a.round_id "
            f"WHERE {_ANY_TEAM.format(column='r.team_id')}",
            team_pk,
        )
        return [
            AnswerFact(str(q), str(m), None if c is None else int(c), float(g), bool(k), int(p))
            for q, m, c, g, k, p in rows
        ]

    async def times_asked(self, team_pk: int | None) -> dict[str, int]:
        """How many rounds of each question were opened (quiz, daily and review)."""
        rows = await self._db.fetchall(
            "SELECT question_id, COUNT(*) FROM rounds "
            f"WHERE {_ANY_TEAM.format(column='team_id')} GROUP BY question_id",
            team_pk,
        )
        return {str(question): int(count) for question, count in rows}

    async def open_reports(self, team_pk: int | None) -> dict[tuple[str, bool], int]:
        """Open reports per (question, is a dispute)."""
        rows = await self._db.fetchall(
            "SELECT question_id, kind = 'dispute', COUNT(*) FROM reports "
            f"WHERE status = 'open' AND {_ANY_TEAM.format(column='team_id')} GROUP BY 1, 2",
            team_pk,
        )
        return {(str(question), bool(dispute)): int(count) for question, dispute, count in rows}

    async def member_categories(self, team_pk: int) -> list[MemberCategory]:
        """Each member's answers and correct answers per category, by name."""
        rows = await self._db.fetchall(
            "SELECT a.player_id, p.display_name, r.category, COUNT(*), SUM(a.correct) "
            "FROM answers a JOIN rounds r ON r.id = a.round_id "
            "JOIN players p ON p.id = a.player_id WHERE r.team_id = $1 "
            "GROUP BY a.player_id, p.display_name, r.category "
            'ORDER BY p.display_name COLLATE "C", a.player_id, r.category COLLATE "C"',
            team_pk,
        )
        return [
            MemberCategory(int(p), str(n), str(c), int(k), int(r or 0)) for p, n, c, k, r in rows
        ]

    async def questions_seen(self, team_pk: int) -> dict[int, set[str]]:
        """The questions each member has answered."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT a.player_id, r.question_id FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE r.team_id = $1",
            team_pk,
        )
        seen: dict[int, set[str]] = {}
        for player, question in rows:
            seen.setdefault(int(player), set()).add(str(question))
        return seen
