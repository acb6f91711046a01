"""The publication queue on PostgreSQL, and closing a round (mirrors
:mod:`storage.outbox_store`).

Claiming takes due entries whose lease is free with ``SELECT … FOR UPDATE SKIP LOCKED``, so
workers of any number of processes never wait on each other and never lease one entry twice,
then leases them in the same transaction. A count edit and a reveal of one round are never
leased together: the claim holds a transaction-level advisory lock on each round it takes an
entry of (tried, never waited for: a round another claim holds is skipped), and checks the
round's other entries again in a statement that starts once those locks are held, so it sees
every lease a claim before it committed. Every later write of an entry is conditional on its
lease, so a worker that lost its lease changes nothing.

Closing a round (:meth:`PostgresOutboxStore.close_round`, the one way every round closes) is
``UPDATE … WHERE closed_at IS NULL`` (only the caller that changed the row reveals it), and in
the same transaction drops the round's unleased count entry, queues its reveal and writes the
streak rows of a daily round. The rows are :mod:`storage.outbox_store`'s own.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import asyncpg

from storage.daily_store import UnpostedSlot
from storage.outbox_store import Ending, Kind, Publication, PublicationState, StreakRule
from storage.postgres import daily

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["ROUND_LOCK_CLASS", "PostgresOutboxStore", "close_in", "enqueue_in"]

ROUND_LOCK_CLASS = 0x5142  # "QB": the first key of the claim's per-round advisory locks
"""The first half of the two-key ``pg_try_advisory_xact_lock`` a claim takes per round."""

_FREE = (
    "p.done_at IS NULL AND p.due_at <= $1 AND (p.lease_until IS NULL OR p.lease_until <= $1) "
    "AND p.platform = ANY($2::text[])"
)
_SIBLINGS_FREE = (
    " AND NOT (p.kind = 'count' AND EXISTS (SELECT 1 FROM publications q"
    "  WHERE q.round_id = p.round_id AND q.kind = 'reveal' AND q.done_at IS NULL))"
    " AND NOT (p.kind = 'reveal' AND EXISTS (SELECT 1 FROM publications q"
    "  WHERE q.round_id = p.round_id AND q.kind = 'count' AND q.done_at IS NULL"
    "  AND q.lease_until > $1))"
)
_PICK = (
    "WITH picked AS (SELECT p.id, p.round_id FROM publications p "
    f"WHERE {_FREE}{_SIBLINGS_FREE} ORDER BY p.due_at, p.id LIMIT $3 FOR UPDATE SKIP LOCKED) "
    "SELECT id FROM picked "
    f"WHERE pg_try_advisory_xact_lock({ROUND_LOCK_CLASS}, (round_id % 2147483647)::int)"
)
_LEASE = (
    "UPDATE publications u SET lease_owner = $3, lease_until = $4 FROM publications p "
    f"WHERE u.id = p.id AND p.id = ANY($5::bigint[]) AND {_FREE}{_SIBLINGS_FREE} "
    "RETURNING u.id, u.platform, u.team_id, u.channel_id, u.kind, u.round_id, u.slot_id, "
    "u.attempts, u.in_flight_at, u.due_at"
)


async def enqueue_in(
    conn: asyncpg.Connection, kind: Kind, round_id: int, now: float, slot_id: int | None = None
) -> bool:
    """Inside a transaction: queue ``kind`` of the round; False when one is already queued.

    Due now, but a daily post is due with the reveal its slot queued in its channel
    (:data:`_DUE_WITH_REVEAL`), as on SQLite: a channel's reveal and its next question are
    due together, the reveal first.
    """
    due = _DUE_WITH_REVEAL if kind == "daily_post" else "$3"
    status = await conn.execute(
        "INSERT INTO publications (platform, team_id, channel_id, kind, round_id, slot_id, "
        f"due_at, created_at) SELECT t.platform, r.team_id, r.channel_id, $1, r.id, $2, {due}, $3 "
        "FROM rounds r JOIN teams t ON t.id = r.team_id WHERE r.id = $4 "
        "ON CONFLICT DO NOTHING",
        kind,
        slot_id,
        now,
        round_id,
    )
    return _changed(status) == 1


_DUE_WITH_REVEAL = (
    "COALESCE((SELECT MAX(q.created_at) FROM publications q"
    " WHERE q.team_id = r.team_id AND q.channel_id = r.channel_id AND q.kind = 'reveal'"
    " AND q.created_at >= (SELECT s.slot_at FROM daily_slots s WHERE s.id = $2)"
    " AND q.created_at <= $3), $3)"
)
"""A daily post is due with the reveal of the round its slot closed (queued at or after the
slot's time); with no such reveal, now."""


async def close_in(conn: asyncpg.Connection, round_id: int, now: float, *, reveal: bool) -> bool:
    """Inside a transaction: close an open round; True only for the caller that closed it.

    Its count entry not being published right now is dropped; with ``reveal`` its reveal is
    queued. The round's row stays locked until the transaction ends, so an answer waits for
    the close or sees it.
    """
    status = await conn.execute(
        "UPDATE rounds SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL", now, round_id
    )
    if _changed(status) != 1:
        return False
    await conn.execute(
        "DELETE FROM publications WHERE round_id = $1 AND kind = 'count' AND done_at IS NULL "
        "AND (lease_until IS NULL OR lease_until <= $2)",
        round_id,
        now,
    )
    if reveal:
        await enqueue_in(conn, "reveal", round_id, now)
    return True


def _changed(status: str) -> int:
    """The row count of a status line (``UPDATE 1``, ``INSERT 0 1``)."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _end(
    conn: asyncpg.Connection, entry_id: int, owner: str, outcome: Ending, now: float
) -> bool:
    status = await conn.execute(
        "UPDATE publications SET done_at = $1, outcome = $2, lease_owner = NULL, "
        "lease_until = NULL WHERE id = $3 AND lease_owner = $4 AND done_at IS NULL",
        now,
        outcome,
        entry_id,
        owner,
    )
    return _changed(status) == 1


def _publication(row: asyncpg.Record) -> Publication:
    return Publication(
        id=int(row[0]),
        platform=str(row[1]),
        team_pk=int(row[2]),
        channel_id=str(row[3]),
        kind=row[4],
        round_id=int(row[5]),
        slot_id=None if row[6] is None else int(row[6]),
        attempts=int(row[7]),
        in_flight=row[8] is not None,
        due_at=float(row[9]),
    )


class PostgresOutboxStore:
    """Reads and writes of the publication queue on the PostgreSQL store's pool."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    # -- closing ---------------------------------------------------------------------------

    async def close_round(
        self, round_id: int, now: float, *, reveal: bool, streaks: StreakRule | None = None
    ) -> bool:
        """Close a round (quiz, review, daily): True only for the caller that closed it.

        In the same transaction: its pending count edit is dropped, its reveal queued when
        ``reveal``, and for a daily round shown in its channel ``streaks`` (the engine's rule)
        decides the streak rows written.
        """

        async def work(conn: asyncpg.Connection) -> bool:
            if not await close_in(conn, round_id, now, reveal=reveal):
                return False
            if streaks is not None:
                facts = await daily.streak_facts(conn, round_id)
                if facts is not None:
                    await daily.write_streaks(conn, facts, streaks(facts))
            return True

        return await self._db.in_transaction(work)

    # -- queueing --------------------------------------------------------------------------

    async def enqueue(
        self, kind: Kind, round_id: int, now: float, *, slot_id: int | None = None
    ) -> bool:
        """Queue ``kind`` of a round; False when one of that kind is already waiting."""
        return await self._db.in_transaction(
            lambda conn: enqueue_in(conn, kind, round_id, now, slot_id)
        )

    async def queue_daily_post(self, slot_id: int, round_id: int, now: float) -> None:
        """Remember the round opened for a claimed slot and queue its post, together."""

        async def work(conn: asyncpg.Connection) -> None:
            await daily.attach_round(conn, slot_id, round_id)
            await enqueue_in(conn, "daily_post", round_id, now, slot_id)

        await self._db.in_transaction(work)

    async def claim(
        self, owner: str, now: float, *, lease_s: float, limit: int, platforms: Collection[str]
    ) -> list[Publication]:
        """Lease up to ``limit`` due entries of ``platforms`` to ``owner``, oldest due first;
        entries another worker is claiming right now are skipped, never waited for."""
        if not platforms or limit <= 0:
            return []
        wanted = sorted(platforms)

        async def work(conn: asyncpg.Connection) -> list[asyncpg.Record]:
            ids = [int(r[0]) for r in await conn.fetch(_PICK, now, wanted, limit)]
            if not ids:
                return []
            return list(await conn.fetch(_LEASE, now, wanted, owner, now + lease_s, ids))

        rows = await self._db.in_transaction(work)
        claimed = [_publication(row) for row in rows]
        return sorted(claimed, key=lambda entry: (entry.due_at, entry.id))

    # -- the worker's outcomes -------------------------------------------------------------

    async def begin_daily_post(self, entry_id: int, owner: str, now: float) -> bool:
        """Mark a daily post in flight before calling the platform; False without the lease."""
        changed = await self._db.execute_write(
            "UPDATE publications SET in_flight_at = $1 WHERE id = $2 AND lease_owner = $3 "
            "AND done_at IS NULL AND in_flight_at IS NULL",
            now,
            entry_id,
            owner,
        )
        return changed == 1

    async def finish(self, entry_id: int, owner: str, outcome: Ending, now: float) -> bool:
        """End an entry held by ``owner``; False when its lease was lost meanwhile."""
        return await self._db.in_transaction(lambda conn: _end(conn, entry_id, owner, outcome, now))

    async def retry_at(self, entry_id: int, owner: str, due_at: float) -> None:
        """The platform refused: one more attempt counted, the next at ``due_at``, lease freed
        (a daily post refused is no longer in flight: it may be tried again)."""
        await self._db.execute_write(
            "UPDATE publications SET attempts = attempts + 1, due_at = $1, lease_owner = NULL, "
            "lease_until = NULL, in_flight_at = NULL "
            "WHERE id = $2 AND lease_owner = $3 AND done_at IS NULL",
            due_at,
            entry_id,
            owner,
        )

    async def daily_posted(
        self,
        entry_id: int,
        owner: str,
        *,
        slot_id: int,
        round_id: int,
        message: tuple[str, str],
        now: float,
    ) -> bool:
        """The platform accepted a daily post: the entry published, the round's message and
        the slot posted, together; False (nothing written) when the lease was lost."""

        async def work(conn: asyncpg.Connection) -> bool:
            if not await _end(conn, entry_id, owner, "published", now):
                return False
            await conn.execute(
                "UPDATE rounds SET message_channel = $1, message_id = $2 WHERE id = $3",
                *message,
                round_id,
            )
            await daily.mark_slot_posted(conn, slot_id, now)
            return True

        return await self._db.in_transaction(work)

    async def abandon_daily_post(
        self, entry_id: int, owner: str, outcome: Ending, *, slot_id: int, round_id: int, now: float
    ) -> None:
        """A daily post that will never be seen: the entry ends with ``outcome``, the slot
        fails and its round closes unseen (no reveal), together."""

        async def work(conn: asyncpg.Connection) -> None:
            if await _end(conn, entry_id, owner, outcome, now):
                await daily.fail_slot(conn, slot_id)
                await close_in(conn, round_id, now, reveal=False)

        await self._db.in_transaction(work)

    async def count_shown(
        self, entry_id: int, owner: str, round_id: int, count: int, now: float
    ) -> None:
        """A count edit landed: the slot remembers the count its message shows."""

        async def work(conn: asyncpg.Connection) -> None:
            if await _end(conn, entry_id, owner, "published", now):
                await daily.set_shown_count(conn, round_id, count)

        await self._db.in_transaction(work)

    async def abandon_unqueued_slots(self, now: float, claimed_before: float) -> list[UnpostedSlot]:
        """Fail every slot claimed before ``claimed_before`` that is neither posted nor queued
        (the process stopped between claiming and queueing its post) and close, unseen and with
        no reveal, the daily rounds opened before then that no slot posts."""

        async def work(conn: asyncpg.Connection) -> list[UnpostedSlot]:
            found = await daily.unqueued_slots(conn, claimed_before)
            for slot in found:
                await daily.fail_slot(conn, slot.slot_id)
            for round_id in await daily.orphan_rounds(conn, claimed_before):
                await close_in(conn, round_id, now, reveal=False)
            return found

        return await self._db.in_transaction(work)

    # -- reads -----------------------------------------------------------------------------

    async def entries(self, round_id: int) -> list[PublicationState]:
        """Every entry of a round, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id, kind, round_id, attempts, due_at, lease_owner, outcome "
            "FROM publications WHERE round_id = $1 ORDER BY id",
            round_id,
        )
        return [
            PublicationState(int(r[0]), r[1], int(r[2]), int(r[3]), float(r[4]), r[5], r[6])
            for r in rows
        ]

    async def any_due(self, now: float, platforms: Collection[str]) -> bool:
        """Whether an entry of ``platforms`` is due and free to claim (a read: an idle worker
        writes nothing)."""
        if not platforms:
            return False
        found = await self._db.fetchvalue(
            f"SELECT 1 FROM publications p WHERE {_FREE} LIMIT 1",
            now,
            sorted(platforms),
        )
        return found is not None
