"""Rounds and answers: opening, closing, recording an answer with its score totals."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from storage.database import Database
from storage.records import (
    ROUND_COLUMNS,
    AnswerRecord,
    CardReview,
    DuplicateAnswerError,
    OpenRoundExistsError,
    RoundClosedInStoreError,
    RoundRecord,
    ScoreRowValues,
    round_record,
)
from storage.review_store import apply_card_review
from storage.seasons import current_season

__all__ = ["RoundQueries", "ScoreRowValues", "add_to_scores"]

_SQLITE_MIN_INT, _SQLITE_MAX_INT = -(2**63), 2**63 - 1


def add_to_scores(conn: sqlite3.Connection, rows: Iterable[ScoreRowValues]) -> None:
    """Add one answer to each of the leaderboard rows ``rows``, inside an open transaction."""
    conn.executemany(
        "INSERT INTO scores (team_id, period, channel_id, player_id, points, answers, "
        "correct) VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO UPDATE SET "
        "points = points + excluded.points, answers = answers + 1, "
        "correct = correct + excluded.correct",
        rows,
    )


class RoundQueries(Database):
    """Reads and writes of ``rounds`` and ``answers`` (part of :class:`~storage.store.Store`)."""

    async def create_round(
        self,
        *,
        team_pk: int,
        channel_id: str,
        kind: str,
        mode: str,
        question_id: str,
        category: str,
        difficulty: str,
        choice_order: str,
        opened_by: int | None,
        opened_at: float,
        closes_at: float,
    ) -> RoundRecord:
        """Insert a round; :class:`OpenRoundExistsError` if the channel has an open quiz round."""
        try:
            async with self.transaction() as conn:
                cursor = await conn.execute(
                    "INSERT INTO rounds (team_id, channel_id, kind, mode, question_id, category, "
                    "difficulty, choice_order, opened_by, opened_at, closes_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        team_pk,
                        channel_id,
                        kind,
                        mode,
                        question_id,
                        category,
                        difficulty,
                        choice_order,
                        opened_by,
                        opened_at,
                        closes_at,
                    ),
                )
                round_id = cursor.lastrowid
        except sqlite3.IntegrityError:
            raise OpenRoundExistsError(channel_id) from None
        record = await self.get_round(int(round_id or 0))
        assert record is not None
        return record

    async def get_round(self, round_id: int) -> RoundRecord | None:
        """A round by id, whatever its team (callers check the team)."""
        if not _SQLITE_MIN_INT <= round_id <= _SQLITE_MAX_INT:
            return None  # no such row can exist; SQLite would refuse the parameter
        row = await self.fetchone(f"SELECT {ROUND_COLUMNS} FROM rounds WHERE id = ?", (round_id,))
        return round_record(row) if row else None

    async def open_quiz_round(self, team_pk: int, channel_id: str) -> RoundRecord | None:
        """The channel's open quiz round, if any."""
        row = await self.fetchone(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE team_id = ? AND channel_id = ? "
            "AND kind = 'quiz' AND closed_at IS NULL",
            (team_pk, channel_id),
        )
        return round_record(row) if row else None

    async def due_rounds(self, now: float) -> list[RoundRecord]:
        """Open rounds whose deadline has passed."""
        rows = await self.fetchall(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE closed_at IS NULL AND closes_at <= ? "
            "AND kind != 'daily' "  # daily rounds are closed by the daily service (bot/daily.py)
            "ORDER BY closes_at",
            (now,),
        )
        return [round_record(row) for row in rows]

    async def next_deadline(self) -> float | None:
        """The earliest deadline among open rounds."""
        row = await self.fetchone(
            "SELECT MIN(closes_at) FROM rounds WHERE closed_at IS NULL AND kind != 'daily'"
        )
        return float(row[0]) if row and row[0] is not None else None

    async def set_message(self, round_id: int, channel_id: str, message_id: str) -> None:
        """Remember where the round's question was posted."""
        await self.execute_write(
            "UPDATE rounds SET message_channel = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, round_id),
        )

    async def question_use_counts(self, team_pk: int, channel_id: str) -> dict[str, int]:
        """How many rounds of each question this channel has had."""
        rows = await self.fetchall(
            "SELECT question_id, COUNT(*) FROM rounds WHERE team_id = ? AND channel_id = ? "
            "GROUP BY question_id",
            (team_pk, channel_id),
        )
        return {str(qid): int(count) for qid, count in rows}

    async def record_answer(
        self,
        *,
        round_record: RoundRecord,
        player_pk: int,
        choice: int | None,
        text: str | None,
        grade: float,
        correct: bool,
        points: int,
        answered_at: float,
        periods: Iterable[str],
        on_recorded: Callable[[sqlite3.Connection, int], None] | None = None,
        review: CardReview | None = None,
    ) -> int:
        """Store an answer and add it to the score totals (of ``periods`` and of the team's
        current season) in one transaction.

        ``review`` (the player's FSRS card reviewed by this answer), then ``on_recorded(conn,
        answer_id)`` (SQLite's own hook, not part of :class:`~storage.interface.Storage`) run
        last in the same transaction, so they commit or roll back with the answer.

        Raises :class:`DuplicateAnswerError` if the player already answered the round, and
        :class:`RoundClosedInStoreError` if the round is closed when the transaction runs (the
        check is inside the transaction, so no answer slips in after a close).
        Returns the answer id once committed.
        """

        def insert(conn: sqlite3.Connection) -> int:
            season, _ = current_season(conn, round_record.team_pk)
            score_rows = [
                (round_record.team_pk, period, scope, player_pk, points, int(correct))
                for period in (*periods, season)
                for scope in ("", round_record.channel_id)
            ]
            state = conn.execute(
                "SELECT closed_at FROM rounds WHERE id = ?", (round_record.id,)
            ).fetchone()
            if state is None or state[0] is not None:
                raise RoundClosedInStoreError(round_record.id)
            cursor = conn.execute(
                "INSERT INTO answers (round_id, player_id, choice, text, grade, correct, "
                "points, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    round_record.id,
                    player_pk,
                    choice,
                    text,
                    grade,
                    int(correct),
                    points,
                    answered_at,
                ),
            )
            answer_id = int(cursor.lastrowid or 0)
            add_to_scores(conn, score_rows)
            if review is not None:
                apply_card_review(conn, review, answer_id)
            if on_recorded is not None:
                on_recorded(conn, answer_id)
            return answer_id

        try:
            return await self.write_in_thread(insert)
        except sqlite3.IntegrityError:
            raise DuplicateAnswerError(round_record.id) from None

    async def round_answers(self, round_id: int) -> list[AnswerRecord]:
        """A round's answers in the order they were given."""
        rows = await self.fetchall(
            "SELECT a.player_id, p.display_name, a.choice, a.grade, a.correct, a.points, "
            "a.answered_at FROM answers a JOIN players p ON p.id = a.player_id "
            "WHERE a.round_id = ? ORDER BY a.answered_at, a.id",
            (round_id,),
        )
        return [
            AnswerRecord(
                int(r[0]),
                str(r[1]),
                None if r[2] is None else int(r[2]),
                float(r[3]),
                bool(r[4]),
                int(r[5]),
                float(r[6]),
            )
            for r in rows
        ]

    async def answer_count(self, round_id: int) -> int:
        """How many players answered a round."""
        row = await self.fetchone("SELECT COUNT(*) FROM answers WHERE round_id = ?", (round_id,))
        return int(row[0]) if row else 0
