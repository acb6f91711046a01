"""Every row of one team in a PostgreSQL database: counted, and deleted after a copy is written.

The twin of :mod:`storage.team_data` (SQLite): the same tables, found the same way
(:func:`storage.team_data.plan_team_tables` over the schema read from PostgreSQL's catalog:
a ``team_id`` column, or a foreign key to a table that belongs to the team), and, for Slack,
the team's installation rows.

On SQLite a backup of the whole file is written before a team is deleted. PostgreSQL has no
file to copy, so :func:`forget_team` writes the team's own rows to a file first: an SQL
script of ``INSERT`` statements that ``psql`` runs to put them back (see :func:`restore_hint`).
The copy and the deletion happen in one transaction that first locks the team's tables
against writers (a running bot's writes wait for it), so the copy holds exactly the rows
deleted. If the copy cannot be written, or the rows deleted are not the rows copied, the
transaction is rolled back and nothing is deleted.

Tables that triggers write (``score_levels``, which follows ``scores``) are deleted after the
others, since deleting those makes the triggers write them, and are restored last, replacing
what the triggers wrote while the others came back.
"""

from __future__ import annotations

import os
import re
import shlex
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import asyncpg

from storage.postgres import migrations
from storage.postgres.database import PostgresDatabase
from storage.team_data import (
    SLACK_TABLES,
    ForeignKey,
    TeamDataError,
    TeamTable,
    plan_team_tables,
    quoted,
)

__all__ = ["LOCK_TIMEOUT", "count_team_rows", "forget_team", "restore_hint", "team_tables"]

LOCK_TIMEOUT = "30s"
"""How long :func:`forget_team` waits for running writers before it gives up (deleting nothing)."""

_TRIGGER_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
_BATCH = 1_000


async def _schema(
    conn: asyncpg.Connection,
) -> tuple[dict[str, list[str]], dict[str, list[ForeignKey]]]:
    """Each Quizbot table's columns and single-column foreign keys (Slack's and the migration
    bookkeeping left out: they name no ``teams`` row)."""
    columns: dict[str, list[str]] = {}
    for row in await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name IN "
        "(SELECT tablename FROM pg_tables WHERE schemaname = current_schema()) "
        "ORDER BY table_name, ordinal_position"
    ):
        table = str(row[0])
        if not table.startswith("slack_") and table != "schema_version":
            columns.setdefault(table, []).append(str(row[1]))
    foreign: dict[str, list[ForeignKey]] = {table: [] for table in columns}
    for row in await conn.fetch(
        "SELECT child.relname, col.attname, parent.relname, pcol.attname "
        "FROM pg_constraint c "
        "JOIN pg_class child ON child.oid = c.conrelid "
        "JOIN pg_class parent ON parent.oid = c.confrelid "
        "JOIN pg_attribute col ON col.attrelid = c.conrelid AND col.attnum = c.conkey[1] "
        "JOIN pg_attribute pcol ON pcol.attrelid = c.confrelid AND pcol.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND child.relnamespace = current_schema()::regnamespace "
        "ORDER BY child.relname, col.attnum"
    ):
        child, parent = str(row[0]), str(row[2])
        if child in columns and parent in columns:
            foreign[child].append(ForeignKey(str(row[1]), parent, str(row[3])))
    return columns, foreign


async def team_tables(db: PostgresDatabase) -> list[TeamTable]:
    """The tables holding a team's rows, in an order they can be deleted in (every table
    before the tables it refers to; ``teams`` last). Conditions use ``?`` for the team's id,
    as :mod:`storage.team_data`'s do."""
    async with db.transaction() as conn:
        return plan_team_tables(*await _schema(conn))


def _numbered(where: str) -> str:
    """A condition with each ``?`` (always the team's id) as PostgreSQL's ``$1``."""
    return where.replace("?", "$1")


async def _team_pk(conn: asyncpg.Connection, platform: str, external_id: str) -> int:
    found = await conn.fetchval(
        "SELECT id FROM teams WHERE platform = $1 AND external_id = $2", platform, external_id
    )
    if found is None:
        raise TeamDataError(f"no team {platform}:{external_id} in the database")
    return int(found)


def _slack_selections(platform: str, external_id: str) -> list[tuple[str, str, object]]:
    """(table, condition, parameter) of the team's rows in Slack's own tables."""
    if platform != "slack":
        return []
    return [(name, f"{quoted(column)} = $1", external_id) for name, column in SLACK_TABLES]


