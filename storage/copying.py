"""Copying a whole Quizbot database from one backend to another (SQLite ⇄ PostgreSQL).

:func:`copy_database` takes two endpoints — a SQLite path or a ``postgresql://`` URL each — and
copies every table of the source into the destination:

- Both must be at one schema version. A new destination (a SQLite file that does not exist, a
  PostgreSQL database with no tables) is first migrated to the source's version; one that holds
  any row is refused, naming the tables that do; one at another version is refused.
- The source is read in one consistent snapshot (SQLite: one read transaction, which in WAL mode
  a running bot's writes do not disturb; PostgreSQL: a REPEATABLE READ, READ ONLY transaction).
- The destination is written in one transaction: tables in foreign-key order derived from the
  schema, the tables that triggers fill (``score_levels``) after the others and exactly as the
  source has them, ids kept, rows in batches; on PostgreSQL the identity sequences are then
  advanced past the copied ids.
- Before it is committed, the copy is verified: the row count of every table and each team's
  leaderboards (all time, this week and month, the current season) equal the source's. On a
  mismatch, an error or an interruption (Ctrl-C), nothing is left: PostgreSQL rolls back, and a
  SQLite copy, written to a temporary file beside the destination, is removed. Only a verified
  copy is renamed into place; an existing SQLite file it replaces (``force``) is first renamed
  to ``<file>.before-copy-<UTC time>``.

Endpoints are shown by :func:`describe`, which never shows a URL's password.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import asyncpg

from storage.errors import StoreError
from storage.migrations import MIGRATIONS_DIR, available, schema_problem
from storage.postgres import migrations as pg_migrations
from storage.postgres.url import PostgresUrl, is_postgres_url

__all__ = [
    "BATCH_ROWS",
    "REPORT_EVERY",
    "CopyError",
    "CopyResult",
    "Endpoint",
    "Progress",
    "copy_database",
    "describe",
    "parse_endpoint",
]

BATCH_ROWS = 2_000
"""Rows read and written per batch."""
REPORT_EVERY = 10_000
"""A running count is reported each time a table's copied rows pass a multiple of this."""

Endpoint = Path | PostgresUrl
"""A SQLite file or a PostgreSQL database."""
Progress = Callable[[str, int, bool], None]
"""Called with (table, rows copied so far, whether the table is done)."""
Row = tuple[Any, ...]

_SKIPPED_TABLES = {"schema_version"}  # PostgreSQL's migration bookkeeping, not data
_TRIGGER_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
_SQLITE_HEADER = b"SQLite format 3\x00"
_BUSY_TIMEOUT_SECONDS = 30.0


