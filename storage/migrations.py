"""Versioned SQL migrations kept in ``storage/migrations/NNNN_name.sql``.

The applied version is SQLite's ``PRAGMA user_version``. A tiny API: :func:`available`,
:func:`applied_version`, :func:`pending` and :func:`apply`.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

__all__ = [
    "MIGRATIONS_DIR",
    "Migration",
    "SchemaTooNewError",
    "applied_version",
    "apply",
    "available",
    "pending",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNewError(Exception):
    """The database was written by a newer Quizbot than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL script; ``version`` is its four-digit prefix."""

    version: int
    path: Path

    def sql(self) -> str:
        """The script's text."""
        return self.path.read_text(encoding="utf-8")


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration shipped, in version order."""
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), path))
    return sorted(found, key=lambda m: m.version)


async def applied_version(conn: aiosqlite.Connection) -> int:
    """The schema version the database is at (0 for a new file)."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def pending(conn: aiosqlite.Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations not yet applied; refuses a database newer than the code."""
    current = await applied_version(conn)
    known = available(directory)
    latest = known[-1].version if known else 0
    if current > latest:
        raise SchemaTooNewError(
            f"database schema version {current} is newer than this Quizbot knows ({latest}); "
            "upgrade Quizbot"
        )
    return [m for m in known if m.version > current]


async def apply(conn: aiosqlite.Connection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending migration, each in its own transaction; return their versions.

    A script whose first line is ``-- migrate: foreign-keys-off`` runs with foreign keys off
    (SQLite's procedure for rebuilding a table) and is refused, rolled back, if
    ``PRAGMA foreign_key_check`` then finds a dangling reference.
    """
    done = []
    for migration in await pending(conn, directory):
        sql = migration.sql()
        if sql.startswith(FOREIGN_KEYS_OFF):
            await _apply_without_foreign_keys(conn, migration.version, sql)
        else:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
            )
        done.append(migration.version)
    return done


FOREIGN_KEYS_OFF = "-- migrate: foreign-keys-off"


async def _apply_without_foreign_keys(conn: aiosqlite.Connection, version: int, sql: str) -> None:
    async with conn.execute("PRAGMA foreign_keys") as cursor:
        row = await cursor.fetchone()
    enabled = bool(row and row[0])
    await conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set it first
    try:
        await conn.executescript(f"BEGIN IMMEDIATE;\n{sql}")
        try:
            async with conn.execute("PRAGMA foreign_key_check") as cursor:
                dangling = await cursor.fetchall()
            if dangling:
                raise sqlite3.IntegrityError(
                    f"migration {version:04d} leaves dangling references: {list(dangling)[:3]}"
                )
            # executescript would commit first; plain statements keep the check inside.
            await conn.execute(f"PRAGMA user_version = {version}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    finally:
        if enabled:
            await conn.execute("PRAGMA foreign_keys = ON")
