"""SQL of spaced repetition: FSRS cards, the review log, review rounds, and reports.

:class:`ReviewStore` (``Store.reviews``) shares the store's connection, write lock and helpers.
Card scheduling itself (the ``fsrs`` package) is the engine's business: the functions that run
inside a write transaction take the scheduling step as a callable.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from storage.database import Database
from storage.errors import DuplicateReportError
from storage.records import (
    ROUND_COLUMNS,
    CardReview,
    CardRow,
    ReportRow,
    ReviewStep,
    RoundRecord,
    round_record,
)

__all__ = [
    "CardRow",
    "DuplicateReportError",
    "ReportRow",
    "ReviewStep",
    "ReviewStore",
    "apply_card_review",
    "apply_review",
]


_CARD_COLUMNS = "id, player_id, question_id, category, state, due, card, reviews, last_log_id"


def _card(row: tuple[Any, ...]) -> CardRow:
    return CardRow(*row)


def apply_review(
    conn: sqlite3.Connection,
    *,
    player_pk: int,
    question_id: str,
    category: str,
    answer_id: int,
    rating: int,
    reviewed_at: float,
    step: ReviewStep,
) -> None:
    """Review the player's card for a question (creating it), inside an open transaction.

    Runs in :meth:`Store.record_answer`'s transaction, so the card moves if and only if the
    answer is committed.
    """
    row = conn.execute(
        "SELECT id, card FROM cards WHERE player_id = ? AND question_id = ?",
        (player_pk, question_id),
    ).fetchone()
    if row is None:
        card_id = int(
            conn.execute(
                "INSERT INTO cards (player_id, question_id, category, state, due, card) "
                "VALUES (?, ?, ?, 0, ?, '') RETURNING id",
                (player_pk, question_id, category, reviewed_at),
            ).fetchone()[0]
        )
        before: str | None = None
    else:
        card_id, before = int(row[0]), str(row[1])
    after, state, due = step(before, card_id)
    log_id = conn.execute(
        "INSERT INTO review_log (card_id, answer_id, rating, auto_rating, reviewed_at, "
        "card_before) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (card_id, answer_id, rating, rating, reviewed_at, before or ""),
    ).fetchone()[0]
    conn.execute(
        "UPDATE cards SET state = ?, due = ?, card = ?, category = ?, reviews = reviews + 1, "
        "last_log_id = ? WHERE id = ?",
        (state, due, after, category, log_id, card_id),
    )


def apply_card_review(conn: sqlite3.Connection, review: CardReview, answer_id: int) -> None:
    """:func:`apply_review` of an answer's :class:`CardReview`."""
    apply_review(
        conn,
        player_pk=review.player_pk,
        question_id=review.question_id,
        category=review.category,
        answer_id=answer_id,
        rating=review.rating,
        reviewed_at=review.reviewed_at,
        step=review.step,
    )


