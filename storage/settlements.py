"""SQL of settling disputes and question reports, and of telling the player the outcome.

A dispute upheld corrects its answer in one transaction: the report's outcome, the answer's
grade and points (the originals kept in ``grade_corrections``), the player's FSRS card (its
reviews replayed from the disputed one on) and the leaderboard totals of every period and
scope the answer counted in (its season's too, unless that season has ended: final standings
stay final). The scheduling itself is the engine's: it passes a
:data:`CardReplay`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from storage.database import Database
from storage.records import CardReplay, GradeCorrection, Outcome, SettledReport
from storage.seasons import current_season

__all__ = [
    "CardReplay",
    "GradeCorrection",
    "Outcome",
    "SettledReport",
    "SettlementStore",
    "replay_card",
]

_SELECT = (
    "SELECT r.id, r.kind, r.team_id, t.platform, t.external_id, r.player_id, p.external_id, "
    "p.display_name, r.round_id, r.question_id, r.note, r.answer, r.created_at, r.status, "
    "r.outcome, r.resolution_note, o.kind, o.mode, o.difficulty, o.channel_id, o.opened_at, "
    "o.closes_at, a.id, a.grade, a.points, a.answered_at, "
    "COALESCE(g.grade_before, a.grade), COALESCE(g.points_before, a.points) "
    "FROM reports r JOIN teams t ON t.id = r.team_id JOIN players p ON p.id = r.player_id "
    "JOIN rounds o ON o.id = r.round_id "
    "LEFT JOIN answers a ON a.round_id = r.round_id AND a.player_id = r.player_id "
    "LEFT JOIN grade_corrections g ON g.report_id = r.id "
)


def _report(row: Sequence[Any]) -> SettledReport:
    return SettledReport(*row)


def replay_card(conn: sqlite3.Connection, answer_id: int, rating: int, replay: CardReplay) -> None:
    """Re-run the FSRS reviews of the answer's card from that answer on, with its new rating.

    Later reviews keep their own ratings; each gets the replayed card as its ``card_before``.
    The answer's log keeps its automatic rating (``auto_rating``) beside the corrected one.
    """
    row = conn.execute(
        "SELECT card_id, card_before, reviewed_at, id FROM review_log WHERE answer_id = ?",
        (answer_id,),
    ).fetchone()
    if row is None:
        return
    card_id, before, at, log_id = int(row[0]), str(row[1]) or None, float(row[2]), int(row[3])
    later = conn.execute(
        "SELECT id, rating, reviewed_at FROM review_log WHERE card_id = ? "
        "AND (reviewed_at > ? OR (reviewed_at = ? AND id > ?)) ORDER BY reviewed_at, id",
        (card_id, at, at, log_id),
    ).fetchall()
    conn.execute("UPDATE review_log SET rating = ?, self_rated = 0 WHERE id = ?", (rating, log_id))
    card, state, due = replay(before, card_id, rating, at)
    for later_id, later_rating, later_at in later:
        conn.execute("UPDATE review_log SET card_before = ? WHERE id = ?", (card, later_id))
        card, state, due = replay(card, card_id, int(later_rating), float(later_at))
    conn.execute(
        "UPDATE cards SET state = ?, due = ?, card = ? WHERE id = ?", (state, due, card, card_id)
    )


def _correct(conn: sqlite3.Connection, report_id: int, now: float, fix: GradeCorrection) -> None:
    conn.execute(
        "UPDATE answers SET grade = ?, correct = ?, points = ? WHERE id = ?",
        (fix.grade_after, int(fix.correct_after), fix.points_after, fix.answer_id),
    )
    conn.execute(
        "INSERT INTO grade_corrections (answer_id, report_id, grade_before, grade_after, "
        "points_before, points_after, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            fix.answer_id,
            report_id,
            fix.grade_before,
            fix.grade_after,
            fix.points_before,
            fix.points_after,
            now,
        ),
    )
    replay_card(conn, fix.answer_id, fix.rating, fix.replay)
    points = fix.points_after - fix.points_before
    correct = int(fix.correct_after) - int(fix.correct_before)
    season, started_at = current_season(conn, fix.team_pk)  # an ended season's board is final
    periods = (*fix.periods, season) if fix.answered_at >= started_at else fix.periods
    conn.executemany(
        "UPDATE scores SET points = points + ?, correct = correct + ? "
        "WHERE team_id = ? AND period = ? AND channel_id = ? AND player_id = ?",
        [
            (points, correct, fix.team_pk, period, scope, fix.player_pk)
            for period in periods
            for scope in ("", fix.channel_id)
        ],
    )


class SettlementStore:
    """Reports as admins settle them, on the store's connection."""

    MAX_NOTIFY_ATTEMPTS = 5
    """A player who could not be told this many times is not tried again."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def report(self, report_id: int) -> SettledReport | None:
        """One report with its round and answer, whatever its team (callers check it)."""
        row = await self._db.fetchone(_SELECT + "WHERE r.id = ?", (report_id,))
        return _report(row) if row else None

    async def open_reports(
        self, team_pk: int | None = None, *, disputes_only: bool = False
    ) -> list[SettledReport]:
        """Open reports, oldest first: of one team (or all), disputes only or every kind."""
        rows = await self._db.fetchall(
            _SELECT + "WHERE r.status = 'open' AND (? IS NULL OR r.team_id = ?) "
            "AND (? = 0 OR r.kind = 'dispute') ORDER BY r.created_at, r.id",
            (team_pk, team_pk, int(disputes_only)),
        )
        return [_report(row) for row in rows]

    async def settle(
        self,
        report_id: int,
        outcome: Outcome,
        note: str,
        now: float,
        correction: GradeCorrection | None = None,
    ) -> bool:
        """Settle an open report (and correct its answer) in one transaction; False if it was
        not open any more (then nothing changed)."""

        def work(conn: sqlite3.Connection) -> bool:
            changed = conn.execute(
                "UPDATE reports SET status = 'resolved', resolved_at = ?, outcome = ?, "
                "resolution_note = ? WHERE id = ? AND status = 'open'",
                (now, outcome, note, report_id),
            ).rowcount
            if changed != 1:
                return False
            if correction is not None:
                _correct(conn, report_id, now, correction)
            return True

        return await self._db.write_in_thread(work)

    async def to_notify(self, limit: int = 50) -> list[SettledReport]:
        """Settled reports whose player has not been told yet (nor given up on), oldest first."""
        rows = await self._db.fetchall(
            _SELECT + "WHERE r.outcome IS NOT NULL AND r.notified_at IS NULL "
            "AND r.notify_attempts < ? ORDER BY r.id LIMIT ?",
            (self.MAX_NOTIFY_ATTEMPTS, limit),
        )
        return [_report(row) for row in rows]

    async def player_to_notify(self, player_pk: int) -> list[SettledReport]:
        """The player's settled reports they have not been told of (given up on or not)."""
        rows = await self._db.fetchall(
            _SELECT + "WHERE r.player_id = ? AND r.outcome IS NOT NULL AND r.notified_at IS NULL "
            "ORDER BY r.id",
            (player_pk,),
        )
        return [_report(row) for row in rows]

    async def mark_notified(self, report_id: int, now: float) -> None:
        """The player was told the outcome."""
        await self._db.execute_write(
            "UPDATE reports SET notified_at = ? WHERE id = ?", (now, report_id)
        )

    async def note_failed_notice(self, report_id: int) -> None:
        """Telling the player failed once more."""
        await self._db.execute_write(
            "UPDATE reports SET notify_attempts = notify_attempts + 1 WHERE id = ?", (report_id,)
        )