class CopyError(StoreError):
    """A copy refused or undone; the message is one line and never shows a password."""


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What was copied: rows per table (in copy order), the schema version, the seconds the
    copy took, and the file an existing SQLite destination was kept as (if any)."""

    rows: dict[str, int]
    version: int
    seconds: float
    kept: Path | None = None

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def parse_endpoint(text: str) -> Endpoint:
    """A ``postgresql://``/``postgres://`` URL or a SQLite path; ValueError (without the
    password) for a malformed URL."""
    return PostgresUrl.parse(text) if is_postgres_url(text) else Path(text)


def describe(endpoint: Endpoint) -> str:
    """How an endpoint is shown: a path, or a URL without its password."""
    return str(endpoint)


# -- the two sides -------------------------------------------------------------------------


class _Side(Protocol):
    """One database, source or destination, seen through what a copy needs."""

    name: str

    async def version(self) -> int: ...

    async def tables(self) -> list[str]: ...

    async def columns(self, table: str) -> list[str]: ...

    async def references(self) -> dict[str, set[str]]: ...

    async def trigger_targets(self) -> set[str]: ...

    async def query(self, sql: str, *params: Any) -> list[Row]: ...

    def rows(self, table: str, columns: Sequence[str]) -> AsyncIterator[list[Row]]: ...


class _Destination(_Side, Protocol):
    async def migrate_to(self, version: int) -> int: ...

    async def reserve(self, tables: Sequence[str]) -> None: ...

    async def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None: ...

    async def clear(self, table: str) -> None: ...

    async def finish_writing(self, tables: Sequence[str]) -> None: ...


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(table: str, columns: Sequence[str]) -> str:
    return f"SELECT {', '.join(map(_quoted, columns))} FROM {_quoted(table)}"


class _Sqlite:
    """A SQLite file through the standard library's driver, one explicit transaction."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self._conn = conn
        self.name = name

    async def version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    async def tables(self) -> list[str]:
        found = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [str(row[0]) for row in found if row[0] not in _SKIPPED_TABLES]

    async def columns(self, table: str) -> list[str]:
        return [str(row[1]) for row in self._conn.execute(f"PRAGMA table_info({_quoted(table)})")]

    async def references(self) -> dict[str, set[str]]:
        return {
            table: {
                str(row[2])
                for row in self._conn.execute(f"PRAGMA foreign_key_list({_quoted(table)})")
            }
            for table in await self.tables()
        }

    async def trigger_targets(self) -> set[str]:
        bodies = self._conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
        )
        return {name for (body,) in bodies for name in _TRIGGER_WRITE.findall(str(body))}

    async def query(self, sql: str, *params: Any) -> list[Row]:
        return [tuple(row) for row in self._conn.execute(sql, params)]

    async def rows(self, table: str, columns: Sequence[str]) -> AsyncIterator[list[Row]]:
        cursor = self._conn.execute(_select(table, columns))
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield [tuple(row) for row in batch]

    # destination only
    async def migrate_to(self, version: int) -> int:
        for migration in available(MIGRATIONS_DIR):
            if migration.version <= version:
                self._conn.executescript(migration.sql())
                self._conn.execute(f"PRAGMA user_version = {migration.version}")
        if not self._conn.in_transaction:  # executescript committed: the copy needs one again
            self._conn.execute("BEGIN IMMEDIATE")
        return await self.version()

    async def reserve(self, tables: Sequence[str]) -> None:
        """Nothing to do: the copy is a new file no one else writes."""

    async def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(map(_quoted, columns))
        self._conn.executemany(f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks})", rows)

    async def clear(self, table: str) -> None:
        self._conn.execute(f"DELETE FROM {_quoted(table)}")

    async def finish_writing(self, tables: Sequence[str]) -> None:
        dangling = self._conn.execute("PRAGMA foreign_key_check").fetchmany(3)
        if dangling:
            raise CopyError(
                f"{self.name}: the copy has dangling references ({[tuple(r) for r in dangling]})"
            )