class ReviewStore:
    """Cards, review rounds and reports, on the store's connection (``Store.reviews``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- cards ---------------------------------------------------------------------------

    async def card(self, player_pk: int, question_id: str) -> CardRow | None:
        """The player's card for a question, if they have answered it."""
        row = await self._db.fetchone(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE player_id = ? AND question_id = ?",
            (player_pk, question_id),
        )
        return _card(row) if row else None

    async def cards(self, player_pk: int) -> list[CardRow]:
        """Every card of a player, soonest due first."""
        rows = await self._db.fetchall(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE player_id = ? ORDER BY due, id",
            (player_pk,),
        )
        return [_card(row) for row in rows]

    async def due_cards(self, player_pk: int, now: float, limit: int = 50) -> list[CardRow]:
        """The player's cards due at ``now``, most overdue first."""
        rows = await self._db.fetchall(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE player_id = ? AND due <= ? "
            "ORDER BY due, id LIMIT ?",
            (player_pk, now, limit),
        )
        return [_card(row) for row in rows]

    async def due_count(self, player_pk: int, until: float) -> int:
        """How many of the player's cards are due by ``until``."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM cards WHERE player_id = ? AND due <= ?", (player_pk, until)
        )
        return int(row[0]) if row else 0

    async def review_of_answer(
        self, round_id: int, player_pk: int
    ) -> tuple[int, int, float] | None:
        """(review log id, card id, reviewed at) of the player's answer to a round, if logged."""
        row = await self._db.fetchone(
            "SELECT l.id, l.card_id, l.reviewed_at FROM review_log l "
            "JOIN answers a ON a.id = l.answer_id WHERE a.round_id = ? AND a.player_id = ?",
            (round_id, player_pk),
        )
        return (int(row[0]), int(row[1]), float(row[2])) if row else None

    async def rerate(
        self, log_id: int, card_id: int, rating: int, step: ReviewStep
    ) -> tuple[bool, str]:
        """Replay a logged review with ``rating`` (the player's self-assessment).

        Only the card's latest review can be replayed; returns (done, card JSON after).
        """

        def work(conn: sqlite3.Connection) -> tuple[bool, str]:
            row = conn.execute(
                "SELECT c.last_log_id, l.card_before FROM cards c "
                "JOIN review_log l ON l.id = ? WHERE c.id = ?",
                (log_id, card_id),
            ).fetchone()
            if row is None or row[0] != log_id:
                return False, ""
            before = str(row[1]) or None
            after, state, due = step(before, card_id)
            conn.execute(
                "UPDATE review_log SET rating = ?, self_rated = 1 WHERE id = ?", (rating, log_id)
            )
            conn.execute(
                "UPDATE cards SET state = ?, due = ?, card = ? WHERE id = ?",
                (state, due, after, card_id),
            )
            return True, after

        return await self._db.write_in_thread(work)

    async def review_log(self, card_id: int) -> list[tuple[int, int, float, bool]]:
        """(rating, automatic rating, reviewed at, self-rated) of a card, oldest first."""
        rows = await self._db.fetchall(
            "SELECT rating, auto_rating, reviewed_at, self_rated FROM review_log "
            "WHERE card_id = ? ORDER BY reviewed_at, id",
            (card_id,),
        )
        return [(int(r[0]), int(r[1]), float(r[2]), bool(r[3])) for r in rows]

    # -- review rounds -------------------------------------------------------------------

    async def open_review_round(self, player_pk: int, now: float) -> RoundRecord | None:
        """The player's newest open, unanswered review round that still has time left."""
        row = await self._db.fetchone(
            f"SELECT {ROUND_COLUMNS} FROM rounds r WHERE opened_by = ? AND kind = 'review' "
            "AND closed_at IS NULL AND closes_at > ? AND NOT EXISTS "
            "(SELECT 1 FROM answers a WHERE a.round_id = r.id) ORDER BY id DESC LIMIT 1",
            (player_pk, now),
        )
        return round_record(row) if row else None

    async def player_answer(
        self, round_id: int, player_pk: int
    ) -> tuple[int | None, str | None, float] | None:
        """(choice, text, grade) of the player's answer to a round, if any."""
        row = await self._db.fetchone(
            "SELECT choice, text, grade FROM answers WHERE round_id = ? AND player_id = ?",
            (round_id, player_pk),
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

        def work(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "INSERT INTO reports (team_id, player_id, round_id, question_id, kind, note, "
                "answer, grade, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (team_pk, player_pk, round_id, question_id, kind, note, answer, grade, created_at),
            ).fetchone()
            return int(row[0])

        try:
            return await self._db.write_in_thread(work)
        except sqlite3.IntegrityError:
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
        return [ReportRow(*row) for row in rows]

    async def resolve_report(self, report_id: int, now: float, team_pk: int | None = None) -> bool:
        """Mark a report resolved (only within ``team_pk`` when given); False if not open."""

        changed = await self._db.execute_write(
            "UPDATE reports SET status = 'resolved', resolved_at = ? "
            "WHERE id = ? AND status = 'open' AND (? IS NULL OR team_id = ?)",
            (now, report_id, team_pk, team_pk),
        )
        return changed == 1
