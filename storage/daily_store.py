"""The daily question's tables: schedules, claimed slots and streaks (migrations 0004, 0005).

A thin layer over :class:`~storage.store.Store`: the same connection, the same write lock.
Claiming a slot is an ``INSERT`` into ``daily_slots`` with ``UNIQUE (team, channel, date)``:
whoever inserts first posts; everyone else (a restart, a second start, another replica) sees
the constraint and posts nothing. A slot posted by hand (``/quiz-admin daily now``) is ``manual``.

The streak rule is the engine's: closing a daily round (``OutboxStore.close_round``) reads the
facts here (:func:`streak_facts`), hands them to the rule and writes the rows it returns
(:func:`write_streaks`), in one transaction. The module's functions that take a connection run
inside such a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.store import Store

__all__ = [
    "DailySchedule",
    "DailyStore",
    "OpenDaily",
    "StreakFacts",
    "StreakRow",
    "UnpostedSlot",
    "attach_round",
    "fail_slot",
    "mark_slot_posted",
    "orphan_rounds",
    "set_shown_count",
    "streak_facts",
    "unqueued_slots",
    "write_streaks",
]


@dataclass(frozen=True, slots=True)
class DailySchedule:
    """A channel's daily schedule: as stored, with its team's platform and external id, and
    (filled in by the engine for admins) its next post and whether it gets the weekly digest."""

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
    next_post: float | None = None
    digest: bool = False

    def describe(self) -> str:
        """One plain line: when, what (adapters format the channel themselves)."""
        parts = [f"{self.local_time} {self.timezone}", self.days]
        parts.append(self.difficulty or "any difficulty")
        parts.append(f"closes {self.close_time}" if self.close_time else "closes at the next post")
        if self.digest:
            parts.append("weekly digest")
        if self.paused:
            parts.append(f"PAUSED ({self.paused}); set it again to resume")
        elif self.next_post is not None:
            moment = datetime.fromtimestamp(self.next_post, UTC)
            parts.append(f"next post {moment:%Y-%m-%d %H:%M} UTC")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class StreakRow:
    """A player's daily streak in one channel."""

    player_pk: int
    current: int
    best: int
    last_date: str | None


@dataclass(frozen=True, slots=True)
class StreakFacts:
    """What the close of a daily round shown in its channel knows: its slot, the channel's
    previous posted scheduled slot, the players who answered it correctly, and the streak rows
    of those players and of everyone with a running streak there."""

    team_pk: int
    channel_id: str
    slot_date: str
    manual: bool
    previous_date: str | None
    correct: tuple[int, ...]
    rows: tuple[StreakRow, ...]


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


