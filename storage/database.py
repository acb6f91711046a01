"""The database connection: opening, migrating, and the transaction helpers every query uses.

One aiosqlite connection in WAL mode. Write transactions are serialised with an asyncio lock,
so coroutines sharing the connection never interleave inside a transaction.

Every write first checks that the file at the database's path is still the one opened: a
database deleted or replaced under a running bot would otherwise take writes that nobody can
ever read. Such writes, and writes SQLite refuses (a read-only file, a full disk), raise
:class:`StoreError`; :meth:`Database.problem` says what is wrong until a write succeeds.

Writes made with :meth:`Database.write_in_thread` are committed in groups: the writes waiting
when the connection's thread becomes free run in one transaction, each inside a savepoint of
its own, so one that fails is rolled back alone and the others commit. Each caller gets its
result once the shared COMMIT has succeeded, never before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import aiosqlite

from storage import migrations
from storage.errors import StoreError

__all__ = ["Database", "StoreError", "check_database_path", "unwritable", "wal_path"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Work = Callable[[sqlite3.Connection], Any]
MAX_GROUP = 64
"""The most writes committed together in one transaction."""


def wal_path(database: Path) -> Path:
    """The write-ahead log SQLite keeps beside ``database``."""
    return database.with_name(database.name + "-wal")


def unwritable(database: Path) -> str | None:
    """Why this process could not write the database at ``database``, or None.

    The file and its WAL files must be writable, and so must their folder (SQLite creates the
    ``-wal`` and ``-shm`` files there); for a database not created yet, the nearest existing
    folder on its path.
    """
    for file in (database, wal_path(database), database.with_name(database.name + "-shm")):
        if file.exists() and not os.access(file, os.W_OK):
            return f"{file}: not writable by this user (uid {os.getuid()})"
    folder = database.resolve().parent  # SQLite puts its files beside the real file
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder}: folder not writable by this user (uid {os.getuid()})"
    return None


def check_database_path(path: Path) -> None:
    """Refuse a path that cannot be a Quizbot database, before SQLite touches it
    (:class:`StoreError`)."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read database file ({exc.strerror})") from None
        if header and header != b"SQLite format 3\x00":
            raise StoreError(f"{path}: not an SQLite database")
    elif wal_path(path).exists():
        raise StoreError(
            f"{path}: missing, but its write-ahead log {wal_path(path).name} is beside it "
            "(the database was deleted or moved); restore it (quizbot db restore BACKUP), "
            "or move the log away to start empty"
        )
    problem = unwritable(path)
    if problem:
        raise StoreError(problem)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create directory ({exc.strerror})") from None


async def _refuse_foreign(conn: aiosqlite.Connection, path: Path) -> None:
    """Refuse a database that holds objects but not Quizbot's schema (before any change)."""
    version = await migrations.applied_version(conn)
    names = {row[0] for row in await conn.execute_fetchall("SELECT name FROM sqlite_master")}
    problem = migrations.schema_problem(version, names) if names else None
    if problem:
        raise StoreError(f"{path}: {problem}; left untouched")


def _identity(path: Path) -> tuple[int, int]:
    """The (device, inode) of the file at ``path``."""
    status = os.stat(path)
    return status.st_dev, status.st_ino


def _storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means SQLite could not save (read-only, disk full, I/O, gone), rather
    than a refused row (a constraint) or a bug."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


