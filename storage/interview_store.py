"""SQL of mock interviews: one row per session (``interviews``), one per question asked
(``interview_answers``, with its follow-up).

A small companion of :class:`~storage.store.Store` on its connection and write lock. Every
write is conditional (``WHERE answered_at IS NULL``, ``WHERE ended_at IS NULL``...), so an
answer racing another answer or the end of the session is recorded once or not at all; the
leaderboard share of a finished question is added in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from storage.database import Database
from storage.errors import InterviewRunningError
from storage.records import InterviewRow, QuestionRow, ScoreRowValues
from storage.rounds import add_to_scores

__all__ = [
    "InterviewRow",
    "InterviewRunningError",
    "InterviewStore",
    "QuestionRow",
]


_INTERVIEW_COLUMNS = (
    "id, team_id, player_id, length, categories, start_level, question_seconds, started_at, "
    "ended_at, end_reason, score"
)
_QUESTION_COLUMNS = (
    "id, interview_id, position, question_id, category, difficulty, asked_at, answer, "
    "answered_at, grade, covered, missed, follow_up_point, follow_up_answer, "
    "follow_up_answered_at, follow_up_credit, final_grade, judge_note"
)

_RUNNING = "EXISTS (SELECT 1 FROM interviews i WHERE i.id = interview_id AND i.ended_at IS NULL)"
"""The condition that the question row's interview is still running."""


def _interview(row: Sequence[Any]) -> InterviewRow:
    values = list(row)
    values[4] = tuple(str(row[4]).split(",")) if row[4] else ()
    return InterviewRow(*values)


def _question(row: Sequence[Any]) -> QuestionRow:
    values = list(row)
    values[10] = tuple(json.loads(row[10]))
    values[11] = tuple(json.loads(row[11]))
    return QuestionRow(*values)


def _finish_question(
    conn: sqlite3.Connection, row_id: int, final_grade: float, scores: Sequence[ScoreRowValues]
) -> None:
    conn.execute("UPDATE interview_answers SET final_grade = ? WHERE id = ?", (final_grade, row_id))
    add_to_scores(conn, scores)