def _schedule(row: tuple[Any, ...]) -> DailySchedule:
    values = list(row)
    values[11] = bool(values[11])  # enabled: SQLite has no booleans
    return DailySchedule(*values)


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
    ) -> DailySchedule:
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

    async def schedule(self, team_pk: int, channel_id: str) -> DailySchedule | None:
        """The channel's schedule (enabled or not)."""
        row = await self._store.fetchone(
            f"{_SCHEDULE} WHERE s.team_id = ? AND s.channel_id = ?", (team_pk, channel_id)
        )
        return _schedule(row) if row else None

    async def schedule_by_id(self, schedule_id: int) -> DailySchedule | None:
        """A schedule by id."""
        row = await self._store.fetchone(f"{_SCHEDULE} WHERE s.id = ?", (schedule_id,))
        return _schedule(row) if row else None

    async def team_schedules(self, team_pk: int) -> list[DailySchedule]:
        """Every enabled schedule of a team."""
        rows = await self._store.fetchall(
            f"{_SCHEDULE} WHERE s.team_id = ? AND s.enabled = 1 ORDER BY s.channel_name, s.id",
            (team_pk,),
        )
        return [_schedule(row) for row in rows]

    async def active_schedules(self) -> list[DailySchedule]:
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

    async def fail(self, slot_id: int) -> None:
        """No round could be opened for a claimed slot: it failed."""
        await self._store.write_in_thread(lambda conn: fail_slot(conn, slot_id))

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

    async def open_posted(self) -> list[OpenDaily]:
        """Posted daily rounds still open (their message shows the running answer count)."""
        rows = await self._store.fetchall(
            "SELECT d.id, d.round_id, d.team_id, d.channel_id, d.shown_count FROM daily_slots d "
            "JOIN rounds r ON r.id = d.round_id "
            "WHERE d.state = 'posted' AND r.closed_at IS NULL ORDER BY d.id"
        )
        return [OpenDaily(int(r[0]), int(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in rows]

    async def round_slot_state(self, round_id: int) -> str | None:
        """The state of the slot that opened a daily round ('claimed', 'posted', 'failed'),
        or None when no slot did."""
        row = await self._store.fetchone(
            "SELECT state FROM daily_slots WHERE round_id = ?", (round_id,)
        )
        return str(row[0]) if row else None

    async def slot_of_round(self, round_id: int) -> tuple[int, bool] | None:
        """(slot id, manual) of the slot that opened a daily round, if any."""
        row = await self._store.fetchone(
            "SELECT id, manual FROM daily_slots WHERE round_id = ?", (round_id,)
        )
        return (int(row[0]), bool(row[1])) if row else None

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


# -- inside a write (the outbox store's transactions) -----------------------------------------


def streak_facts(conn: sqlite3.Connection, round_id: int) -> StreakFacts | None:
    """The streak facts of a closing daily round; None when no slot posted it (never shown:
    no streak changes)."""
    slot = conn.execute(
        "SELECT team_id, channel_id, slot_date, slot_at, manual FROM daily_slots "
        "WHERE round_id = ? AND state = 'posted'",
        (round_id,),
    ).fetchone()
    if slot is None:
        return None
    team_pk, channel_id, slot_date, slot_at, manual = slot
    previous = conn.execute(
        "SELECT slot_date FROM daily_slots WHERE team_id = ? AND channel_id = ? "
        "AND state = 'posted' AND manual = 0 AND slot_at < ? ORDER BY slot_at DESC LIMIT 1",
        (team_pk, channel_id, slot_at),
    ).fetchone()
    correct = tuple(
        int(row[0])
        for row in conn.execute(
            "SELECT player_id FROM answers WHERE round_id = ? AND correct = 1 ORDER BY player_id",
            (round_id,),
        )
    )
    marks = ",".join("?" * len(correct))
    rows = tuple(
        StreakRow(int(r[0]), int(r[1]), int(r[2]), r[3])
        for r in conn.execute(
            "SELECT player_id, current, best, last_date FROM daily_streaks "
            f"WHERE team_id = ? AND channel_id = ? AND (current > 0 OR player_id IN ({marks}))",
            (team_pk, channel_id, *correct),
        )
    )
    return StreakFacts(
        team_pk=int(team_pk),
        channel_id=str(channel_id),
        slot_date=str(slot_date),
        manual=bool(manual),
        previous_date=None if previous is None else str(previous[0]),
        correct=correct,
        rows=rows,
    )


def write_streaks(conn: sqlite3.Connection, facts: StreakFacts, rows: Sequence[StreakRow]) -> None:
    """Write the streak rows the rule decided, in the channel of ``facts``."""
    conn.executemany(
        "INSERT INTO daily_streaks (team_id, channel_id, player_id, current, best, last_date) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (team_id, channel_id, player_id) DO UPDATE SET "
        "current = excluded.current, best = excluded.best, last_date = excluded.last_date",
        [
            (facts.team_pk, facts.channel_id, r.player_pk, r.current, r.best, r.last_date)
            for r in rows
        ],
    )


def attach_round(conn: sqlite3.Connection, slot_id: int, round_id: int) -> None:
    """Remember the round opened for a slot."""
    conn.execute("UPDATE daily_slots SET round_id = ? WHERE id = ?", (round_id, slot_id))


def fail_slot(conn: sqlite3.Connection, slot_id: int) -> None:
    """The slot's question will never be seen: mark it failed."""
    conn.execute("UPDATE daily_slots SET state = 'failed' WHERE id = ?", (slot_id,))


def mark_slot_posted(conn: sqlite3.Connection, slot_id: int, now: float) -> None:
    """The platform accepted the slot's question."""
    conn.execute(
        "UPDATE daily_slots SET state = 'posted', posted_at = ? WHERE id = ?", (now, slot_id)
    )


def set_shown_count(conn: sqlite3.Connection, round_id: int, count: int) -> None:
    """The answer count the daily round's message now shows."""
    conn.execute("UPDATE daily_slots SET shown_count = ? WHERE round_id = ?", (count, round_id))


def unqueued_slots(conn: sqlite3.Connection, claimed_before: float) -> list[UnpostedSlot]:
    """Slots still 'claimed', claimed before ``claimed_before``, whose post is not queued."""
    return [
        UnpostedSlot(int(r[0]), int(r[1]), str(r[2]), str(r[3]), r[4])
        for r in conn.execute(
            "SELECT d.id, d.team_id, d.channel_id, d.slot_date, d.round_id FROM daily_slots d "
            "WHERE d.state = 'claimed' AND d.claimed_at < ? AND NOT EXISTS ("
            "SELECT 1 FROM publications p WHERE p.slot_id = d.id AND p.done_at IS NULL) "
            "ORDER BY d.id",
            (claimed_before,),
        )
    ]


def orphan_rounds(conn: sqlite3.Connection, opened_before: float) -> list[int]:
    """Open daily rounds opened before ``opened_before`` that no live slot will post: their
    slot failed, or none was attached (the process stopped in between)."""
    return [
        int(r[0])
        for r in conn.execute(
            "SELECT r.id FROM rounds r WHERE r.kind = 'daily' AND r.closed_at IS NULL "
            "AND r.opened_at < ? AND NOT EXISTS (SELECT 1 FROM daily_slots d "
            "WHERE d.round_id = r.id AND d.state != 'failed')",
            (opened_before,),
        )
    ]
