"""The identify lock shared by every replica of a sharded bot (migration 0013).

A chat gateway that limits how many sessions may start per time window (Discord: one identify
per bucket every 5 seconds) needs every process that connects to take turns. Each bucket is a
row of ``identify_slots``; a process claims it with one conditional ``UPDATE … WHERE
held_until < now``, which succeeds for exactly one claimer, and holds it for ``hold_s``
seconds. A claimer that lost sleeps until the hold ends (plus a short step) and tries again.

:class:`IdentifyLock` is that waiting, whatever the database; :class:`IdentifyStore` is its
SQLite claim (PostgreSQL's: :mod:`storage.postgres.identify`). The clock is wall time
(``time.time``), so replicas on one machine, or on machines whose clocks agree, share it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from storage.database import Database

__all__ = ["RETRY_STEP_S", "IdentifyLock", "IdentifyStore"]

RETRY_STEP_S = 0.25
"""How long after the hold it saw a losing claimer tries again."""


class IdentifyLock(ABC):
    """Claims of the identify buckets, and waiting for one (:meth:`acquire`)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep

    @abstractmethod
    async def claim(self, bucket: int, hold_s: float) -> bool:
        """Take ``bucket`` for ``hold_s`` seconds if its last hold has passed; whether it did."""

    @abstractmethod
    async def held_until(self, bucket: int) -> float:
        """When ``bucket``'s last hold ends (epoch seconds; 0 when it was never claimed)."""

    async def acquire(self, bucket: int, hold_s: float, *, step_s: float = RETRY_STEP_S) -> None:
        """Wait until this process holds ``bucket`` (for ``hold_s`` seconds from the claim)."""
        while not await self.claim(bucket, hold_s):
            remaining = await self.held_until(bucket) - self._clock()
            await self._sleep(max(remaining, 0.0) + step_s)

    def _claim_at(self, bucket: int, hold_s: float) -> float:
        """The time of a claim, once its arguments are checked (ValueError)."""
        if bucket < 0 or hold_s <= 0:
            raise ValueError("the bucket must be 0 or more and the hold positive")
        return self._clock()


class IdentifyStore(IdentifyLock):
    """The identify lock on ``db``'s SQLite connection."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self._db = db

    async def claim(self, bucket: int, hold_s: float) -> bool:
        """Take ``bucket`` for ``hold_s`` seconds if its last hold has passed; whether it did."""
        now = self._claim_at(bucket, hold_s)

        def claim(conn: sqlite3.Connection) -> bool:
            conn.execute(
                "INSERT OR IGNORE INTO identify_slots (bucket, held_until) VALUES (?, 0)",
                (bucket,),
            )
            changed = conn.execute(
                "UPDATE identify_slots SET held_until = ? WHERE bucket = ? AND held_until < ?",
                (now + hold_s, bucket, now),
            ).rowcount
            return changed == 1

        return await self._db.write_in_thread(claim)

    async def held_until(self, bucket: int) -> float:
        """When ``bucket``'s last hold ends (epoch seconds; 0 when it was never claimed)."""
        row = await self._db.fetchone(
            "SELECT held_until FROM identify_slots WHERE bucket = ?", (bucket,)
        )
        return float(row[0]) if row else 0.0
