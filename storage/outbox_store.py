"""The publication queue's SQL (table ``publications``, migration 0011), and closing a round.

Everything the bot sends on its own is an entry: a daily post, a reveal, a live count edit.
An entry names its round (and the daily post its slot); the worker builds the view when it
publishes. Claiming is one ``UPDATE … RETURNING`` under the write lock: it takes due entries
whose lease is free (none, or expired), oldest due first, and leases them to one owner, so two
workers never hold one entry at once. Every later write of an entry is conditional on that
lease, so a worker that lost its lease (it took too long) changes nothing.

A count edit and a reveal of one round are never claimed together: a count is not claimable
while the round's reveal waits, a reveal not while a count of its round is leased. Closing a
round (:meth:`OutboxStore.close_round`, the one way every round closes) drops the round's
unleased count entry and enqueues its reveal in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from storage import daily_store
from storage.daily_store import StreakFacts, StreakRow, UnpostedSlot
from storage.store import Store

__all__ = [
    "Ending",
    "Kind",
    "OutboxStore",
    "Publication",
    "PublicationState",
    "StreakRule",
    "close_in",
    "enqueue_in",
]

Kind = Literal["daily_post", "reveal", "count"]
Ending = Literal["published", "gone", "given_up", "abandoned"]

StreakRule = Callable[[StreakFacts], Sequence[StreakRow]]
"""Given what the closing daily round changes (its slot, the previous slot, the players who
answered correctly and their streak rows), the streak rows to write."""


@dataclass(frozen=True, slots=True)
class Publication:
    """A claimed entry: what to publish, where, and how often it was refused so far."""

    id: int
    platform: str
    team_pk: int
    channel_id: str
    kind: Kind
    round_id: int
    slot_id: int | None
    attempts: int
    in_flight: bool  # a daily post whose platform call began under an earlier lease
    due_at: float


@dataclass(frozen=True, slots=True)
class PublicationState:
    """An entry as stored (for inspection: ``quizbot`` tools and tests)."""

    id: int
    kind: Kind
    round_id: int
    attempts: int
    due_at: float
    lease_owner: str | None
    outcome: str | None


_CLAIM = (
    "UPDATE publications SET lease_owner = ?, lease_until = ? WHERE id IN ("
    " SELECT p.id FROM publications p"
    " WHERE p.done_at IS NULL AND p.due_at <= ?"
    " AND (p.lease_until IS NULL OR p.lease_until <= ?)"
    " AND {platform}"
    " AND NOT (p.kind = 'count' AND EXISTS (SELECT 1 FROM publications q"
    "  WHERE q.round_id = p.round_id AND q.kind = 'reveal' AND q.done_at IS NULL))"
    " AND NOT (p.kind = 'reveal' AND EXISTS (SELECT 1 FROM publications q"
    "  WHERE q.round_id = p.round_id AND q.kind = 'count' AND q.done_at IS NULL"
    "  AND q.lease_until > ?))"
    " ORDER BY p.due_at, p.id LIMIT ?) "
    "RETURNING id, platform, team_id, channel_id, kind, round_id, slot_id, attempts, "
    "in_flight_at, due_at"
)
"""Oldest due first; one platform walks the index ``publications_by_platform`` (migration
0014) in that order."""
_ONE_PLATFORM = "p.platform = ?"
_PLATFORMS = "p.platform IN (SELECT value FROM json_each(?))"

_QUEUE = (
    "INSERT INTO publications (platform, team_id, channel_id, kind, round_id, slot_id, "
    "due_at, created_at) SELECT t.platform, r.team_id, r.channel_id, ?, r.id, ?, {due}, ? "
    "FROM rounds r JOIN teams t ON t.id = r.team_id WHERE r.id = ? "
    "ON CONFLICT DO NOTHING"
)
_DUE_NOW = "?"
_DUE_WITH_REVEAL = (
    "COALESCE((SELECT MAX(q.created_at) FROM publications q"
    " WHERE q.team_id = r.team_id AND q.channel_id = r.channel_id AND q.kind = 'reveal'"
    " AND q.created_at >= (SELECT s.slot_at FROM daily_slots s WHERE s.id = ?)"
    " AND q.created_at <= ?), ?)"
)
"""A daily post is due with the reveal of the round its slot closed (when it was queued, at or
after the slot's time): after it (queued first), and not behind the reveals other channels
queued since; with no such reveal, now."""


def enqueue_in(
    conn: sqlite3.Connection, kind: Kind, round_id: int, now: float, slot_id: int | None = None
) -> bool:
    """Inside a write: queue ``kind`` of the round; False when one is already queued.

    Due now, but a daily post is due with the reveal its slot queued in its channel
    (:data:`_DUE_WITH_REVEAL`): a channel's reveal and its next question are due together,
    the reveal first.
    """
    params: tuple[object, ...]
    if kind == "daily_post":
        sql = _QUEUE.format(due=_DUE_WITH_REVEAL)
        params = (kind, slot_id, slot_id, now, now, now, round_id)
    else:
        sql, params = _QUEUE.format(due=_DUE_NOW), (kind, slot_id, now, now, round_id)
    return conn.execute(sql, params).rowcount == 1


def close_in(conn: sqlite3.Connection, round_id: int, now: float, *, reveal: bool) -> bool:
    """Inside a write: close an open round; True only for the caller that closed it.

    Its count entry not being published right now is dropped; with ``reveal`` its reveal is
    queued.
    """
    cursor = conn.execute(
        "UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (now, round_id)
    )
    if cursor.rowcount != 1:
        return False
    conn.execute(
        "DELETE FROM publications WHERE round_id = ? AND kind = 'count' AND done_at IS NULL "
        "AND (lease_until IS NULL OR lease_until <= ?)",
        (round_id, now),
    )
    if reveal:
        enqueue_in(conn, "reveal", round_id, now)
    return True


def _end(conn: sqlite3.Connection, entry_id: int, owner: str, outcome: Ending, now: float) -> bool:
    cursor = conn.execute(
        "UPDATE publications SET done_at = ?, outcome = ?, lease_owner = NULL, "
        "lease_until = NULL WHERE id = ? AND lease_owner = ? AND done_at IS NULL",
        (now, outcome, entry_id, owner),
    )
    return cursor.rowcount == 1


class OutboxStore:
    """Reads and writes of the publication queue, on ``store``'s connection."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- closing ---------------------------------------------------------------------------

    async def close_round(
        self, round_id: int, now: float, *, reveal: bool, streaks: StreakRule | None = None
    ) -> bool:
        """Close a round (quiz, review, daily): True only for the caller that closed it.

        In the same transaction: its pending count edit is dropped, its reveal queued when
        ``reveal``, and for a daily round shown in its channel ``streaks`` (the engine's rule)
        decides the streak rows written.
        """

        def write(conn: sqlite3.Connection) -> bool:
            if not close_in(conn, round_id, now, reveal=reveal):
                return False
            if streaks is not None:
                facts = daily_store.streak_facts(conn, round_id)
                if facts is not None:
                    daily_store.write_streaks(conn, facts, streaks(facts))
            return True

        return await self._store.write_in_thread(write)

    # -- queueing --------------------------------------------------------------------------

    async def enqueue(
        self, kind: Kind, round_id: int, now: float, *, slot_id: int | None = None
    ) -> bool:
        """Queue ``kind`` of a round; False when one of that kind is already waiting."""
        return await self._store.write_in_thread(
            lambda conn: enqueue_in(conn, kind, round_id, now, slot_id)
        )

    async def queue_daily_post(self, slot_id: int, round_id: int, now: float) -> None:
        """Remember the round opened for a claimed slot and queue its post, together."""

        def write(conn: sqlite3.Connection) -> None:
            daily_store.attach_round(conn, slot_id, round_id)
            enqueue_in(conn, "daily_post", round_id, now, slot_id)

        await self._store.write_in_thread(write)

    async def claim(
        self, owner: str, now: float, *, lease_s: float, limit: int, platforms: Collection[str]
    ) -> list[Publication]:
        """Lease up to ``limit`` due entries of ``platforms`` to ``owner``, oldest due first."""
        if not platforms or limit <= 0:
            return []
        if len(platforms) == 1:
            [platform] = platforms
            sql = _CLAIM.format(platform=_ONE_PLATFORM)
        else:
            platform, sql = json.dumps(sorted(platforms)), _CLAIM.format(platform=_PLATFORMS)
        params = (owner, now + lease_s, now, now, platform, now, limit)

        def write(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return list(conn.execute(sql, params))

        rows = await self._store.write_in_thread(write)
        claimed = [
            Publication(
                id=int(r[0]),
                platform=str(r[1]),
                team_pk=int(r[2]),
                channel_id=str(r[3]),
                kind=r[4],
                round_id=int(r[5]),
                slot_id=None if r[6] is None else int(r[6]),
                attempts=int(r[7]),
                in_flight=r[8] is not None,
                due_at=float(r[9]),
            )
            for r in rows
        ]
        return sorted(claimed, key=lambda entry: (entry.due_at, entry.id))

    # -- the worker's outcomes -------------------------------------------------------------

    async def begin_daily_post(self, entry_id: int, owner: str, now: float) -> bool:
        """Mark a daily post in flight before calling the platform; False without the lease."""
        changed = await self._store.execute_write(
            "UPDATE publications SET in_flight_at = ? WHERE id = ? AND lease_owner = ? "
            "AND done_at IS NULL AND in_flight_at IS NULL",
            (now, entry_id, owner),
        )
        return changed == 1

    async def finish(self, entry_id: int, owner: str, outcome: Ending, now: float) -> bool:
        """End an entry held by ``owner``; False when its lease was lost meanwhile."""
        return await self._store.write_in_thread(
            lambda conn: _end(conn, entry_id, owner, outcome, now)
        )

    async def retry_at(self, entry_id: int, owner: str, due_at: float) -> None:
        """The platform refused: one more attempt counted, the next at ``due_at``, lease freed
        (a daily post refused is no longer in flight: it may be tried again)."""
        await self._store.execute_write(
            "UPDATE publications SET attempts = attempts + 1, due_at = ?, lease_owner = NULL, "
            "lease_until = NULL, in_flight_at = NULL "
            "WHERE id = ? AND lease_owner = ? AND done_at IS NULL",
            (due_at, entry_id, owner),
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

        def write(conn: sqlite3.Connection) -> bool:
            if not _end(conn, entry_id, owner, "published", now):
                return False
            conn.execute(
                "UPDATE rounds SET message_channel = ?, message_id = ? WHERE id = ?",
                (*message, round_id),
            )
            daily_store.mark_slot_posted(conn, slot_id, now)
            return True

        return await self._store.write_in_thread(write)

    async def abandon_daily_post(
        self, entry_id: int, owner: str, outcome: Ending, *, slot_id: int, round_id: int, now: float
    ) -> None:
        """A daily post that will never be seen: the entry ends with ``outcome``, the slot
        fails and its round closes unseen (no reveal), together."""

        def write(conn: sqlite3.Connection) -> None:
            if _end(conn, entry_id, owner, outcome, now):
                daily_store.fail_slot(conn, slot_id)
                close_in(conn, round_id, now, reveal=False)

        await self._store.write_in_thread(write)

    async def count_shown(
        self, entry_id: int, owner: str, round_id: int, count: int, now: float
    ) -> None:
        """A count edit landed: the slot remembers the count its message shows."""

        def write(conn: sqlite3.Connection) -> None:
            if _end(conn, entry_id, owner, "published", now):
                daily_store.set_shown_count(conn, round_id, count)

        await self._store.write_in_thread(write)

    async def abandon_unqueued_slots(self, now: float, claimed_before: float) -> list[UnpostedSlot]:
        """Fail every slot claimed before ``claimed_before`` that is neither posted nor queued
        (the process stopped between claiming and queueing its post) and close, unseen and with
        no reveal, the daily rounds opened before then that no slot posts."""

        def write(conn: sqlite3.Connection) -> list[UnpostedSlot]:
            found = daily_store.unqueued_slots(conn, claimed_before)
            for slot in found:
                daily_store.fail_slot(conn, slot.slot_id)
            for round_id in daily_store.orphan_rounds(conn, claimed_before):
                close_in(conn, round_id, now, reveal=False)
            return found

        return await self._store.write_in_thread(write)

    # -- reads -----------------------------------------------------------------------------

    async def entries(self, round_id: int) -> list[PublicationState]:
        """Every entry of a round, oldest first."""
        rows = await self._store.fetchall(
            "SELECT id, kind, round_id, attempts, due_at, lease_owner, outcome "
            "FROM publications WHERE round_id = ? ORDER BY id",
            (round_id,),
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
        row = await self._store.fetchone(
            "SELECT 1 FROM publications WHERE done_at IS NULL AND due_at <= ? "
            "AND (lease_until IS NULL OR lease_until <= ?) "
            "AND platform IN (SELECT value FROM json_each(?)) LIMIT 1",
            (now, now, json.dumps(sorted(platforms))),
        )
        return row is not None
