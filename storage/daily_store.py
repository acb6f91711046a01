"""The daily question's tables: schedules, claimed slots and streaks (migrations 0004, 0005).

A thin layer over :class:`~storage.store.Store`: the same connection, the same write lock.
Claiming a slot is an ``INSERT`` into ``daily_slots`` with ``UNIQUE (team, channel, date)``:
whoever inserts first posts; everyone else (a restart, a second start, another replica) sees
the constraint and posts nothing. A slot posted by hand (``/quiz-admin daily now``) is ``manual``:
it never counts as a scheduled day for streaks.

The table of quiz rounds whose timer reveal the platform refused (``quiz_reveals``, migration
0005) lives here too: the round timer retries them a bounded number of times.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from storage.store import Store

__all__ = ["DailyStore", "OpenDaily", "ScheduleRecord", "UnpostedSlot"]


@dataclass(frozen=True, slots=True)
class ScheduleRecord:
    """A channel's daily schedule as stored, with its team's platform and external id."""

    id: int
    team_pk: int
    platform: str
    team_id: str
    channel_id: str
    channel_name: str
    local_time: str
    timezone: str
    days: str
    difficulty: str | None
    close_time: str | None
    enabled: bool
    paused: str | None


@dataclass(frozen=True, slots=True)
class OpenDaily:
    """A posted daily round that is still open, and how many answers its message shows."""

    slot_id: int
    round_id: int
    team_pk: int
    channel_id: str
    shown_count: int


@dataclass(frozen=True, slots=True)
class UnpostedSlot:
    """A slot claimed but never marked posted (the process stopped in between)."""

    slot_id: int
    team_pk: int
    channel_id: str
    slot_date: str
    round_id: int | None


_SCHEDULE = (
    "SELECT s.id, s.team_id, t.platform, t.external_id, s.channel_id, s.channel_name, "
    "s.local_time, s.timezone, s.days, s.difficulty, s.close_time, s.enabled, s.paused "
    "FROM daily_schedules s JOIN teams t ON t.id = s.team_id"
)


def _schedule(row: tuple[Any, ...]) -> ScheduleRecord:
    values = list(row)
    values[11] = bool(values[11])  # enabled: SQLite has no booleans
    return ScheduleRecord(*values)


class DailyStore:
    """Reads and writes of the daily question, on ``store``'s connection."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- schedules -----------------------------------------------------------------------

    async def upsert_schedule(
        self,
        *,
        team_pk: int,
        channel_id: str,
        channel_name: str,
        local_time: str,
        timezone: str,
        days: str,
        difficulty: str | None,
        close_time: str | None,
        now: float,
    ) -> ScheduleRecord:
        """Create or replace the channel's schedule (enabled, not paused)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO daily_schedules (team_id, channel_id, channel_name, local_time, "
                "timezone, days, difficulty, close_time, enabled, paused, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?) ON CONFLICT (team_id, channel_id) "
                "DO UPDATE SET channel_name = excluded.channel_name, "
                "local_time = excluded.local_time, timezone = excluded.timezone, "
                "days = excluded.days, difficulty = excluded.difficulty, "
                "close_time = excluded.close_time, enabled = 1, paused = NULL, "
                "updated_at = excluded.updated_at",
                (
                    team_pk,
                    channel_id,
                    channel_name,
                    local_time,
                    timezone,
                    days,
                    difficulty,
                    close_time,
                    now,
                ),
            )

        await self._store.write_in_thread(write)
        found = await self.schedule(team_pk, channel_id)
        assert found is not None
        return found

    async def schedule(self, team_pk: int, channel_id: str) -> ScheduleRecord | None:
        """The channel's schedule (enabled or not)."""
        row = await self._store.fetchone(
            f"{_SCHEDULE} WHERE s.team_id = ? AND s.channel_id = ?", (team_pk, channel_id)
        )
        return _schedule(row) if row else None

    async def schedule_by_id(self, schedule_id: int) -> ScheduleRecord | None:
        """A schedule by id."""
        row = await self._store.fetchone(f"{_SCHEDULE} WHERE s.id = ?", (schedule_id,))
        return _schedule(row) if row else None

    async def team_schedules(self, team_pk: int) -> list[ScheduleRecord]:
        """Every enabled schedule of a team."""
        rows = await self._store.fetchall(
            f"{_SCHEDULE} WHERE s.team_id = ? AND s.enabled = 1 ORDER BY s.channel_name, s.id",
            (team_pk,),
        )
        return [_schedule(row) for row in rows]

    async def active_schedules(self) -> list[ScheduleRecord]:
        """Every schedule that should post: enabled and not paused."""
        rows = await self._store.fetchall(
            f"{_SCHEDULE} WHERE s.enabled = 1 AND s.paused IS NULL ORDER BY s.id"
        )
        return [_schedule(row) for row in rows]

    async def disable(self, team_pk: int, channel_id: str) -> bool:
        """Turn a channel's schedule off; True when one was on."""

        changed = await self._store.execute_write(
            "UPDATE daily_schedules SET enabled = 0 "
            "WHERE team_id = ? AND channel_id = ? AND enabled = 1",
            (team_pk, channel_id),
        )
        return changed == 1

    async def pause(self, schedule_id: int, reason: str) -> None:
        """Stop posting for a schedule (its channel is gone) until an admin sets it again."""
        await self._store.execute_write(
            "UPDATE daily_schedules SET paused = ? WHERE id = ?", (reason, schedule_id)
        )

    # -- slots ---------------------------------------------------------------------------

    async def claim(
        self,
        team_pk: int,
        channel_id: str,
        slot_date: str,
        slot_at: float,
        now: float,
        *,
        manual: bool = False,
    ) -> int | None:
        """Claim a slot before posting; its id, or None when it was already claimed.

        ``manual``: posted by hand ("now"), not a scheduled day (no streak changes).
        """

        def write(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO daily_slots (team_id, channel_id, slot_date, slot_at, state, "
                "claimed_at, manual) VALUES (?, ?, ?, ?, 'claimed', ?, ?)",
                (team_pk, channel_id, slot_date, slot_at, now, int(manual)),
            )
            return int(cursor.lastrowid or 0)

        try:
            return await self._store.write_in_thread(write)
        except sqlite3.IntegrityError:
            return None

    async def slot_state(self, team_pk: int, channel_id: str, slot_date: str) -> str | None:
        """The state of a claimed slot ('claimed', 'posted', 'failed'), or None if unclaimed."""
        row = await self._store.fetchone(
            "SELECT state FROM daily_slots WHERE team_id = ? AND channel_id = ? AND slot_date = ?",
            (team_pk, channel_id, slot_date),
        )
        return str(row[0]) if row else None

    async def slot_round(self, team_pk: int, channel_id: str, slot_date: str) -> int | None:
        """The round opened for a claimed slot, if any."""
        row = await self._store.fetchone(
            "SELECT round_id FROM daily_slots WHERE team_id = ? AND channel_id = ? "
            "AND slot_date = ?",
            (team_pk, channel_id, slot_date),
        )
        return int(row[0]) if row and row[0] is not None else None

    async def abandon_unposted(self, now: float) -> list[UnpostedSlot]:
        """Fail every slot still 'claimed' and close its round unseen, with no reveal.

        Called at start, when nothing of this process is posting: such a slot was claimed by a
        run that stopped before the platform accepted it. Nobody saw its question, so it is
        never revealed (and never posted again: a slot is posted at most once).
        """

        def write(conn: sqlite3.Connection) -> list[UnpostedSlot]:
            found = [
                UnpostedSlot(int(r[0]), int(r[1]), str(r[2]), str(r[3]), r[4])
                for r in conn.execute(
                    "SELECT id, team_id, channel_id, slot_date, round_id FROM daily_slots "
                    "WHERE state = 'claimed' ORDER BY id"
                )
            ]
            for slot in found:
                _fail_slot(conn, slot.slot_id, slot.round_id, now)
            return found

        return await self._store.write_in_thread(write)

    async def attach_round(self, slot_id: int, round_id: int) -> None:
        """Remember the round opened for a slot."""
        await self._store.execute_write(
            "UPDATE daily_slots SET round_id = ? WHERE id = ?", (round_id, slot_id)
        )

    async def mark_posted(self, slot_id: int, now: float) -> None:
        """The platform accepted the question."""
        await self._store.execute_write(
            "UPDATE daily_slots SET state = 'posted', posted_at = ? WHERE id = ?", (now, slot_id)
        )

    async def abandon(self, slot_id: int, round_id: int | None, now: float) -> None:
        """The question could not be posted: the slot failed and its round closes unseen."""

        await self._store.write_in_thread(lambda conn: _fail_slot(conn, slot_id, round_id, now))

    # -- daily rounds ----------------------------------------------------------------------

    async def open_rounds(self, team_pk: int, channel_id: str) -> list[int]:
        """Ids of the channel's open daily rounds, oldest first."""
        rows = await self._store.fetchall(
            "SELECT id FROM rounds WHERE team_id = ? AND channel_id = ? AND kind = 'daily' "
            "AND closed_at IS NULL ORDER BY id",
            (team_pk, channel_id),
        )
        return [int(row[0]) for row in rows]

    async def due_rounds(self, now: float) -> list[int]:
        """Ids of open daily rounds whose closing time has come."""
        rows = await self._store.fetchall(
            "SELECT id FROM rounds WHERE kind = 'daily' AND closed_at IS NULL AND closes_at <= ? "
            "ORDER BY closes_at, id",
            (now,),
        )
        return [int(row[0]) for row in rows]

    async def pending_reveals(self) -> list[int]:
        """Rounds closed (streaks applied) whose reveal the platform has not accepted yet."""
        rows = await self._store.fetchall(
            "SELECT round_id FROM daily_slots WHERE reveal = 'pending' AND round_id IS NOT NULL "
            "ORDER BY slot_at, id"
        )
        return [int(row[0]) for row in rows]

    async def reveal_failed(self, round_id: int) -> int:
        """Count one more refused reveal of a round; how many there were so far."""

        def write(conn: sqlite3.Connection) -> int:
            conn.execute(
                "UPDATE daily_slots SET reveal_attempts = reveal_attempts + 1 WHERE round_id = ?",
                (round_id,),
            )
            row = conn.execute(
                "SELECT MAX(reveal_attempts) FROM daily_slots WHERE round_id = ?", (round_id,)
            ).fetchone()
            return int(row[0] or 0) if row else 0

        return await self._store.write_in_thread(write)

    async def reveal_pending(self, round_id: int) -> bool:
        """Whether the round is closed and its reveal not yet published (nor given up)."""
        row = await self._store.fetchone(
            "SELECT 1 FROM daily_slots WHERE round_id = ? AND reveal = 'pending'", (round_id,)
        )
        return row is not None

    async def mark_revealed(self, round_id: int) -> None:
        """The reveal was published (or can never be)."""
        await self._store.execute_write(
            "UPDATE daily_slots SET reveal = 'done' WHERE round_id = ?", (round_id,)
        )

    async def open_posted(self) -> list[OpenDaily]:
        """Posted daily rounds still open (their message shows the running answer count)."""
        rows = await self._store.fetchall(
            "SELECT d.id, d.round_id, d.team_id, d.channel_id, d.shown_count FROM daily_slots d "
            "JOIN rounds r ON r.id = d.round_id "
            "WHERE d.state = 'posted' AND d.reveal = 'open' AND r.closed_at IS NULL ORDER BY d.id"
        )
        return [OpenDaily(int(r[0]), int(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in rows]

    async def set_shown_count(self, slot_id: int, count: int) -> None:
        """The answer count the channel's message now shows."""
        await self._store.execute_write(
            "UPDATE daily_slots SET shown_count = ? WHERE id = ?", (count, slot_id)
        )

    async def close_round(self, round_id: int, now: float) -> bool:
        """Close a daily round and apply the streak rule, in one transaction.

        True only for the caller that closed it. Players who answered correctly continue their
        streak when their last correct date is the channel's previous posted scheduled slot
        (else it starts at 1); everyone else in the channel loses theirs. A manual slot ("now")
        is not a scheduled day: closing it changes no streak, and it is never "the previous
        slot".
        """

        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (now, round_id),
            )
            if cursor.rowcount != 1:
                return False
            slot = conn.execute(
                "SELECT team_id, channel_id, slot_date, slot_at, manual FROM daily_slots "
                "WHERE round_id = ? AND state = 'posted'",
                (round_id,),
            ).fetchone()
            conn.execute(
                "UPDATE daily_slots SET reveal = 'pending' WHERE round_id = ?", (round_id,)
            )
            if slot is None:
                return True  # never shown in the channel: no streaks to change
            team_pk, channel_id, slot_date, slot_at, manual = slot
            if manual:
                return True  # a trial posted by hand is not a scheduled day
            previous = conn.execute(
                "SELECT slot_date FROM daily_slots WHERE team_id = ? AND channel_id = ? "
                "AND state = 'posted' AND manual = 0 AND slot_at < ? "
                "ORDER BY slot_at DESC LIMIT 1",
                (team_pk, channel_id, slot_at),
            ).fetchone()
            previous_date = previous[0] if previous else None
            correct = [
                int(row[0])
                for row in conn.execute(
                    "SELECT player_id FROM answers WHERE round_id = ? AND correct = 1", (round_id,)
                )
            ]
            marks = ",".join("?" * len(correct))
            conn.execute(
                "UPDATE daily_streaks SET current = 0 WHERE team_id = ? AND channel_id = ? "
                f"AND current > 0 AND player_id NOT IN ({marks})",
                (team_pk, channel_id, *correct),
            )
            conn.executemany(
                "INSERT INTO daily_streaks (team_id, channel_id, player_id, current, best, "
                "last_date) VALUES (?, ?, ?, 1, 1, ?) ON CONFLICT DO UPDATE SET "
                "current = CASE WHEN last_date IS ? THEN current + 1 ELSE 1 END, "
                "best = MAX(best, CASE WHEN last_date IS ? THEN current + 1 ELSE 1 END), "
                "last_date = excluded.last_date",
                [
                    (team_pk, channel_id, player, slot_date, previous_date, previous_date)
                    for player in correct
                ],
            )
            return True

        return await self._store.write_in_thread(write)

    # -- streaks ---------------------------------------------------------------------------

    async def current_streak(self, team_pk: int, channel_id: str, player_pk: int) -> int:
        """A player's running streak in one channel."""
        row = await self._store.fetchone(
            "SELECT current FROM daily_streaks WHERE team_id = ? AND channel_id = ? "
            "AND player_id = ?",
            (team_pk, channel_id, player_pk),
        )
        return int(row[0]) if row else 0

    async def player_streaks(self, player_pk: int) -> tuple[int, int]:
        """(current, best) streak of a player: the highest over the team's daily channels."""
        row = await self._store.fetchone(
            "SELECT MAX(current), MAX(best) FROM daily_streaks WHERE player_id = ?", (player_pk,)
        )
        if row is None:
            return 0, 0
        return int(row[0] or 0), int(row[1] or 0)

    async def top_streaks(self, team_pk: int, channel_id: str, limit: int) -> list[tuple[str, int]]:
        """(display name, current streak) of the channel's longest running streaks."""
        rows = await self._store.fetchall(
            "SELECT p.display_name, s.current FROM daily_streaks s "
            "JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = ? AND s.channel_id = ? AND s.current > 0 "
            "ORDER BY s.current DESC, s.best DESC, p.id LIMIT ?",
            (team_pk, channel_id, limit),
        )
        return [(str(name), int(current)) for name, current in rows]

    # -- quiz rounds whose timer reveal failed ---------------------------------------------

    async def add_quiz_reveal(self, round_id: int, retry_at: float) -> None:
        """A quiz round's reveal was refused once: retry it at ``retry_at``."""
        await self._store.execute_write(
            "INSERT INTO quiz_reveals (round_id, attempts, retry_at) VALUES (?, 1, ?) "
            "ON CONFLICT (round_id) DO NOTHING",
            (round_id, retry_at),
        )

    async def due_quiz_reveals(self, now: float) -> list[tuple[int, int]]:
        """(round id, failed attempts) of the quiz reveals to retry now, oldest first."""
        rows = await self._store.fetchall(
            "SELECT round_id, attempts FROM quiz_reveals WHERE retry_at <= ? "
            "ORDER BY retry_at, round_id",
            (now,),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def quiz_reveal_failed(self, round_id: int, retry_at: float) -> None:
        """One more refused retry of a quiz reveal; the next one is at ``retry_at``."""
        await self._store.execute_write(
            "UPDATE quiz_reveals SET attempts = attempts + 1, retry_at = ? WHERE round_id = ?",
            (retry_at, round_id),
        )

    async def drop_quiz_reveal(self, round_id: int) -> None:
        """The quiz reveal was published, or given up."""
        await self._store.execute_write("DELETE FROM quiz_reveals WHERE round_id = ?", (round_id,))


def _fail_slot(conn: sqlite3.Connection, slot_id: int, round_id: int | None, now: float) -> None:
    """Mark a slot failed (nothing to reveal) and close its round, if it opened one, unseen."""
    conn.execute(
        "UPDATE daily_slots SET state = 'failed', reveal = 'done' WHERE id = ?", (slot_id,)
    )
    if round_id is not None:
        conn.execute(
            "UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (now, round_id)
        )