async def _selections(
    conn: asyncpg.Connection, team_pk: int, platform: str, external_id: str
) -> list[tuple[str, str, object]]:
    """(table, condition, parameter) of every table holding the team's rows, in deletion
    order (Slack's tables last)."""
    tables = plan_team_tables(*await _schema(conn))
    chosen: list[tuple[str, str, object]] = [
        (table.name, _numbered(table.where), team_pk) for table in tables
    ]
    return chosen + _slack_selections(platform, external_id)


async def count_team_rows(db: PostgresDatabase, platform: str, external_id: str) -> dict[str, int]:
    """How many rows of each table belong to the team (nothing is changed).
    :class:`TeamDataError` for an unknown team."""
    counts: dict[str, int] = {}
    async with db.transaction() as conn:
        await conn.execute("SET TRANSACTION READ ONLY")
        team_pk = await _team_pk(conn, platform, external_id)
        for table, where, value in await _selections(conn, team_pk, platform, external_id):
            found = await conn.fetchval(
                f"SELECT COUNT(*) FROM {quoted(table)} WHERE {where}", value
            )
            counts[table] = int(found or 0)
    return counts


def restore_hint(copy: Path) -> str:
    """The command that puts the rows of a copy written by :func:`forget_team` back."""
    return f'psql --set ON_ERROR_STOP=1 --file {shlex.quote(str(copy))} "$QUIZBOT_DATABASE"'


