"""SQL behind question analytics: every answer with its question, how often each question was
asked, and the open reports per question. The statistics are the engine's
(:mod:`bot.engine.analytics`)."""

from __future__ import annotations

from storage.database import Database
from storage.records import AnswerFact, MemberCategory

__all__ = ["AnalyticsStore", "AnswerFact", "MemberCategory"]


class AnalyticsStore:
    """Reads for question analytics, of one team or (``team_pk`` None) of all."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def answers(self, team_pk: int | None) -> list[AnswerFact]:
        """Every answer with its round's question and mode."""
        rows = await self._db.fetchall(
            "SELECT r.question_id, r.mode, a.choice, a.grade, a.correct, a.player_id "
            "FROM answers a JOIN rounds r ON r.id = a.round_id "
            "WHERE ? IS NULL OR r.team_id = ?",
            (team_pk, team_pk),
        )
        return [
            AnswerFact(str(q), str(m), None if c is None else int(c), float(g), bool(k), int(p))
            for q, m, c, g, k, p in rows
        ]

    async def times_asked(self, team_pk: int | None) -> dict[str, int]:
        """How many rounds of each question were opened (quiz, daily and review)."""
        rows = await self._db.fetchall(
            "SELECT question_id, COUNT(*) FROM rounds WHERE ? IS NULL OR team_id = ? "
            "GROUP BY question_id",
            (team_pk, team_pk),
        )
        return {str(question): int(count) for question, count in rows}

    async def open_reports(self, team_pk: int | None) -> dict[tuple[str, bool], int]:
        """Open reports per (question, is a dispute)."""
        rows = await self._db.fetchall(
            "SELECT question_id, kind = 'dispute', COUNT(*) FROM reports "
            "WHERE status = 'open' AND (? IS NULL OR team_id = ?) GROUP BY 1, 2",
            (team_pk, team_pk),
        )
        return {(str(question), bool(dispute)): int(count) for question, dispute, count in rows}

    async def member_categories(self, team_pk: int) -> list[MemberCategory]:
        """Each member's answers and correct answers per category, by name."""
        rows = await self._db.fetchall(
            "SELECT a.player_id, p.display_name, r.category, COUNT(*), SUM(a.correct) "
            "FROM answers a JOIN rounds r ON r.id = a.round_id "
            "JOIN players p ON p.id = a.player_id WHERE r.team_id = ? "
            "GROUP BY a.player_id, r.category ORDER BY p.display_name, a.player_id, r.category",
            (team_pk,),
        )
        return [
            MemberCategory(int(p), str(n), str(c), int(k), int(r or 0)) for p, n, c, k, r in rows
        ]

    async def questions_seen(self, team_pk: int) -> dict[int, set[str]]:
        """The questions each member has answered."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT a.player_id, r.question_id FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE r.team_id = ?",
            (team_pk,),
        )
        seen: dict[int, set[str]] = {}
        for player, question in rows:
            seen.setdefault(int(player), set()).add(str(question))
        return seen
