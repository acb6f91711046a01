"""The PostgreSQL connection pool with the helpers every query uses.

Unlike SQLite's single connection, writes need no lock of ours: each transaction takes a pooled
connection and the server's row locks and constraints keep concurrent ones (of this process or
of other replicas) apart. A transaction that the server aborts as a deadlock is retried.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Self, TypeVar

import asyncpg

from storage.database import StoreError
from storage.postgres import migrations
from storage.postgres.pool import create_pool, migrate
from storage.postgres.url import PostgresUrl

__all__ = ["DEADLOCK_RETRIES", "PostgresDatabase"]

_T = TypeVar("_T")
DEADLOCK_RETRIES = 3
"""How many times a transaction the server aborted as a deadlock is run again."""


class PostgresDatabase:
    """A Quizbot PostgreSQL database. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, pool: asyncpg.Pool, url: PostgresUrl) -> None:
        self._pool = pool
        self.url = url

    @classmethod
    async def open(
        cls, url: PostgresUrl, *, min_size: int = 1, max_size: int = 10, migrate_now: bool = True
    ) -> Self:
        """Connect a pool to ``url``, first applying pending migrations (``migrate_now``), or,
        without them, refusing a database that is behind the code (:class:`StoreError`)."""
        if migrate_now:
            await migrate(url)
        pool = await create_pool(url, min_size=min_size, max_size=max_size)
        try:
            async with pool.acquire() as conn:
                version = await migrations.applied_version(conn)  # type: ignore[arg-type]
        except BaseException:
            await pool.close()
            raise
        latest = migrations.latest_version()
        if version != latest:
            await pool.close()
            raise StoreError(
                f"{url}: schema version {version}, this Quizbot needs {latest}: "
                "run `quizbot db migrate`"
            )
        return cls(pool, url)

    async def close(self) -> None:
        """Close every pooled connection (waiting for those in use)."""
        await self._pool.close()

    def problem(self) -> str | None:
        """The store's write problem (the server reports its own; nothing is kept here)."""
        return None

    async def schema_version(self) -> int:
        """The applied schema version."""
        async with self._pool.acquire() as conn:
            return await migrations.applied_version(conn)  # type: ignore[arg-type]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a transaction, committed on a clean exit."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn  # type: ignore[misc]

    async def in_transaction(self, work: Callable[[asyncpg.Connection], Awaitable[_T]]) -> _T:
        """Run ``work`` in a transaction, again when the server aborted it as a deadlock."""
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                async with self.transaction() as conn:
                    return await work(conn)
            except asyncpg.DeadlockDetectedError:
                if attempt == DEADLOCK_RETRIES:
                    raise
        raise AssertionError("unreachable")

    async def fetchone(self, sql: str, *params: object) -> asyncpg.Record | None:
        """The first row of a query, or None."""
        return await self._pool.fetchrow(sql, *params)

    async def fetchall(self, sql: str, *params: object) -> list[asyncpg.Record]:
        """Every row of a query."""
        return await self._pool.fetch(sql, *params)

    async def fetchvalue(self, sql: str, *params: object) -> Any:
        """The first column of the first row of a query, or None."""
        return await self._pool.fetchval(sql, *params)

    async def execute_status(self, sql: str, *params: object) -> str:
        """Run one statement in its own transaction; the server's status (``UPDATE 1``)."""
        return await self._pool.execute(sql, *params)

    async def execute_write(self, sql: str, *params: object) -> int:
        """Run one write statement in its own transaction; the number of rows it changed."""
        status = await self.execute_status(sql, *params)
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0
