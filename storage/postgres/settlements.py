"""Settling disputes and question reports on PostgreSQL, and telling the player the outcome
(mirrors :mod:`storage.settlements`: the same rows, one transaction per settlement).

The report's ``UPDATE … WHERE status = 'open'`` decides between two admins settling at once:
the second waits on the row, then finds it resolved and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from storage.postgres.seasons import current_season
from storage.settlements import CardReplay, GradeCorrection, Outcome, SettledReport

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresSettlementStore", "replay_card"]

_REPORTS = (
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
"""A report with its team, player, round, answer and original grade (SQLite's columns)."""


def _report(row: asyncpg.Record) -> SettledReport:
    return SettledReport(*tuple(row))


async def replay_card(
    conn: asyncpg.Connection, answer_id: int, rating: int, replay: CardReplay
) -> None:
    """Re-run the FSRS reviews of the answer's card from that answer on, with its new rating
    (the card's row locked first). Later reviews keep their ratings; each gets the replayed
    card as its ``card_before``; the answer's log keeps its automatic rating."""
    row = await conn.fetchrow(
        "SELECT l.card_id, l.card_before, l.reviewed_at, l.id FROM review_log l "
        "JOIN cards c ON c.id = l.card_id WHERE l.answer_id = $1 FOR UPDATE OF c",
        answer_id,
    )
    if row is None:
        return
    card_id, before, at, log_id = int(row[0]), str(row[1]) or None, float(row[2]), int(row[3])
    later = await conn.fetch(
        "SELECT id, rating, reviewed_at FROM review_log WHERE card_id = $1 "
        "AND (reviewed_at > $2 OR (reviewed_at = $2 AND id > $3)) ORDER BY reviewed_at, id",
        card_id,
        at,
        log_id,
    )
    await conn.execute(
        "UPDATE review_log SET rating = $1, self_rated = 0 WHERE id = $2", rating, log_id
    )
    card, state, due = replay(before, card_id, rating, at)
    for later_id, later_rating, later_at in later:
        await conn.execute("UPDATE review_log SET card_before = $1 WHERE id = $2", card, later_id)
        card, state, due = replay(card, card_id, int(later_rating), float(later_at))
    await conn.execute(
        "UPDATE cards SET state = $1, due = $2, card = $3 WHERE id = $4",
        state,
        due,
        card,
        card_id,
    )


async def _correct(
    conn: asyncpg.Connection, report_id: int, now: float, fix: GradeCorrection
) -> None:
    await conn.execute(
        "UPDATE answers SET grade = $1, correct = $2, points = $3 WHERE id = $4",
        fix.grade_after,
        int(fix.correct_after),
        fix.points_after,
        fix.answer_id,
    )
    await conn.execute(
        "INSERT INTO grade_corrections (answer_id, report_id, grade_before, grade_after, "
        "points_before, points_after, corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        fix.answer_id,
        report_id,
        fix.grade_before,
        fix.grade_after,
        fix.points_before,
        fix.points_after,
        now,
    )
    await replay_card(conn, fix.answer_id, fix.rating, fix.replay)
    points = fix.points_after - fix.points_before
    correct = int(fix.correct_after) - int(fix.correct_before)
    season, started_at = await current_season(conn, fix.team_pk)  # an ended board is final
    periods = (*fix.periods, season) if fix.answered_at >= started_at else fix.periods
    await conn.executemany(
        "UPDATE scores SET points = points + $1, correct = correct + $2 "
        "WHERE team_id = $3 AND period = $4 AND channel_id = $5 AND player_id = $6",
        [
            (points, correct, fix.team_pk, period, scope, fix.player_pk)
            for period in periods
            for scope in ("", fix.channel_id)
        ],
    )


class PostgresSettlementStore:
    """Reports as admins settle them, on the PostgreSQL store's pool."""

    MAX_NOTIFY_ATTEMPTS = 5
    """A player who could not be told this many times is not tried again."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def report(self, report_id: int) -> SettledReport | None:
        """One report with its round and answer, whatever its team (callers check it)."""
        row = await self._db.fetchone(_REPORTS + "WHERE r.id = $1", report_id)
        return _report(row) if row else None

    async def open_reports(
        self, team_pk: int | None = None, *, disputes_only: bool = False
    ) -> list[SettledReport]:
        """Open reports, oldest first: of one team (or all), disputes only or every kind."""
        rows = await self._db.fetchall(
            _REPORTS + "WHERE r.status = 'open' AND ($1::BIGINT IS NULL OR r.team_id = $1) "
            "AND (NOT $2::BOOLEAN OR r.kind = 'dispute') ORDER BY r.created_at, r.id",
            team_pk,
            disputes_only,
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

        async def work(conn: asyncpg.Connection) -> bool:
            status = await conn.execute(
                "UPDATE reports SET status = 'resolved', resolved_at = $1, outcome = $2, "
                "resolution_note = $3 WHERE id = $4 AND status = 'open'",
                now,
                outcome,
                note,
                report_id,
            )
            if status != "UPDATE 1":
                return False
            if correction is not None:
                await _correct(conn, report_id, now, correction)
            return True

        return await self._db.in_transaction(work)

    async def to_notify(self, limit: int = 50) -> list[SettledReport]:
        """Settled reports whose player has not been told yet (nor given up on), oldest first."""
        rows = await self._db.fetchall(
            _REPORTS + "WHERE r.outcome IS NOT NULL AND r.notified_at IS NULL "
            "AND r.notify_attempts < $1 ORDER BY r.id LIMIT $2",
            self.MAX_NOTIFY_ATTEMPTS,
            limit,
        )
        return [_report(row) for row in rows]

    async def player_to_notify(self, player_pk: int) -> list[SettledReport]:
        """The player's settled reports they have not been told of (given up on or not)."""
        rows = await self._db.fetchall(
            _REPORTS + "WHERE r.player_id = $1 AND r.outcome IS NOT NULL "
            "AND r.notified_at IS NULL ORDER BY r.id",
            player_pk,
        )
        return [_report(row) for row in rows]

    async def mark_notified(self, report_id: int, now: float) -> None:
        """The player was told the outcome."""
        await self._db.execute_write(
            "UPDATE reports SET notified_at = $1 WHERE id = $2", now, report_id
        )

    async def note_failed_notice(self, report_id: int) -> None:
        """Telling the player failed once more."""
        await self._db.execute_write(
            "UPDATE reports SET notify_attempts = notify_attempts + 1 WHERE id = $1", report_id
        )