class _Postgres:
    """A PostgreSQL database through one asyncpg connection, inside one transaction."""

    def __init__(self, conn: asyncpg.Connection, url: PostgresUrl) -> None:
        self._conn = conn
        self.name = str(url)
        self._types: dict[str, dict[str, str]] = {}

    async def version(self) -> int:
        return await pg_migrations.applied_version(self._conn)

    async def tables(self) -> list[str]:
        found = await self._conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [str(row[0]) for row in found if row[0] not in _SKIPPED_TABLES]

    async def _column_types(self, table: str) -> dict[str, str]:
        if table not in self._types:
            found = await self._conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = $1 "
                "ORDER BY ordinal_position",
                table,
            )
            self._types[table] = {str(row[0]): str(row[1]) for row in found}
        return self._types[table]

    async def columns(self, table: str) -> list[str]:
        return list(await self._column_types(table))

    async def references(self) -> dict[str, set[str]]:
        found = await self._conn.fetch(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace"
        )
        references: dict[str, set[str]] = {table: set() for table in await self.tables()}
        for table, referenced in found:
            references.setdefault(str(table).strip('"'), set()).add(str(referenced).strip('"'))
        return references

    async def trigger_targets(self) -> set[str]:
        bodies = await self._conn.fetch(
            "SELECT p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
        return {name for (body,) in bodies for name in _TRIGGER_WRITE.findall(str(body))}

    async def query(self, sql: str, *params: Any) -> list[Row]:
        numbered = iter(range(1, len(params) + 1))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
        return [tuple(row) for row in await self._conn.fetch(sql, *params)]

    async def rows(self, table: str, columns: Sequence[str]) -> AsyncIterator[list[Row]]:
        batch: list[Row] = []
        async for record in self._conn.cursor(_select(table, columns), prefetch=BATCH_ROWS):
            batch.append(tuple(record))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch

    # destination only
    async def migrate_to(self, version: int) -> int:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", pg_migrations.MIGRATION_LOCK)
        if await self.version() != 0:
            return await self.version()
        if await self.tables():
            raise CopyError(
                f"{self.name}: not a Quizbot database (it has tables but no schema version)"
            )
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for migration in available(pg_migrations.MIGRATIONS_DIR):
            if migration.version <= version:
                await self._conn.execute(migration.sql())
                await self._conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.path.name,
                )
        self._types.clear()
        return await self.version()

    async def reserve(self, tables: Sequence[str]) -> None:
        """Lock the tables against other writers until the copy commits or rolls back, so the
        database stays empty of anyone else's rows while the copy is written."""
        names = ", ".join(map(_quoted, tables))
        await self._conn.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")

    async def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        types = await self._column_types(table)
        convert = [_converter(types[column]) for column in columns]
        try:
            records = [tuple(to(v) for to, v in zip(convert, row, strict=True)) for row in rows]
        except (TypeError, ValueError) as exc:
            raise CopyError(f"{table}: a value does not fit its column here ({exc})") from None
        await self._conn.copy_records_to_table(table, records=records, columns=list(columns))

    async def clear(self, table: str) -> None:
        await self._conn.execute(f"DELETE FROM {_quoted(table)}")

    async def finish_writing(self, tables: Sequence[str]) -> None:
        """Advance every identity or serial sequence past the largest id copied."""
        found = await self._conn.fetch(
            "SELECT c.relname, a.attname, "
            "pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace "
            "AND a.attnum > 0 AND NOT a.attisdropped"
        )
        for table, column, sequence in found:
            if sequence is None or table not in tables:
                continue
            await self._conn.execute(
                f"SELECT setval($1, MAX({_quoted(column)})) FROM {_quoted(table)} "
                f"HAVING MAX({_quoted(column)}) IS NOT NULL",
                sequence,
            )