async def _trigger_targets(conn: asyncpg.Connection) -> set[str]:
    """The tables that triggers write (``score_levels``, kept by the triggers on ``scores``)."""
    bodies = await conn.fetch(
        "SELECT p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    )
    return {name for (body,) in bodies for name in _TRIGGER_WRITE.findall(str(body))}


async def _key_columns(conn: asyncpg.Connection, table: str) -> list[str]:
    """The primary key's columns of ``table`` (the order its rows are written in)."""
    rows = await conn.fetch(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
        "WHERE i.indrelid = ($1::text)::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        quoted(table),
    )
    return [str(row[0]) for row in rows]


async def _columns(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [str(row[0]) for row in rows]


async def _write_table(
    conn: asyncpg.Connection, out: TextIO, table: str, where: str, value: object
) -> int:
    """Write the selected rows of ``table`` as ``INSERT`` statements; how many there were.

    The server writes each value as a literal (``quote_nullable``), so every type comes back
    exactly as it was stored.
    """
    columns = await _columns(conn, table)
    literals = " || ', ' || ".join(f"quote_nullable({quoted(column)})" for column in columns)
    order = ", ".join(map(quoted, await _key_columns(conn, table) or columns[:1]))
    head = f"INSERT INTO {quoted(table)} ({', '.join(map(quoted, columns))}) VALUES ("
    rows = 0
    query = f"SELECT {literals} FROM {quoted(table)} WHERE {where} ORDER BY {order}"
    async for record in conn.cursor(query, value, prefetch=_BATCH):
        out.write(f"{head}{record[0]});\n")
        rows += 1
    return rows


def _header(name: str, source: str, version: int, copy: Path) -> str:
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (
        f"-- Quizbot: every row of team {name}, written by `quizbot db forget` at {when}\n"
        f"-- from {source} (schema version {version}) before they were deleted.\n"
        "-- Put them back (into a database at the same schema version that holds no team\n"
        f"-- {name}) with:\n"
        f"--   {restore_hint(copy)}\n"
        "-- It runs as one transaction: every row comes back, or (on any error) none.\n"
        "SET client_encoding = 'UTF8';\n"
        "SET standard_conforming_strings = on;\n"
        "BEGIN;\n"
        "DO $$ BEGIN\n"
        f"    IF (SELECT MAX(version) FROM schema_version) IS DISTINCT FROM {version} THEN\n"
        f"        RAISE EXCEPTION 'this copy is of schema version {version}: migrate the "
        "database to it first';\n"
        "    END IF;\n"
        "END $$;\n"
    )


def _filled_last(
    selections: Sequence[tuple[str, str, object]], filled: set[str]
) -> list[tuple[str, str, object]]:
    """``selections`` with the tables triggers write moved to the end (in their order)."""
    return [entry for entry in selections if entry[0] not in filled] + [
        entry for entry in selections if entry[0] in filled
    ]


async def _write_copy(
    conn: asyncpg.Connection,
    out: TextIO,
    deleting: Sequence[tuple[str, str, object]],
    filled: set[str],
    team_pk: int,
) -> dict[str, int]:
    """Write the rows to be deleted, parents before the rows that refer to them, and the
    tables triggers fill last (replacing what the triggers wrote while the others were put
    back); the rows written per table."""
    inserting = _filled_last(list(reversed(deleting)), filled)
    written: dict[str, int] = {}
    for table, where, value in inserting:
        out.write(f"\n-- {table}\n")
        if table in filled:
            out.write("-- (filled by triggers as the rows above came back: replaced by the copy)\n")
            literal = int(team_pk)  # the team's id: an integer, safe as a literal
            out.write(f"DELETE FROM {quoted(table)} WHERE {where.replace('$1', str(literal))};\n")
        written[table] = await _write_table(conn, out, table, where, value)
    out.write("\nCOMMIT;\n")
    return written


def _open_new(path: Path) -> tuple[Path, TextIO]:
    """A new temporary file beside ``path``, readable by its owner only (the rows may hold
    Slack tokens, as the database does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return temporary, os.fdopen(descriptor, "w", encoding="utf-8")


def _settle(temporary: Path, out: TextIO, path: Path) -> None:
    """Flush the copy to disk and give it its name (never replacing a file)."""
    out.flush()
    os.fsync(out.fileno())
    out.close()
    os.link(temporary, path)
    temporary.unlink()
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


async def forget_team(
    db: PostgresDatabase,
    platform: str,
    external_id: str,
    progress: Callable[[str, int], None] | None = None,
    *,
    copy_to: Path,
) -> dict[str, int]:
    """Write every row of the team ``platform:external_id`` (and, for Slack, its installation)
    to the new file ``copy_to``, then delete them, in one transaction; the rows deleted per
    table. ``progress(table, rows)`` is called after each table.

    Raises :class:`TeamDataError`, with nothing deleted, for an unknown team, a copy that
    cannot be written (its folder is created if missing; an existing file is never replaced),
    writers that hold the tables longer than :data:`LOCK_TIMEOUT`, or rows deleted that are
    not the rows copied.
    """
    name = f"{platform}:{external_id}"
    unchanged = "nothing was deleted"
    try:
        async with db.transaction() as conn:
            await conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            await conn.execute("SET LOCAL extra_float_digits = 3")
            team_pk = await _team_pk(conn, platform, external_id)
            filled = await _trigger_targets(conn)
            # the tables triggers write go last: deleting the others makes the triggers
            # write them (score_levels follows scores)
            deleting = _filled_last(await _selections(conn, team_pk, platform, external_id), filled)
            names = ", ".join(quoted(table) for table, _, _ in deleting)
            await conn.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
            version = await migrations.applied_version(conn)
            try:
                temporary, out = _open_new(copy_to)
            except OSError as exc:
                raise TeamDataError(
                    f"cannot write the copy {copy_to} ({exc.strerror or exc}); {unchanged}"
                ) from None
            try:
                out.write(_header(name, str(db.url), version, copy_to))
                copied = await _write_copy(conn, out, deleting, filled, team_pk)
                _settle(temporary, out, copy_to)
            except OSError as exc:
                raise TeamDataError(
                    f"cannot write the copy {copy_to} ({exc.strerror or exc}); {unchanged}"
                ) from None
            finally:
                out.close()
                temporary.unlink(missing_ok=True)
            deleted: dict[str, int] = {}
            for table, where, value in deleting:
                status = await conn.execute(f"DELETE FROM {quoted(table)} WHERE {where}", value)
                deleted[table] = int(status.rsplit(" ", 1)[-1])
            if deleted != copied:
                raise TeamDataError(
                    f"the rows deleted of {name} are not the rows copied; {unchanged} "
                    f"(the copy {copy_to} is kept)"
                )
    except asyncpg.LockNotAvailableError:
        raise TeamDataError(
            f"the bot kept the tables of {name} busy for {LOCK_TIMEOUT}; {unchanged}: try again"
        ) from None
    except asyncpg.ForeignKeyViolationError as exc:
        raise TeamDataError(
            f"deleting {name} would leave dangling references ({exc}); {unchanged}"
        ) from None
    except asyncpg.PostgresError as exc:
        raise TeamDataError(f"forgetting {name} failed ({exc}); {unchanged}") from None
    if progress is not None:
        for table, rows in deleted.items():
            progress(table, rows)
    return deleted
