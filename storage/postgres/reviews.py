"""Spaced repetition on PostgreSQL: FSRS cards, the review log, review rounds, and reports
(mirrors :mod:`storage.review_store`, with the same rows and refusals).

A concurrent write to the same card (two answers of one player to one question, a
self-assessment) waits on the card's row lock, so each replays the card the other left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from storage.records import ROUND_COLUMNS, RoundRecord
from storage.review_store import CardRow, DuplicateReportError, ReportRow, ReviewStep

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresReviewStore"]

_CARD_COLUMNS = "id, player_id, question_id, category, state, due, card, reviews, last_log_id"


def _card(row: asyncpg.Record) -> CardRow:
    return CardRow(*tuple(row))


class PostgresReviewStore:
    """Cards, review rounds and reports, on the PostgreSQL store's pool."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    # -- cards ---------------------------------------------------------------------------

    async def card(self, player_pk: int, question_id: str) -> CardRow | None:
        """The player's card for a question, if they have answered it."""
        row = await self._db.fetchone(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE player_id = $1 AND question_id = $2",
            player_pk,
            question_id,
        )
        return _card(row) if row else None

    async def cards(self, player_pk: int) -> list[CardRow]:
        """Every card of a player, soonest due first."""
        rows = await self._db.fetchall(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE player_id = $1 ORDER BY due, id", player_pk
        )
        return [_card(row) for row in rows]

    async def due_cards(self, player_pk: int, now: float, limit: int = 50) -> list[CardRow]:
        """The player's cards due at ``now``, most overdue first."""
        rows = await self._db.fetchall(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE player_id = $1 AND due <= $2 "
            "ORDER BY due, id LIMIT $3",
            player_pk,
            now,
            limit,
        )
        return [_card(row) for row in rows]

    async def due_count(self, player_pk: int, until: float) -> int:
        """How many of the player's cards are due by ``until``."""
        return int(
            await self._db.fetchvalue(
                "SELECT COUNT(*) FROM cards WHERE player_id = $1 AND due <= $2", player_pk, until
            )
        )

    async def review_of_answer(
        self, round_id: int, player_pk: int
    ) -> tuple[int, int, float] | None:
        """(review log id, card id, reviewed at) of the player's answer to a round, if logged."""
        row = await self._db.fetchone(
            "SELECT l.id, l.card_id, l.reviewed_at FROM review_log l "
            "JOIN answers a ON a.id = l.answer_id WHERE a.round_id = $1 AND a.player_id = $2",
            round_id,
            player_pk,
        )
        return (int(row[0]), int(row[1]), float(row[2])) if row else None

    async def rerate(
        self, log_id: int, card_id: int, rating: int, step: ReviewStep
    ) -> tuple[bool, str]:
        """Replay a logged review with ``rating`` (the player's self-assessment).

        Only the card's latest review can be replayed; returns (done, card JSON after).
        """

        async def work(conn: asyncpg.Connection) -> tuple[bool, str]:
            row = await conn.fetchrow(
                "SELECT c.last_log_id, l.card_before FROM cards c "
                "JOIN review_log l ON l.id = $1 WHERE c.id = $2 FOR UPDATE OF c",
                log_id,
                card_id,
            )
            if row is None or row[0] != log_id:
                return False, ""
            before = str(row[1]) or None
            after, state, due = step(before, card_id)
            await conn.execute(
                "UPDATE review_log SET rating = $1, self_rated = 1 WHERE id = $2", rating, log_id
            )
            await conn.execute(
                "UPDATE cards SET state = $1, due = $2, card = $3 WHERE id = $4",
                state,
                due,
                after,
                card_id,
            )
            return True, after

        return await self._db.in_transaction(work)

    async def review_log(self, card_id: int) -> list[tuple[int, int, float, bool]]:
        """(rating, automatic rating, reviewed at, self-rated) of a card, oldest first."""
        rows = await self._db.fetchall(
            "SELECT rating, auto_rating, reviewed_at, self_rated FROM review_log "
            "WHERE card_id = $1 ORDER BY reviewed_at, id",
            card_id,
        )
        return [(int(r[0]), int(r[1]), float(r[2]), bool(r[3])) for r in rows]

    # -- review rounds -------------------------------------------------------------------

    async def open_review_round(self, player_pk: int, now: float) -> RoundRecord | None:
        """The player's newest open, unanswered review round that still has time left."""
        row = await self._db.fetchone(
            f"SELECT {ROUND_COLUMNS} FROM rounds r WHERE opened_by = $1 AND kind = 'review' "
            "AND closed_at IS NULL AND closes_at > $2 AND NOT EXISTS "
            "(SELECT 1 FROM answers a WHERE a.round_id = r.id) ORDER BY id DESC LIMIT 1",
            player_pk,
            now,
        )
        return RoundRecord(*tuple(row)) if row else None

    async def player_answer(
        self, round_id: int, player_pk: int
    ) -> tuple[int | None, str | None, float] | None:
        """(choice, text, grade) of the player's answer to a round, if any."""
        row = await self._db.fetchone(
            "SELECT choice, text, grade FROM answers WHERE round_id = $1 AND player_id = $2",
            round_id,
            player_pk,
        )
        if row is None:
            return None
        return (None if row[0] is None else int(row[0]), row[1], float(row[2]))

    # -- reports -------------------------------------------------------------------------

    async def add_report(
        self,
        *,
        team_pk: int,
        player_pk: int,
        round_id: int,
        question_id: str,
        kind: str,
        note: str,
        answer: str | None,
        grade: float | None,
        created_at: float,
    ) -> int:
        """File a report; :class:`DuplicateReportError` if this one was filed already."""
        try:
            return int(
                await self._db.fetchvalue(
                    "INSERT INTO reports (team_id, player_id, round_id, question_id, kind, note, "
                    "answer, grade, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                    "RETURNING id",
                    team_pk,
                    player_pk,
                    round_id,
                    question_id,
                    kind,
                    note,
                    answer,
                    grade,
                    created_at,
                )
            )
        except asyncpg.UniqueViolationError:
            raise DuplicateReportError(round_id) from None

    async def reports(self, *, include_resolved: bool = False) -> list[ReportRow]:
        """Reports for pack authors, oldest first (open ones only unless asked)."""
        where = "" if include_resolved else "WHERE r.status = 'open'"
        rows = await self._db.fetchall(
            "SELECT r.id, t.platform, t.external_id, p.display_name, r.round_id, r.question_id, "
            "r.kind, r.note, r.answer, r.grade, r.created_at, r.status, r.resolved_at "
            "FROM reports r JOIN teams t ON t.id = r.team_id JOIN players p ON p.id = r.player_id "
            f"{where} ORDER BY r.created_at, r.id"
        )
        return [ReportRow(*tuple(row)) for row in rows]

    async def resolve_report(self, report_id: int, now: float, team_pk: int | None = None) -> bool:
        """Mark a report resolved (only within ``team_pk`` when given); False if not open."""
        changed = await self._db.execute_write(
            "UPDATE reports SET status = 'resolved', resolved_at = $1 "
            "WHERE id = $2 AND status = 'open' AND ($3::BIGINT IS NULL OR team_id = $3)",
            now,
            report_id,
            team_pk,
        )
        return changed == 1