def _whole(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise CopyError(f"cannot store {value!r} in an integer column")
    return int(value)


def _converter(data_type: str) -> Callable[[Any], Any]:
    """How a SQLite value becomes one PostgreSQL's binary COPY accepts for ``data_type``
    (values already of the right type, the usual case, pass as they are)."""
    wanted: type
    to: Callable[[Any], Any]
    if data_type in ("bigint", "integer", "smallint"):
        wanted, to = int, _whole
    elif data_type in ("double precision", "real", "numeric"):
        wanted, to = float, float
    elif data_type == "boolean":
        wanted, to = bool, bool
    elif data_type == "text":
        wanted, to = str, str
    else:
        return lambda value: value
    return lambda value: value if value is None or type(value) is wanted else to(value)


# -- opening ------------------------------------------------------------------------------


def _open_sqlite_source(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise CopyError(f"{path}: no such file")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise CopyError(f"{path}: cannot read ({exc.strerror})") from None
    if header != _SQLITE_HEADER:
        raise CopyError(f"{path}: not an SQLite database")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute("BEGIN")  # one read transaction: the snapshot every read below sees
    conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    return conn


async def _connect_postgres(url: PostgresUrl) -> asyncpg.Connection:
    from storage.postgres.pool import CONNECT_TIMEOUT_SECONDS, check_server

    try:
        conn = await asyncpg.connect(url.dsn, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise CopyError(f"{url}: cannot connect ({_reason([url], exc)})") from None
    try:
        check_server(int(await conn.fetchval("SHOW server_version_num")), url)
    except BaseException:
        await conn.close()
        raise
    return conn


def _reason(endpoints: Iterable[Endpoint], exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for endpoint in endpoints:
        for secret in endpoint.secrets() if isinstance(endpoint, PostgresUrl) else []:
            text = text.replace(secret, "***")
    return text


def _unused_path(folder: Path, stem: str) -> Path:
    """``<folder>/<stem>-<UTC time>``, numbered when that name is taken."""
    name = f"{stem}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    candidate, number = folder / name, 2
    while candidate.exists() or candidate.is_symlink():
        candidate, number = folder / f"{name}-{number}", number + 1
    return candidate


def _same_file(first: Path, second: Path) -> bool:
    try:
        one, other = first.stat(), second.stat()
    except OSError:
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


# -- the copy -----------------------------------------------------------------------------


def _copy_order(
    tables: Iterable[str], references: dict[str, set[str]], filled: set[str]
) -> list[str]:
    """``tables`` so that each comes after the tables it references, and the tables triggers
    write (``filled``) after all the others; CopyError on a cycle of references."""
    remaining = sorted(tables)
    done: list[str] = []
    for group in ([t for t in remaining if t not in filled], [t for t in remaining if t in filled]):
        waiting = list(group)
        while waiting:
            ready = [
                table
                for table in waiting
                if all(
                    ref in done or ref == table or ref not in remaining
                    for ref in references.get(table, set())
                )
            ]
            if not ready:
                raise CopyError(f"the tables {', '.join(waiting)} reference each other in a cycle")
            done += ready
            waiting = [table for table in waiting if table not in ready]
    return done


def _period_keys(now: float) -> list[str]:
    moment = datetime.fromtimestamp(now, UTC)
    year, week, _ = moment.isocalendar()
    return ["all", f"w{year}-{week:02d}", f"m{moment:%Y-%m}"]


async def _leaderboards(side: _Side, now: float) -> dict[tuple[int, str], list[Row]]:
    """Every team's boards (all channels and each channel) for all time, the week and month
    of ``now`` and its current season, read from ``scores``."""
    boards: dict[tuple[int, str], list[Row]] = {}
    tables = set(await side.tables())
    for (team,) in await side.query("SELECT id FROM teams ORDER BY id"):
        periods = _period_keys(now)
        season = "season:1"
        if "seasons" in tables:
            current = await side.query(
                "SELECT period FROM seasons WHERE team_id = ? AND ended_at IS NULL", team
            )
            season = str(current[0][0]) if current else season
        for period in [*periods, season]:
            boards[(int(team), period)] = await side.query(
                "SELECT channel_id, player_id, points, answers, correct FROM scores "
                "WHERE team_id = ? AND period = ? ORDER BY channel_id, points DESC, player_id",
                team,
                period,
            )
    return boards


async def _count(side: _Side, table: str) -> int:
    return int((await side.query(f"SELECT COUNT(*) FROM {_quoted(table)}"))[0][0])


@dataclass
class _Plan:
    tables: list[str]
    columns: dict[str, list[str]] = field(default_factory=dict)
    filled: set[str] = field(default_factory=set)


async def _plan(source: _Side, destination: _Destination) -> _Plan:
    """Check the two sides hold the same tables and columns; the order to copy them in."""
    theirs, ours = await source.tables(), await destination.tables()
    if set(theirs) != set(ours):
        only = sorted(set(theirs) ^ set(ours))
        raise CopyError(
            f"{source.name} and {destination.name} have different tables ({', '.join(only)})"
        )
    filled = (await destination.trigger_targets()) & set(ours)
    plan = _Plan(_copy_order(ours, await destination.references(), filled), filled=filled)
    for table in plan.tables:
        mine, yours = await destination.columns(table), await source.columns(table)
        if set(mine) != set(yours):
            raise CopyError(
                f"{table} has different columns in {source.name} and {destination.name}"
            )
        plan.columns[table] = mine
    return plan


async def _check_versions(source: _Side, destination: _Destination) -> int:
    version = await source.version()
    latest = available(MIGRATIONS_DIR)[-1].version
    if version > latest:
        raise CopyError(
            f"{source.name}: schema version {version} is newer than this Quizbot ({latest})"
        )
    problem = schema_problem(version, await source.tables())
    if problem:
        raise CopyError(f"{source.name}: {problem}")
    theirs = await destination.version()
    if theirs == 0 and await destination.migrate_to(version) != version:
        raise CopyError(
            f"{destination.name} cannot be created at schema version {version}: bring "
            f"{source.name} to the latest version first (quizbot db migrate)"
        )
    theirs = await destination.version()
    if theirs != version:
        raise CopyError(
            f"{destination.name} is at schema version {theirs} but {source.name} is at "
            f"{version}: bring both to the same version first (quizbot db migrate)"
        )
    return version


async def _refuse_data(destination: _Destination, tables: Sequence[str]) -> None:
    await destination.reserve(tables)
    holding = [(table, await _count(destination, table)) for table in tables]
    full = [f"{table} ({rows} rows)" for table, rows in holding if rows]
    if full:
        raise CopyError(
            f"{destination.name} already holds data in {', '.join(full)}; "
            "a copy goes only into an empty database"
        )


async def _copy_tables(
    source: _Side, destination: _Destination, plan: _Plan, progress: Progress | None
) -> dict[str, int]:
    copied: dict[str, int] = {}
    for table in plan.tables:
        if table in plan.filled:
            await destination.clear(table)  # what the triggers wrote: replaced by the source's
        columns, rows = plan.columns[table], 0
        async for batch in source.rows(table, columns):
            await destination.insert(table, columns, batch)
            await asyncio.sleep(0)  # lets an interruption (Ctrl-C cancels the task) in
            before, rows = rows, rows + len(batch)
            if progress and rows // REPORT_EVERY > before // REPORT_EVERY:
                progress(table, rows, False)
        copied[table] = rows
        if progress:
            progress(table, rows, True)
    await destination.finish_writing(plan.tables)
    return copied


async def _verify(source: _Side, destination: _Destination, plan: _Plan) -> None:
    for table in plan.tables:
        theirs, ours = await _count(source, table), await _count(destination, table)
        if theirs != ours:
            raise CopyError(
                f"verification failed: {table} has {theirs} rows in {source.name} but "
                f"{ours} in the copy; nothing was written"
            )
    now = time.time()
    theirs_boards, our_boards = (
        await _leaderboards(source, now),
        await _leaderboards(destination, now),
    )
    for key, board in theirs_boards.items():
        if our_boards.get(key) != board:
            raise CopyError(
                f"verification failed: the {key[1]} leaderboard of team {key[0]} differs in "
                "the copy; nothing was written"
            )


async def _run(
    source: _Side, destination: _Destination, progress: Progress | None
) -> tuple[dict[str, int], int]:
    version = await _check_versions(source, destination)
    plan = await _plan(source, destination)
    await _refuse_data(destination, plan.tables)
    copied = await _copy_tables(source, destination, plan, progress)
    await _verify(source, destination, plan)
    return copied, version


@contextlib.asynccontextmanager
async def _source(endpoint: Endpoint) -> AsyncIterator[_Side]:
    if isinstance(endpoint, Path):
        try:
            conn = _open_sqlite_source(endpoint)
        except sqlite3.Error as exc:
            raise CopyError(f"{endpoint}: cannot read ({exc})") from None
        try:
            yield _Sqlite(conn, str(endpoint))
        finally:
            conn.close()
        return
    pg = await _connect_postgres(endpoint)
    try:
        async with pg.transaction(isolation="repeatable_read", readonly=True):
            yield _Postgres(pg, endpoint)
    finally:
        await pg.close()


async def _into_postgres(
    source: _Side, url: PostgresUrl, progress: Progress | None
) -> tuple[dict[str, int], int]:
    conn = await _connect_postgres(url)
    try:
        async with conn.transaction():  # rolled back on any error or interruption
            return await _run(source, _Postgres(conn, url), progress)
    finally:
        await conn.close()


def _keep_existing(path: Path) -> Path:
    """Rename the SQLite file at ``path`` (and its write-ahead log) to a new
    ``<file>.before-copy-<UTC time>`` name beside it."""
    kept = _unused_path(path.parent, f"{path.name}.before-copy")
    os.rename(path, kept)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.rename(wal, kept.with_name(kept.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return kept


def _check_sqlite_destination(path: Path, source: _Side, *, force: bool) -> Path:
    """Refuse a SQLite destination that cannot be written; the temporary file to write."""
    if (path.exists() or path.is_symlink()) and not force:
        raise CopyError(
            f"{path} exists: refusing to replace it (--force replaces it, keeping the old file "
            f"as {path.name}.before-copy-<time>)"
        )
    if path.is_dir():
        raise CopyError(f"{path}: is a directory, not a database file")
    if isinstance(source, _Sqlite) and _same_file(Path(source.name), path):
        raise CopyError(f"{path}: is the source itself")
    temporary = path.with_name(f".{path.name}.copy-{os.getpid()}.tmp")
    _remove_temporary(temporary)
    return temporary


def _remove_temporary(temporary: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        temporary.with_name(temporary.name + suffix).unlink(missing_ok=True)


def _place(
    temporary: Path,
    path: Path,
    *,
    force: bool,
    hold: Callable[[Path], AbstractContextManager[object]] | None,
) -> Path | None:
    """Move the finished copy to ``path``; the file it replaced is kept (returned)."""
    kept: Path | None = None
    appeared = CopyError(f"{path} appeared during the copy: refusing to replace it")
    with contextlib.ExitStack() as stack:
        if hold and path.exists():
            try:
                stack.enter_context(hold(path))
            except StoreError as exc:  # a running bot holds it
                raise CopyError(f"refusing to replace {path}: {exc}") from None
        if path.exists() or path.is_symlink():
            if not force:
                raise appeared
            kept = _keep_existing(path)
        try:
            os.link(temporary, path)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise appeared from None
    return kept


async def _into_sqlite(
    source: _Side,
    path: Path,
    progress: Progress | None,
    *,
    force: bool,
    hold: Callable[[Path], AbstractContextManager[object]] | None,
) -> tuple[dict[str, int], int, Path | None]:
    temporary = _check_sqlite_destination(path, source, force=force)
    try:
        conn = sqlite3.connect(temporary, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")  # checked once, at the end
            conn.execute("BEGIN IMMEDIATE")
            copied, version = await _run(source, _Sqlite(conn, str(path)), progress)
            conn.execute("COMMIT")
        finally:
            conn.close()
        kept = _place(temporary, path, force=force, hold=hold)
    except sqlite3.Error as exc:
        raise CopyError(f"copy into {path} failed: {exc}") from None
    finally:
        _remove_temporary(temporary)
    return copied, version, kept


async def copy_database(
    source: Endpoint,
    destination: Endpoint,
    *,
    force: bool = False,
    progress: Progress | None = None,
    hold: Callable[[Path], AbstractContextManager[object]] | None = None,
) -> CopyResult:
    """Copy every row of ``source`` into ``destination`` (see the module's docstring).

    ``force`` lets an existing SQLite destination be replaced (it is kept under a new
    ``.before-copy-<time>`` name); ``hold`` is entered around that replacement (the running
    bot's lock, which refuses while a bot holds the file). ``progress`` is told about each
    table. Raises :class:`CopyError` (a :class:`StoreError`) when the copy is refused or fails;
    the destination is then unchanged.
    """
    started = time.monotonic()
    kept: Path | None = None
    try:
        async with _source(source) as reader:
            if isinstance(destination, Path):
                copied, version, kept = await _into_sqlite(
                    reader, destination, progress, force=force, hold=hold
                )
            else:
                copied, version = await _into_postgres(reader, destination, progress)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        reason = _reason([source, destination], exc)
        raise CopyError(f"copy failed: {reason}; nothing was written") from None
    return CopyResult(copied, version, time.monotonic() - started, kept)
