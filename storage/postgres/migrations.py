"""Versioned PostgreSQL migrations in ``storage/postgres/migrations/NNNN_name.sql``.

The numbers are SQLite's (``storage/migrations/``): a PostgreSQL database at version N has the
schema a SQLite database at version N has. The first script, 0010, creates that whole schema at
once; every later SQLite migration gets its PostgreSQL twin under the same number.

The applied versions are rows of ``schema_version``. Each pending script runs in its own
transaction together with its row, under a transaction-level advisory lock
(``pg_advisory_xact_lock``) taken before the version is read: replicas that start at the same
time wait for each other, and each script runs exactly once. A database newer than the code is
refused (:class:`~storage.migrations.SchemaTooNewError`), and so is a database that already
holds tables but no ``schema_version`` (another application's).
"""

from __future__ import annotations

from pathlib import Path

import asyncpg

from storage.errors import StoreError
from storage.migrations import Migration, SchemaTooNewError, available

__all__ = [
    "MIGRATIONS_DIR",
    "MIGRATION_LOCK",
    "ForeignDatabaseError",
    "applied_version",
    "apply",
    "latest_version",
    "pending",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x5155_495A_424F_54  # "QUIZBOT": the advisory lock key of the migrations
"""The ``pg_advisory_xact_lock`` key every migration runner takes."""

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


class ForeignDatabaseError(StoreError):
    """The database holds tables but is not a Quizbot database."""


def latest_version(directory: Path = MIGRATIONS_DIR) -> int:
    """The newest schema version the shipped scripts reach (0 when there are none)."""
    known = available(directory)
    return known[-1].version if known else 0


async def applied_version(conn: asyncpg.Connection) -> int:
    """The schema version of the database (0 when nothing was applied yet)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await conn.fetchval("SELECT MAX(version) FROM schema_version")
    return int(version or 0)


async def pending(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The scripts not applied yet, in order; refuses a database newer than the code."""
    return _pending(await applied_version(conn), available(directory))


def _pending(current: int, known: list[Migration]) -> list[Migration]:
    latest = known[-1].version if known else 0
    if current > latest:
        raise SchemaTooNewError(
            f"database schema version {current} is newer than this Quizbot knows ({latest}); "
            "upgrade Quizbot"
        )
    return [migration for migration in known if migration.version > current]


async def apply(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending script, each in its own transaction; return the versions applied.

    Safe to run from several processes at once: each step takes the advisory lock, then reads
    the version, so a script another runner applied meanwhile is not run again. A failing
    script is rolled back (the database stays at the version before it) and its error
    propagates.
    """
    known = available(directory)
    done: list[int] = []
    while True:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            current = await applied_version(conn)
            if current == 0:
                await _refuse_foreign(conn)
            waiting = _pending(current, known)
            if not waiting:
                return done
            migration = waiting[0]
            await conn.execute(_VERSION_TABLE)
            await conn.execute(migration.sql())
            await conn.execute(
                "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                migration.version,
                migration.path.name,
            )
        done.append(migration.version)


async def _refuse_foreign(conn: asyncpg.Connection) -> None:
    """Refuse a database at version 0 that already has tables of its own."""
    tables = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'schema_version' ORDER BY tablename LIMIT 3"
    )
    if tables:
        names = ", ".join(str(row["tablename"]) for row in tables)
        raise ForeignDatabaseError(
            f"not a Quizbot database: it has tables ({names}) but no Quizbot schema version"
        )