class InterviewStore:
    """Interview sessions and their questions, on the store's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- sessions --------------------------------------------------------------------------

    async def start(
        self,
        *,
        team_pk: int,
        player_pk: int,
        length: int,
        categories: Sequence[str],
        start_level: str,
        question_seconds: int,
        now: float,
    ) -> InterviewRow:
        """A new running interview; :class:`InterviewRunningError` if one is running."""

        def work(conn: sqlite3.Connection) -> InterviewRow:
            row = conn.execute(
                "INSERT INTO interviews (team_id, player_id, length, categories, start_level, "
                f"question_seconds, started_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                f"RETURNING {_INTERVIEW_COLUMNS}",
                (
                    team_pk,
                    player_pk,
                    length,
                    ",".join(categories),
                    start_level,
                    question_seconds,
                    now,
                ),
            ).fetchone()
            return _interview(row)

        try:
            return await self._db.write_in_thread(work)
        except sqlite3.IntegrityError:
            raise InterviewRunningError(player_pk) from None

    async def running(self, player_pk: int) -> InterviewRow | None:
        """The player's running interview, if any."""
        row = await self._db.fetchone(
            f"SELECT {_INTERVIEW_COLUMNS} FROM interviews WHERE player_id = ? AND ended_at IS NULL",
            (player_pk,),
        )
        return _interview(row) if row else None

    async def get(self, interview_id: int) -> InterviewRow | None:
        """The interview with this id, if any."""
        row = await self._db.fetchone(
            f"SELECT {_INTERVIEW_COLUMNS} FROM interviews WHERE id = ?", (interview_id,)
        )
        return _interview(row) if row else None

    async def end(self, interview_id: int, reason: str, score: float | None, now: float) -> bool:
        """End a running interview; False when it had ended already."""
        changed = await self._db.execute_write(
            "UPDATE interviews SET ended_at = ?, end_reason = ?, score = ? "
            "WHERE id = ? AND ended_at IS NULL",
            (now, reason, score, interview_id),
        )
        return changed == 1

    async def history(self, player_pk: int, limit: int) -> list[tuple[InterviewRow, int]]:
        """The player's latest interviews, newest first, each with how many questions it
        finished."""
        rows = await self._db.fetchall(
            f"SELECT {', '.join('i.' + c for c in _INTERVIEW_COLUMNS.split(', '))}, "
            "(SELECT COUNT(*) FROM interview_answers a WHERE a.interview_id = i.id "
            "AND a.final_grade IS NOT NULL) FROM interviews i WHERE i.player_id = ? "
            "ORDER BY i.started_at DESC, i.id DESC LIMIT ?",
            (player_pk, limit),
        )
        return [(_interview(row[:-1]), int(row[-1])) for row in rows]

    async def previous_score(self, player_pk: int, before_id: int) -> float | None:
        """The score of the player's last scored interview before ``before_id``."""
        row = await self._db.fetchone(
            "SELECT score FROM interviews WHERE player_id = ? AND id < ? AND score IS NOT NULL "
            "ORDER BY id DESC LIMIT 1",
            (player_pk, before_id),
        )
        return float(row[0]) if row else None

    # -- questions -------------------------------------------------------------------------

    async def questions(self, interview_id: int) -> list[QuestionRow]:
        """The questions asked so far, in order."""
        rows = await self._db.fetchall(
            f"SELECT {_QUESTION_COLUMNS} FROM interview_answers WHERE interview_id = ? "
            "ORDER BY position",
            (interview_id,),
        )
        return [_question(row) for row in rows]

    async def ask(
        self,
        *,
        interview_id: int,
        position: int,
        question_id: str,
        category: str,
        difficulty: str,
        now: float,
    ) -> bool:
        """Record that a question is asked at ``position``; False if one was asked there
        already (a concurrent request got there first)."""

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO interview_answers (interview_id, position, question_id, category, "
                "difficulty, asked_at) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "
                "interviews WHERE id = ? AND ended_at IS NULL) "
                "ON CONFLICT (interview_id, position) DO NOTHING",
                (interview_id, position, question_id, category, difficulty, now, interview_id),
            )
            return cursor.rowcount == 1

        return await self._db.write_in_thread(work)

    async def answer(
        self,
        row_id: int,
        *,
        text: str,
        now: float,
        grade: float,
        covered: Sequence[str],
        missed: Sequence[str],
        follow_up_point: str | None,
        final: tuple[float, Sequence[ScoreRowValues]] | None,
        judge_note: str | None = None,
    ) -> bool:
        """Record the answer to a question (and, with ``final`` = (final grade, leaderboard
        rows), finish it); False when it was answered already or the interview has ended."""

        def work(conn: sqlite3.Connection) -> bool:
            changed = conn.execute(
                "UPDATE interview_answers SET answer = ?, answered_at = ?, grade = ?, "
                "covered = ?, missed = ?, follow_up_point = ?, judge_note = ? WHERE id = ? "
                f"AND answered_at IS NULL AND {_RUNNING}",
                (
                    text,
                    now,
                    grade,
                    json.dumps(list(covered)),
                    json.dumps(list(missed)),
                    follow_up_point,
                    judge_note,
                    row_id,
                ),
            ).rowcount
            if changed and final is not None:
                _finish_question(conn, row_id, *final)
            return changed == 1

        return await self._db.write_in_thread(work)

    async def answer_follow_up(
        self,
        row_id: int,
        *,
        text: str,
        now: float,
        credit: float,
        final: tuple[float, Sequence[ScoreRowValues]],
    ) -> bool:
        """Record the answer to a question's follow-up and finish the question; False when
        it was answered already or the interview has ended."""

        def work(conn: sqlite3.Connection) -> bool:
            changed = conn.execute(
                "UPDATE interview_answers SET follow_up_answer = ?, follow_up_answered_at = ?, "
                "follow_up_credit = ? WHERE id = ? AND follow_up_point IS NOT NULL "
                f"AND follow_up_answered_at IS NULL AND {_RUNNING}",
                (text, now, credit, row_id),
            ).rowcount
            if changed:
                _finish_question(conn, row_id, *final)
            return changed == 1

        return await self._db.write_in_thread(work)

    async def finish_unanswered_follow_up(
        self, row_id: int, final_grade: float, scores: Sequence[ScoreRowValues]
    ) -> bool:
        """Finish a question whose follow-up was never answered (the interview ends), with
        its first grade; False when it was finished already."""

        def work(conn: sqlite3.Connection) -> bool:
            changed = conn.execute(
                "UPDATE interview_answers SET final_grade = ? WHERE id = ? "
                "AND answered_at IS NOT NULL AND final_grade IS NULL",
                (final_grade, row_id),
            ).rowcount
            if changed:
                add_to_scores(conn, scores)
            return changed == 1

        return await self._db.write_in_thread(work)
