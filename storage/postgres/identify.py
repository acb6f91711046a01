"""The identify lock of a sharded bot on PostgreSQL (the twin of
:class:`storage.identify_store.IdentifyStore`; migration 0013)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from storage.identify_store import IdentifyLock
from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresIdentifyStore"]


class PostgresIdentifyStore(IdentifyLock):
    """The identify lock on ``database``'s pool."""

    def __init__(
        self,
        database: PostgresDatabase,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self._database = database

    async def claim(self, bucket: int, hold_s: float) -> bool:
        """Take ``bucket`` for ``hold_s`` seconds if its last hold has passed; whether it did
        (one statement: the row created, or updated only while its hold has passed)."""
        now = self._claim_at(bucket, hold_s)
        changed = await self._database.execute_write(
            "INSERT INTO identify_slots (bucket, held_until) VALUES ($1, $2) "
            "ON CONFLICT (bucket) DO UPDATE SET held_until = EXCLUDED.held_until "
            "WHERE identify_slots.held_until < $3",
            bucket,
            now + hold_s,
            now,
        )
        return changed == 1

    async def held_until(self, bucket: int) -> float:
        """When ``bucket``'s last hold ends (epoch seconds; 0 when it was never claimed)."""
        value = await self._database.fetchvalue(
            "SELECT held_until FROM identify_slots WHERE bucket = $1", bucket
        )
        return float(value) if value is not None else 0.0
