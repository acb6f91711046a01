"""Versioned SQL migrations kept in ``storage/migrations/NNNN_name.sql``.

The applied version is SQLite's ``PRAGMA user_version``. A tiny API: :func:`available`,
:func:`applied_version`, :func:`pending` and :func:`apply`.

Rules for a new migration:

- Versions only grow. A database at version N gets exactly the migrations numbered above N,
  in order; a script numbered at or below a version already released would never run on the
  databases that passed it, so a new script takes the next number above every shipped one.
  Gaps in the numbering are harmless (the next higher script runs); two scripts with the same
  number are refused.
- Each script runs in its own transaction with the version bump; a failing script is rolled
  back and leaves the database at the previous version.
- A script whose first line is exactly ``-- migrate: foreign-keys-off`` runs with foreign keys
  off (SQLite's procedure for rebuilding a table, e.g. to change a CHECK) and is rolled back if
  ``PRAGMA foreign_key_check`` then finds a dangling reference.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from storage.errors import StoreError

__all__ = [
    "FOREIGN_KEYS_OFF",
    "MIGRATIONS_DIR",
    "REQUIRED_TABLES",
    "Migration",
    "SchemaTooNewError",
    "applied_version",
    "apply",
    "available",
    "pending",
    "schema_problem",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
FOREIGN_KEYS_OFF = "-- migrate: foreign-keys-off"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
REQUIRED_TABLES = ("teams", "players", "rounds", "answers", "scores")
"""Tables every Quizbot database has (since the first migration)."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer Quizbot than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL script; ``version`` is its four-digit prefix."""

    version: int
    path: Path

    def sql(self) -> str:
        """The script's text."""
        return self.path.read_text(encoding="utf-8")

    def needs_foreign_keys_off(self) -> bool:
        """Whether the script's first line is the ``foreign-keys-off`` directive."""
        first_line = self.sql().lstrip("\ufeff").partition("\n")[0]
        return first_line.strip() == FOREIGN_KEYS_OFF


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration shipped, in version order; ValueError if two share a version."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise ValueError(
                f"migrations {found[version].path.name} and {path.name} share version {version}"
            )
        found[version] = Migration(version, path)
    return [found[version] for version in sorted(found)]


def schema_problem(version: int, names: Collection[str]) -> str | None:
    """Why a database at ``version`` holding the schema objects ``names`` is not a Quizbot
    database, or None when it is one."""
    missing = [table for table in REQUIRED_TABLES if table not in names]
    if missing:
        return f"not a Quizbot database (no {', '.join(missing)} tables)"
    if version == 0:
        return "not a Quizbot database (schema version 0)"
    return None


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

    A failing script is rolled back (the database stays at the version before it) and its
    error propagates. See the module docstring for the ``foreign-keys-off`` directive.
    """
    done = []
    for migration in await pending(conn, directory):
        if migration.needs_foreign_keys_off():
            await _apply_without_foreign_keys(conn, migration)
        else:
            await _run_in_transaction(
                conn, f"{migration.sql()}\nPRAGMA user_version = {migration.version};"
            )
        done.append(migration.version)
    return done


async def _run_in_transaction(conn: aiosqlite.Connection, script: str) -> None:
    try:
        await conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nCOMMIT;")
    except BaseException:
        await _rollback(conn)
        raise


async def _rollback(conn: aiosqlite.Connection) -> None:
    if conn.in_transaction:
        await conn.execute("ROLLBACK")


async def _apply_without_foreign_keys(conn: aiosqlite.Connection, migration: Migration) -> None:
    async with conn.execute("PRAGMA foreign_keys") as cursor:
        row = await cursor.fetchone()
    enabled = bool(row and row[0])
    await conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set it first
    try:
        try:
            await conn.executescript(f"BEGIN IMMEDIATE;\n{migration.sql()}")
            async with conn.execute("PRAGMA foreign_key_check") as cursor:
                dangling = await cursor.fetchall()
            if dangling:
                raise sqlite3.IntegrityError(
                    f"migration {migration.version:04d} leaves dangling references: "
                    f"{list(dangling)[:3]}"
                )
            # executescript would commit first; plain statements keep the check inside.
            await conn.execute(f"PRAGMA user_version = {migration.version}")
            await conn.execute("COMMIT")
        except BaseException:
            await _rollback(conn)
            raise
    finally:
        if enabled:
            await conn.execute("PRAGMA foreign_keys = ON")
