"""Mock interviews on PostgreSQL: sessions and the questions asked, with their follow-ups
(mirrors :mod:`storage.interview_store`: the same rows and refusals).

Every write is conditional, as on SQLite. A write to a question first locks its interview's row
for share while checking that it still runs, so ending the interview waits for it (or the write
sees the end and changes nothing); two answers to one step meet on the question's row, and the
second finds it answered. A finished question's leaderboard share is added in the same
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import asyncpg

from storage.interview_store import InterviewRow, InterviewRunningError, QuestionRow
from storage.postgres.scores import ScoreRowValues, add_to_scores

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresInterviewStore"]

_INTERVIEW_COLUMNS = (
    "id, team_id, player_id, length, categories, start_level, question_seconds, started_at, "
    "ended_at, end_reason, score"
)
_QUESTION_COLUMNS = (
    "id, interview_id, position, question_id, category, difficulty, asked_at, answer, "
    "answered_at, grade, covered, missed, follow_up_point, follow_up_answer, "
    "follow_up_answered_at, follow_up_credit, final_grade, judge_note"
)
_ONE_RUNNING = "interviews_one_running"


def _interview(row: Sequence[object]) -> InterviewRow:
    values = list(row)
    values[4] = tuple(str(row[4]).split(",")) if row[4] else ()
    return InterviewRow(*values)  # type: ignore[arg-type]


def _question(row: asyncpg.Record) -> QuestionRow:
    values = list(row)
    values[10] = tuple(json.loads(row[10]))
    values[11] = tuple(json.loads(row[11]))
    return QuestionRow(*values)


async def _still_running(conn: asyncpg.Connection, row_id: int) -> bool:
    """Whether the question's interview runs, its row then locked for share."""
    found = await conn.fetchval(
        "SELECT i.id FROM interviews i JOIN interview_answers a ON a.interview_id = i.id "
        "WHERE a.id = $1 AND i.ended_at IS NULL FOR SHARE OF i",
        row_id,
    )
    return found is not None


async def _finish_question(
    conn: asyncpg.Connection, row_id: int, final_grade: float, scores: Sequence[ScoreRowValues]
) -> None:
    await conn.execute(
        "UPDATE interview_answers SET final_grade = $1 WHERE id = $2", final_grade, row_id
    )
    await add_to_scores(conn, scores)


def _changed(status: str) -> bool:
    """Whether a command's status (``UPDATE 1``, ``INSERT 0 1``) says one row changed."""
    return status.rsplit(" ", 1)[-1] == "1"