class Database:
    """A Quizbot database connection. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._identity = _identity(path)  # the file opened; writes check it is still there
        self._write_failure: str | None = None  # why the last write failed, until one succeeds
        self._reported: str | None = None  # the fault last logged
        self._write_lock = asyncio.Lock()
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []  # writes for the next group
        self._committer: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path | str) -> Self:
        """Open (creating if needed) the database at ``path`` and apply pending migrations.

        Raises :class:`StoreError` for a path that is a directory, unreadable, not writable, not
        SQLite, another application's database, or written by a newer schema; also for a
        missing database whose write-ahead log is still beside it. Nothing is changed in any of
        those cases.
        """
        path = Path(path)
        check_database_path(path)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open database ({exc})") from None
        try:
            await _refuse_foreign(conn, path)
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            await migrations.apply(conn)
        except migrations.SchemaTooNewError as exc:
            await conn.close()
            raise StoreError(f"{path}: {exc}") from None
        except StoreError:
            await conn.close()
            raise
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError(f"{path}: cannot use database ({exc})") from None
        return cls(conn, path)

    async def close(self) -> None:
        """Wait for running and waiting writes, then close the connection."""
        if self._committer is not None:
            await asyncio.gather(self._committer, return_exceptions=True)
        async with self._write_lock:
            await self._conn.close()

    # -- faults ----------------------------------------------------------------------------

    def problem(self) -> str | None:
        """Why writes cannot be saved now, or None: the file at :attr:`path` deleted or
        replaced since it was opened, or the last write's failure (until a write succeeds).

        A new problem is logged at CRITICAL, its end at WARNING (once each)."""
        fault = self._file_fault() or self._write_failure
        if fault != self._reported:
            self._reported = fault
            if fault:
                log.critical("%s", fault)
            else:
                log.warning("%s: writes succeed again", self.path)
        return fault

    def _file_fault(self) -> str | None:
        try:
            now = _identity(self.path)
        except FileNotFoundError:
            change = "deleted"
        except OSError as exc:
            return f"{self.path}: cannot check the database file ({exc.strerror})"
        else:
            if now == self._identity:
                return None
            change = "replaced"
        return (
            f"{self.path}: the database file was {change} while Quizbot was running, so "
            "nothing can be saved; stop Quizbot, restore the database "
            "(quizbot db restore BACKUP) and start it again"
        )

    def _check_file(self) -> None:
        """Raise :class:`StoreError` when the file opened is no longer at :attr:`path`."""
        fault = self._file_fault()
        if fault:
            raise StoreError(fault)

    def _failed(self, exc: BaseException) -> BaseException:
        """What a write's caller gets for ``exc``: a :class:`StoreError` (remembered for
        :meth:`problem`) when SQLite could not save, else ``exc`` itself."""
        if isinstance(exc, StoreError):
            self.problem()  # logs the fault, once
            return exc
        if not _storage_failure(exc):
            return exc
        self._write_failure = f"{self.path}: cannot save ({exc})"
        self.problem()
        return StoreError(self._write_failure)

    def _succeeded(self) -> None:
        if self._write_failure is not None:
            self._write_failure = None
            self.problem()

    # -- transactions ----------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``) under the write lock."""
        async with self._write_lock:
            try:
                self._check_file()
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
            except Exception as exc:
                failure = self._failed(exc)
                if failure is exc:
                    raise
                raise failure from None
            self._succeeded()

    async def fetchone(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        # execute_fetchall runs the statement and reads its rows in one trip to the connection's
        # thread (a cursor would take three: execute, fetch, close).
        rows = await self._conn.execute_fetchall(sql, params)
        for row in rows:
            return tuple(row)
        return None

    async def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Every row of a query."""
        rows = await self._conn.execute_fetchall(sql, params)
        return [tuple(row) for row in rows]

    async def write_in_thread(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` as a write transaction inside the connection's own thread; its result
        once committed.

        One trip to the thread instead of one per statement: on a busy bot the trips, not
        SQLite, bound the answer rate; and the writes waiting together share one trip and one
        COMMIT (see the module docs). ``work`` gets the plain :class:`sqlite3.Connection` and
        must not commit; an exception rolls back its own changes and propagates.
        """
        return await self._queue(work)

    def write_soon(
        self, work: Callable[[sqlite3.Connection], None], what: str
    ) -> asyncio.Future[None]:
        """Queue ``work`` for the next group commit without waiting for it; its future.

        For a write its caller need not wait on (a display name refreshed): it commits with the
        writes queued beside it, before any write queued after it. A failure is logged as
        ``what`` (nobody else may look at the future).
        """
        future = self._queue(work)
        future.add_done_callback(lambda done: _log_unawaited(done, what))
        return future

    def _queue(self, work: Callable[[sqlite3.Connection], _T]) -> asyncio.Future[_T]:
        future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_waiting())
        return future

    async def _commit_waiting(self) -> None:
        """Commit the waiting writes, a group at a time, until none is left."""
        while self._waiting:
            group = self._waiting[:MAX_GROUP]
            del self._waiting[:MAX_GROUP]
            works = [work for work, _ in group]
            try:
                async with self._write_lock:
                    # aiosqlite has no public "run this callable in the connection thread";
                    # _execute is what its own public methods (backup, iterdump, ...) use.
                    outcomes = await self._conn._execute(  # type: ignore[no-untyped-call]
                        _run_group, self._conn._conn, works, self._check_file
                    )
            except BaseException as exc:  # the COMMIT (or the connection) failed: all did
                failure = self._failed(exc)
                for _, future in group:
                    if not future.done():
                        future.set_exception(failure)
                if not isinstance(exc, Exception):  # cancelled (shutdown): nobody commits now
                    for _, future in self._waiting:
                        future.cancel()
                    self._waiting.clear()
                    raise
                continue
            if any(ok for ok, _ in outcomes):
                self._succeeded()
            for (_, future), (ok, value) in zip(group, outcomes, strict=True):
                if future.done():  # the caller was cancelled; the write stands
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(self._failed(value))

    async def schema_version(self) -> int:
        """The applied schema version."""
        return await migrations.applied_version(self._conn)

    async def execute_write(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one writing statement as its own transaction; how many rows it changed."""

        def write(conn: sqlite3.Connection) -> int:
            return conn.execute(sql, params).rowcount

        return await self.write_in_thread(write)


def _log_unawaited(done: asyncio.Future[Any], what: str) -> None:
    """Log the failure of a write queued by :meth:`Database.write_soon` (nobody awaits it)."""
    if not done.cancelled() and done.exception() is not None:
        log.warning("%s failed: %s", what, done.exception())


def _run_group(
    raw: sqlite3.Connection, works: list[Work], check_file: Callable[[], None]
) -> list[tuple[bool, Any]]:
    """In the connection's thread: one transaction, each work in a savepoint of its own; each
    work's (succeeded, result or exception). Raises (after a rollback) only if the transaction
    itself fails, or (before it begins) when ``check_file`` finds the database file gone."""
    outcomes: list[tuple[bool, Any]] = []
    check_file()
    raw.execute("BEGIN IMMEDIATE")
    try:
        if len(works) == 1:  # alone: the transaction is its savepoint
            try:
                outcomes.append((True, works[0](raw)))
            except Exception as exc:
                raw.execute("ROLLBACK")
                return [(False, exc)]
            raw.execute("COMMIT")
            return outcomes
        for work in works:
            raw.execute("SAVEPOINT write")
            try:
                result = work(raw)
            except Exception as exc:
                raw.execute("ROLLBACK TO write")
                raw.execute("RELEASE write")
                outcomes.append((False, exc))
            else:
                raw.execute("RELEASE write")
                outcomes.append((True, result))
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    return outcomes
