"""The daily question on PostgreSQL: schedules, claimed slots and streaks (mirrors
:mod:`storage.daily_store`).

Claiming a slot is an ``INSERT … ON CONFLICT DO NOTHING`` into ``daily_slots`` with
``UNIQUE (team, channel, date)``: whichever process inserts first posts; every other one (a
restart, another replica firing the same slot) gets no row back and posts nothing. The rows are
:mod:`storage.daily_store`'s own. The module's functions that take a connection run inside the
publication queue's transactions (:mod:`storage.postgres.outbox`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import asyncpg

from storage.daily_store import DailySchedule, OpenDaily, StreakFacts, StreakRow, UnpostedSlot

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = [
    "PostgresDailyStore",
    "attach_round",
    "fail_slot",
    "mark_slot_posted",
    "orphan_rounds",
    "set_shown_count",
    "streak_facts",
    "unqueued_slots",
    "write_streaks",
]

_SCHEDULE = (
    "SELECT s.id, s.team_id, t.platform, t.external_id, s.channel_id, s.channel_name, "
    "s.local_time, s.timezone, s.days, s.difficulty, s.close_time, s.enabled, s.paused "
    "FROM daily_schedules s JOIN teams t ON t.id = s.team_id"
)


def _schedule(row: asyncpg.Record) -> DailySchedule:
    values = list(row)
    values[11] = bool(values[11])  # enabled: an INTEGER column, as in SQLite
    return DailySchedule(*values)


class PostgresDailyStore:
    """Reads and writes of the daily question on the PostgreSQL store's pool."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

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
        await self._db.execute_write(
            "INSERT INTO daily_schedules (team_id, channel_id, channel_name, local_time, "
            "timezone, days, difficulty, close_time, enabled, paused, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, NULL, $9) "
            "ON CONFLICT (team_id, channel_id) DO UPDATE SET "
            "channel_name = EXCLUDED.channel_name, local_time = EXCLUDED.local_time, "
            "timezone = EXCLUDED.timezone, days = EXCLUDED.days, "
            "difficulty = EXCLUDED.difficulty, close_time = EXCLUDED.close_time, enabled = 1, "
            "paused = NULL, updated_at = EXCLUDED.updated_at",
            team_pk,
            channel_id,
            channel_name,
            local_time,
            timezone,
            days,
            difficulty,
            close_time,
            now,
        )
        found = await self.schedule(team_pk, channel_id)
        assert found is not None
        return found

    async def schedule(self, team_pk: int, channel_id: str) -> DailySchedule | None:
        """The channel's schedule (enabled or not)."""
        row = await self._db.fetchone(
            f"{_SCHEDULE} WHERE s.team_id = $1 AND s.channel_id = $2", team_pk, channel_id
        )
        return _schedule(row) if row else None

    async def schedule_by_id(self, schedule_id: int) -> DailySchedule | None:
        """A schedule by id."""
        row = await self._db.fetchone(f"{_SCHEDULE} WHERE s.id = $1", schedule_id)
        return _schedule(row) if row else None

    async def team_schedules(self, team_pk: int) -> list[DailySchedule]:
        """Every enabled schedule of a team."""
        rows = await self._db.fetchall(
            f"{_SCHEDULE} WHERE s.team_id = $1 AND s.enabled = 1 ORDER BY s.channel_name, s.id",
            team_pk,
        )
        return [_schedule(row) for row in rows]

    async def active_schedules(self) -> list[DailySchedule]:
        """Every schedule that should post: enabled and not paused."""
        rows = await self._db.fetchall(
            f"{_SCHEDULE} WHERE s.enabled = 1 AND s.paused IS NULL ORDER BY s.id"
        )
        return [_schedule(row) for row in rows]

    async def disable(self, team_pk: int, channel_id: str) -> bool:
        """Turn a channel's schedule off; True when one was on."""
        changed = await self._db.execute_write(
            "UPDATE daily_schedules SET enabled = 0 "
            "WHERE team_id = $1 AND channel_id = $2 AND enabled = 1",
            team_pk,
            channel_id,
        )
        return changed == 1

    async def pause(self, schedule_id: int, reason: str) -> None:
        """Stop posting for a schedule (its channel is gone) until an admin sets it again."""
        await self._db.execute_write(
            "UPDATE daily_schedules SET paused = $1 WHERE id = $2", reason, schedule_id
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
        """Claim a slot before posting; its id, or None when it was already claimed (by this
        process or any other).

        ``manual``: posted by hand ("now"), not a scheduled day (no streak changes).
        """
        found = await self._db.fetchvalue(
            "INSERT INTO daily_slots (team_id, channel_id, slot_date, slot_at, state, "
            "claimed_at, manual) VALUES ($1, $2, $3, $4, 'claimed', $5, $6) "
            "ON CONFLICT (team_id, channel_id, slot_date) DO NOTHING RETURNING id",
            team_pk,
            channel_id,
            slot_date,
            slot_at,
            now,
            int(manual),
        )
        return None if found is None else int(found)

    async def slot_state(self, team_pk: int, channel_id: str, slot_date: str) -> str | None:
        """The state of a claimed slot ('claimed', 'posted', 'failed'), or None if unclaimed."""
        found = await self._db.fetchvalue(
            "SELECT state FROM daily_slots WHERE team_id = $1 AND channel_id = $2 "
            "AND slot_date = $3",
            team_pk,
            channel_id,
            slot_date,
        )
        return None if found is None else str(found)

    async def slot_round(self, team_pk: int, channel_id: str, slot_date: str) -> int | None:
        """The round opened for a claimed slot, if any."""
        found = await self._db.fetchvalue(
            "SELECT round_id FROM daily_slots WHERE team_id = $1 AND channel_id = $2 "
            "AND slot_date = $3",
            team_pk,
            channel_id,
            slot_date,
        )
        return None if found is None else int(found)

    async def fail(self, slot_id: int) -> None:
        """No round could be opened for a claimed slot: it failed."""
        await self._db.execute_write(
            "UPDATE daily_slots SET state = 'failed' WHERE id = $1", slot_id
        )

    # -- daily rounds ----------------------------------------------------------------------

    async def open_rounds(self, team_pk: int, channel_id: str) -> list[int]:
        """Ids of the channel's open daily rounds, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id FROM rounds WHERE team_id = $1 AND channel_id = $2 AND kind = 'daily' "
            "AND closed_at IS NULL ORDER BY id",
            team_pk,
            channel_id,
        )
        return [int(row[0]) for row in rows]

    async def due_rounds(self, now: float) -> list[int]:
        """Ids of open daily rounds whose closing time has come."""
        rows = await self._db.fetchall(
            "SELECT id FROM rounds WHERE kind = 'daily' AND closed_at IS NULL "
            "AND closes_at <= $1 ORDER BY closes_at, id",
            now,
        )
        return [int(row[0]) for row in rows]

    async def open_posted(self) -> list[OpenDaily]:
        """Posted daily rounds still open (their message shows the running answer count)."""
        rows = await self._db.fetchall(
            "SELECT d.id, d.round_id, d.team_id, d.channel_id, d.shown_count FROM daily_slots d "
            "JOIN rounds r ON r.id = d.round_id "
            "WHERE d.state = 'posted' AND r.closed_at IS NULL ORDER BY d.id"
        )
        return [OpenDaily(int(r[0]), int(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in rows]

    async def round_slot_state(self, round_id: int) -> str | None:
        """The state of the slot that opened a daily round ('claimed', 'posted', 'failed'),
        or None when no slot did."""
        found = await self._db.fetchvalue(
            "SELECT state FROM daily_slots WHERE round_id = $1", round_id
        )
        return None if found is None else str(found)

    async def slot_of_round(self, round_id: int) -> tuple[int, bool] | None:
        """(slot id, manual) of the slot that opened a daily round, if any."""
        row = await self._db.fetchone(
            "SELECT id, manual FROM daily_slots WHERE round_id = $1", round_id
        )
        return (int(row[0]), bool(row[1])) if row else None

    # -- streaks ---------------------------------------------------------------------------

    async def current_streak(self, team_pk: int, channel_id: str, player_pk: int) -> int:
        """A player's running streak in one channel."""
        found = await self._db.fetchvalue(
            "SELECT current FROM daily_streaks WHERE team_id = $1 AND channel_id = $2 "
            "AND player_id = $3",
            team_pk,
            channel_id,
            player_pk,
        )
        return 0 if found is None else int(found)

    async def player_streaks(self, player_pk: int) -> tuple[int, int]:
        """(current, best) streak of a player: the highest over the team's daily channels."""
        row = await self._db.fetchone(
            "SELECT MAX(current), MAX(best) FROM daily_streaks WHERE player_id = $1", player_pk
        )
        if row is None:
            return 0, 0
        return int(row[0] or 0), int(row[1] or 0)

    async def top_streaks(self, team_pk: int, channel_id: str, limit: int) -> list[tuple[str, int]]:
        """(display name, current streak) of the channel's longest running streaks."""
        rows = await self._db.fetchall(
            "SELECT p.display_name, s.current FROM daily_streaks s "
            "JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = $1 AND s.channel_id = $2 AND s.current > 0 "
            "ORDER BY s.current DESC, s.best DESC, p.id LIMIT $3",
            team_pk,
            channel_id,
            limit,
        )
        return [(str(name), int(current)) for name, current in rows]


# -- inside a transaction (the publication queue's) -------------------------------------------


async def streak_facts(conn: asyncpg.Connection, round_id: int) -> StreakFacts | None:
    """The streak facts of a closing daily round; None when no slot posted it (never shown:
    no streak changes). The channel's streak rows are locked until the transaction ends."""
    slot = await conn.fetchrow(
        "SELECT team_id, channel_id, slot_date, slot_at, manual FROM daily_slots "
        "WHERE round_id = $1 AND state = 'posted'",
        round_id,
    )
    if slot is None:
        return None
    team_pk, channel_id, slot_date, slot_at, manual = tuple(slot)
    previous = await conn.fetchval(
        "SELECT slot_date FROM daily_slots WHERE team_id = $1 AND channel_id = $2 "
        "AND state = 'posted' AND manual = 0 AND slot_at < $3 ORDER BY slot_at DESC LIMIT 1",
        team_pk,
        channel_id,
        slot_at,
    )
    correct = tuple(
        int(row[0])
        for row in await conn.fetch(
            "SELECT player_id FROM answers WHERE round_id = $1 AND correct = 1 ORDER BY player_id",
            round_id,
        )
    )
    rows = tuple(
        StreakRow(int(r[0]), int(r[1]), int(r[2]), r[3])
        for r in await conn.fetch(
            "SELECT player_id, current, best, last_date FROM daily_streaks "
            "WHERE team_id = $1 AND channel_id = $2 "
            "AND (current > 0 OR player_id = ANY($3::bigint[])) "
            "ORDER BY player_id FOR UPDATE",
            team_pk,
            channel_id,
            list(correct),
        )
    )
    return StreakFacts(
        team_pk=int(team_pk),
        channel_id=str(channel_id),
        slot_date=str(slot_date),
        manual=bool(manual),
        previous_date=None if previous is None else str(previous),
        correct=correct,
        rows=rows,
    )


async def write_streaks(
    conn: asyncpg.Connection, facts: StreakFacts, rows: Sequence[StreakRow]
) -> None:
    """Write the streak rows the rule decided, in the channel of ``facts``."""
    if not rows:
        return
    await conn.executemany(
        "INSERT INTO daily_streaks (team_id, channel_id, player_id, current, best, last_date) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, channel_id, player_id) "
        "DO UPDATE SET current = EXCLUDED.current, best = EXCLUDED.best, "
        "last_date = EXCLUDED.last_date",
        [
            (facts.team_pk, facts.channel_id, r.player_pk, r.current, r.best, r.last_date)
            for r in rows
        ],
    )


async def attach_round(conn: asyncpg.Connection, slot_id: int, round_id: int) -> None:
    """Remember the round opened for a slot."""
    await conn.execute("UPDATE daily_slots SET round_id = $1 WHERE id = $2", round_id, slot_id)


async def fail_slot(conn: asyncpg.Connection, slot_id: int) -> None:
    """The slot's question will never be seen: mark it failed."""
    await conn.execute("UPDATE daily_slots SET state = 'failed' WHERE id = $1", slot_id)


async def mark_slot_posted(conn: asyncpg.Connection, slot_id: int, now: float) -> None:
    """The platform accepted the slot's question."""
    await conn.execute(
        "UPDATE daily_slots SET state = 'posted', posted_at = $1 WHERE id = $2", now, slot_id
    )


async def set_shown_count(conn: asyncpg.Connection, round_id: int, count: int) -> None:
    """The answer count the daily round's message now shows."""
    await conn.execute(
        "UPDATE daily_slots SET shown_count = $1 WHERE round_id = $2", count, round_id
    )


async def unqueued_slots(conn: asyncpg.Connection, claimed_before: float) -> list[UnpostedSlot]:
    """Slots still 'claimed', claimed before ``claimed_before``, whose post is not queued
    (locked, skipping those another transaction holds)."""
    rows = await conn.fetch(
        "SELECT d.id, d.team_id, d.channel_id, d.slot_date, d.round_id FROM daily_slots d "
        "WHERE d.state = 'claimed' AND d.claimed_at < $1 AND NOT EXISTS ("
        "SELECT 1 FROM publications p WHERE p.slot_id = d.id AND p.done_at IS NULL) "
        "ORDER BY d.id FOR UPDATE OF d SKIP LOCKED",
        claimed_before,
    )
    return [
        UnpostedSlot(
            int(r[0]), int(r[1]), str(r[2]), str(r[3]), None if r[4] is None else int(r[4])
        )
        for r in rows
    ]


async def orphan_rounds(conn: asyncpg.Connection, opened_before: float) -> list[int]:
    """Open daily rounds opened before ``opened_before`` that no live slot will post: their
    slot failed, or none was attached (the process stopped in between)."""
    rows = await conn.fetch(
        "SELECT r.id FROM rounds r WHERE r.kind = 'daily' AND r.closed_at IS NULL "
        "AND r.opened_at < $1 AND NOT EXISTS (SELECT 1 FROM daily_slots d "
        "WHERE d.round_id = r.id AND d.state <> 'failed') ORDER BY r.id",
        opened_before,
    )
    return [int(r[0]) for r in rows]