class PostgresInterviewStore:
    """Interview sessions and their questions, on the PostgreSQL store's pool."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

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
        try:
            row = await self._db.fetchone(
                "INSERT INTO interviews (team_id, player_id, length, categories, start_level, "
                "question_seconds, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                f"RETURNING {_INTERVIEW_COLUMNS}",
                team_pk,
                player_pk,
                length,
                ",".join(categories),
                start_level,
                question_seconds,
                now,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != _ONE_RUNNING:
                raise
            raise InterviewRunningError(player_pk) from None
        assert row is not None
        return _interview(tuple(row))

    async def running(self, player_pk: int) -> InterviewRow | None:
        """The player's running interview, if any."""
        row = await self._db.fetchone(
            f"SELECT {_INTERVIEW_COLUMNS} FROM interviews "
            "WHERE player_id = $1 AND ended_at IS NULL",
            player_pk,
        )
        return _interview(tuple(row)) if row else None

    async def get(self, interview_id: int) -> InterviewRow | None:
        """The interview with this id, if any."""
        row = await self._db.fetchone(
            f"SELECT {_INTERVIEW_COLUMNS} FROM interviews WHERE id = $1", interview_id
        )
        return _interview(tuple(row)) if row else None

    async def end(self, interview_id: int, reason: str, score: float | None, now: float) -> bool:
        """End a running interview; False when it had ended already."""
        changed = await self._db.execute_write(
            "UPDATE interviews SET ended_at = $1, end_reason = $2, score = $3 "
            "WHERE id = $4 AND ended_at IS NULL",
            now,
            reason,
            score,
            interview_id,
        )
        return changed == 1

    async def history(self, player_pk: int, limit: int) -> list[tuple[InterviewRow, int]]:
        """The player's latest interviews, newest first, each with how many questions it
        finished."""
        rows = await self._db.fetchall(
            f"SELECT {', '.join('i.' + c for c in _INTERVIEW_COLUMNS.split(', '))}, "
            "(SELECT COUNT(*) FROM interview_answers a WHERE a.interview_id = i.id "
            "AND a.final_grade IS NOT NULL) FROM interviews i WHERE i.player_id = $1 "
            "ORDER BY i.started_at DESC, i.id DESC LIMIT $2",
            player_pk,
            limit,
        )
        return [(_interview(tuple(row)[:-1]), int(row[-1])) for row in rows]

    async def previous_score(self, player_pk: int, before_id: int) -> float | None:
        """The score of the player's last scored interview before ``before_id``."""
        found = await self._db.fetchvalue(
            "SELECT score FROM interviews WHERE player_id = $1 AND id < $2 "
            "AND score IS NOT NULL ORDER BY id DESC LIMIT 1",
            player_pk,
            before_id,
        )
        return None if found is None else float(found)

    # -- questions -------------------------------------------------------------------------

    async def questions(self, interview_id: int) -> list[QuestionRow]:
        """The questions asked so far, in order."""
        rows = await self._db.fetchall(
            f"SELECT {_QUESTION_COLUMNS} FROM interview_answers WHERE interview_id = $1 "
            "ORDER BY position",
            interview_id,
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
        already (a concurrent request got there first) or the interview has ended."""
        status = await self._db.execute_status(
            "INSERT INTO interview_answers (interview_id, position, question_id, category, "
            "difficulty, asked_at) SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM "
            "interviews WHERE id = $1 AND ended_at IS NULL) "
            "ON CONFLICT (interview_id, position) DO NOTHING",
            interview_id,
            position,
            question_id,
            category,
            difficulty,
            now,
        )
        return _changed(status)

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

        async def work(conn: asyncpg.Connection) -> bool:
            if not await _still_running(conn, row_id):
                return False
            status = await conn.execute(
                "UPDATE interview_answers SET answer = $1, answered_at = $2, grade = $3, "
                "covered = $4, missed = $5, follow_up_point = $6, judge_note = $7 "
                "WHERE id = $8 AND answered_at IS NULL",
                text,
                now,
                grade,
                json.dumps(list(covered)),
                json.dumps(list(missed)),
                follow_up_point,
                judge_note,
                row_id,
            )
            if not _changed(status):
                return False
            if final is not None:
                await _finish_question(conn, row_id, *final)
            return True

        return await self._db.in_transaction(work)

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

        async def work(conn: asyncpg.Connection) -> bool:
            if not await _still_running(conn, row_id):
                return False
            status = await conn.execute(
                "UPDATE interview_answers SET follow_up_answer = $1, "
                "follow_up_answered_at = $2, follow_up_credit = $3 WHERE id = $4 "
                "AND follow_up_point IS NOT NULL AND follow_up_answered_at IS NULL",
                text,
                now,
                credit,
                row_id,
            )
            if not _changed(status):
                return False
            await _finish_question(conn, row_id, *final)
            return True

        return await self._db.in_transaction(work)

    async def finish_unanswered_follow_up(
        self, row_id: int, final_grade: float, scores: Sequence[ScoreRowValues]
    ) -> bool:
        """Finish a question whose follow-up was never answered (the interview ends), with
        its first grade; False when it was finished already."""

        async def work(conn: asyncpg.Connection) -> bool:
            status = await conn.execute(
                "UPDATE interview_answers SET final_grade = $1 WHERE id = $2 "
                "AND answered_at IS NOT NULL AND final_grade IS NULL",
                final_grade,
                row_id,
            )
            if not _changed(status):
                return False
            await add_to_scores(conn, scores)
            return True

        return await self._db.in_transaction(work)
