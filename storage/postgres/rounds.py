"""Rounds and answers on PostgreSQL: opening, closing, recording an answer with its score
totals (mirrors :mod:`storage.rounds`)."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from storage.postgres.answer_batches import AnswerHook, AnswerWrite, BatchedWrites
from storage.records import (
    ROUND_COLUMNS,
    AnswerRecord,
    CardReview,
    OpenRoundExistsError,
    RoundRecord,
)

__all__ = ["AnswerHook", "PostgresRoundQueries"]

_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
_ONE_OPEN_QUIZ = "rounds_one_open_quiz_per_channel"


def _round(row: asyncpg.Record) -> RoundRecord:
    return RoundRecord(*tuple(row))


class PostgresRoundQueries(BatchedWrites):
    """Reads and writes of ``rounds`` and ``answers``."""

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
            row = await self.fetchone(
                "INSERT INTO rounds (team_id, channel_id, kind, mode, question_id, category, "
                "difficulty, choice_order, opened_by, opened_at, closes_at) "
                f"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {ROUND_COLUMNS}",
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
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != _ONE_OPEN_QUIZ:
                raise
            raise OpenRoundExistsError(channel_id) from None
        assert row is not None
        return _round(row)

    async def get_round(self, round_id: int) -> RoundRecord | None:
        """A round by id, whatever its team (callers check the team)."""
        if not _BIGINT_MIN <= round_id <= _BIGINT_MAX:
            return None  # no such row can exist; the server would refuse the parameter
        row = await self.fetchone(f"SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1", round_id)
        return _round(row) if row else None

    async def open_quiz_round(self, team_pk: int, channel_id: str) -> RoundRecord | None:
        """The channel's open quiz round, if any."""
        row = await self.fetchone(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE team_id = $1 AND channel_id = $2 "
            "AND kind = 'quiz' AND closed_at IS NULL",
            team_pk,
            channel_id,
        )
        return _round(row) if row else None

    async def due_rounds(self, now: float) -> list[RoundRecord]:
        """Open rounds whose deadline has passed (daily rounds are the daily service's)."""
        rows = await self.fetchall(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE closed_at IS NULL AND closes_at <= $1 "
            "AND kind <> 'daily' ORDER BY closes_at",
            now,
        )
        return [_round(row) for row in rows]

    async def next_deadline(self) -> float | None:
        """The earliest deadline among open rounds."""
        found = await self.fetchvalue(
            "SELECT MIN(closes_at) FROM rounds WHERE closed_at IS NULL AND kind <> 'daily'"
        )
        return None if found is None else float(found)

    async def set_message(self, round_id: int, channel_id: str, message_id: str) -> None:
        """Remember where the round's question was posted."""
        await self.execute_write(
            "UPDATE rounds SET message_channel = $1, message_id = $2 WHERE id = $3",
            channel_id,
            message_id,
            round_id,
        )

    async def question_use_counts(self, team_pk: int, channel_id: str) -> dict[str, int]:
        """How many rounds of each question this channel has had."""
        rows = await self.fetchall(
            "SELECT question_id, COUNT(*) FROM rounds WHERE team_id = $1 AND channel_id = $2 "
            "GROUP BY question_id",
            team_pk,
            channel_id,
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
        on_recorded: AnswerHook | None = None,
        review: CardReview | None = None,
    ) -> int:
        """Store an answer and add it to the score totals (of ``periods`` and of the team's
        current season) in one transaction; ``review`` (the FSRS card's review) then
        ``on_recorded(conn, answer_id)`` run last in it. Answers that arrive together share
        the transaction (:mod:`storage.postgres.answer_batches`), each still all or nothing.

        Raises :class:`DuplicateAnswerError` if the player already answered the round, and
        :class:`RoundClosedInStoreError` if the round is closed when the transaction runs: the
        round's row is locked for share first, so a close waits for the answer (which is then
        in the reveal) or the answer sees the close. Returns the answer id once committed.
        """
        return await self.batches.record(
            AnswerWrite(
                round_record=round_record,
                player_pk=player_pk,
                choice=choice,
                text=text,
                grade=grade,
                correct=correct,
                points=points,
                answered_at=answered_at,
                periods=tuple(periods),
                review=review,
                on_recorded=on_recorded,
            )
        )

    async def round_answers(self, round_id: int) -> list[AnswerRecord]:
        """A round's answers in the order they were given."""
        rows = await self.fetchall(
            "SELECT a.player_id, p.display_name, a.choice, a.grade, a.correct, a.points, "
            "a.answered_at FROM answers a JOIN players p ON p.id = a.player_id "
            "WHERE a.round_id = $1 ORDER BY a.answered_at, a.id",
            round_id,
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
        return int(
            await self.fetchvalue("SELECT COUNT(*) FROM answers WHERE round_id = $1", round_id)
        )
