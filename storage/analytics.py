"""SQL behind question analytics: every answer with its question, how often each question was
asked, and the open reports per question. The statistics are the engine's
(:mod:`bot.engine.analytics`)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.store import Store

__all__ = ["AnalyticsStore", "AnswerFact"]


@dataclass(frozen=True, slots=True)
class AnswerFact:
    """One answer, reduced to what the statistics read."""

    question_id: str
    mode: str
    choice: int | None
    grade: float
    correct: bool
    player_pk: int


class AnalyticsStore:
    """Reads for question analytics, of one team or (``team_pk`` None) of all."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def answers(self, team_pk: int | None) -> list[AnswerFact]:
        """Every answer with its round's question and mode."""
        rows = await self._store.fetchall(
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
        rows = await self._store.fetchall(
            "SELECT question_id, COUNT(*) FROM rounds WHERE ? IS NULL OR team_id = ? "
            "GROUP BY question_id",
            (team_pk, team_pk),
        )
        return {str(question): int(count) for question, count in rows}

    async def open_reports(self, team_pk: int | None) -> dict[tuple[str, bool], int]:
        """Open reports per (question, is a dispute)."""
        rows = await self._store.fetchall(
            "SELECT question_id, kind = 'dispute', COUNT(*) FROM reports "
            "WHERE status = 'open' AND (? IS NULL OR team_id = ?) GROUP BY 1, 2",
            (team_pk, team_pk),
        )
        return {(str(question), bool(dispute)): int(count) for question, dispute, count in rows}
