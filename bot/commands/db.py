"""``quizbot db …``: info, a consistent online backup, restore (refused while running),
forget (one team's rows), migrate, and copy (a whole database between SQLite and PostgreSQL).

``info``, ``forget``, ``migrate`` and ``copy`` work on SQLite and PostgreSQL; ``backup`` and
``restore`` copy an SQLite file and point a PostgreSQL user to ``pg_dump``/``pg_restore``.

Neither command ever overwrites a copy: a backup into a folder gets a new timestamped name, one
onto an existing file needs ``--force``, and the database a restore replaces is kept under a
new ``<database>.before-restore-<time>`` name. Neither ever writes onto the live database
through another name (a symlink or hard link): files are compared by device and inode.

Also the small synchronous SQLite helpers ``health`` and ``doctor`` share: read-only opening
and recognising a Quizbot database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from bot.commands.groups import Subparsers, add_group, fail
from bot.config import ConfigError, load_settings
from storage import migrations
from storage.database import Database, wal_path
from storage.errors import StoreError
from storage.migrations import REQUIRED_TABLES
from storage.postgres.url import PostgresUrl

__all__ = [
    "REQUIRED_TABLES",
    "DatabaseProblem",
    "backup_database",
    "copy_name",
    "database_info",
    "inspect_database",
    "latest_schema",
    "migrate_sqlite",
    "open_readonly",
    "register",
    "restore_database",
    "same_file",
]

_COUNTED = ("teams", "players", "rounds", "answers")


class DatabaseProblem(Exception):
    """A file that is missing, unreadable, damaged, or not a Quizbot database (one line)."""


def latest_schema() -> int:
    """The newest schema version this Quizbot ships."""
    known = migrations.available()
    return known[-1].version if known else 0


@contextlib.contextmanager
def open_readonly(path: Path, *, timeout: float = 5.0) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the SQLite file at ``path`` (never creates it)."""
    if not path.exists():
        raise DatabaseProblem(f"{path}: no such file")
    if path.is_dir():
        raise DatabaseProblem(f"{path}: is a directory, not a database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise DatabaseProblem(f"{path}: cannot read ({exc.strerror})") from None
    if header != b"SQLite format 3\x00":
        raise DatabaseProblem(f"{path}: not an SQLite database")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout)
    except sqlite3.Error as exc:
        raise DatabaseProblem(f"{path}: cannot open ({exc})") from None
    try:
        yield conn
    finally:
        conn.close()


def inspect_database(conn: sqlite3.Connection, path: Path, *, integrity: bool = False) -> int:
    """Check ``conn`` holds a Quizbot database this code can use; return its schema version.

    With ``integrity``, also run ``PRAGMA integrity_check``. Raises :class:`DatabaseProblem`.
    """
    try:
        conn.execute("SELECT 1").fetchone()
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0] if integrity else "ok"
    except sqlite3.Error as exc:
        raise DatabaseProblem(f"{path}: cannot read ({exc})") from None
    problem = migrations.schema_problem(version, tables)
    if problem:
        raise DatabaseProblem(f"{path}: {problem}")
    if version > latest_schema():
        raise DatabaseProblem(
            f"{path}: schema version {version} is newer than this Quizbot ({latest_schema()})"
        )
    if verdict != "ok":
        raise DatabaseProblem(f"{path}: integrity check failed: {verdict}")
    return version


def database_info(path: Path) -> dict[str, object]:
    """Path, sizes (the file and its write-ahead log, where recent writes wait until SQLite
    copies them into the file), schema version and row counts of a Quizbot database."""
    from bot.app import running_pid

    with open_readonly(path) as conn:
        version = inspect_database(conn, path)
        counts = {
            table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in _COUNTED
        }
        open_rounds = int(
            conn.execute("SELECT COUNT(*) FROM rounds WHERE closed_at IS NULL").fetchone()[0]
        )
    return {
        "path": str(path),
        "size_bytes": path.stat().st_size,
        "wal_bytes": _size(wal_path(path)),
        "schema_version": version,
        "latest_schema": latest_schema(),
        **counts,
        "open_rounds": open_rounds,
        "running_pid": running_pid(path),
    }


def same_file(first: Path, second: Path) -> bool:
    """Whether both paths name one existing file (however spelled: symlinks, hard links)."""
    try:
        one, other = first.stat(), second.stat()
    except OSError:
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _unused_path(folder: Path, stem: str, suffix: str = "") -> Path:
    """``<folder>/<stem>-<UTC time><suffix>``, numbered when that name is taken."""
    name = f"{stem}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    candidate, number = folder / f"{name}{suffix}", 2
    while candidate.exists() or candidate.is_symlink():
        candidate, number = folder / f"{name}-{number}{suffix}", number + 1
    return candidate


def _size(path: Path) -> int:
    """The size of the file at ``path`` in bytes; 0 when there is none (a log checkpointed
    away meanwhile)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def backup_database(database: Path, target: Path, *, force: bool = False) -> tuple[Path, int]:
    """Copy ``database`` to ``target`` consistently, even while the bot writes to it.

    A folder ``target`` gets a new file named after the database and the time. An existing
    file is refused unless ``force``; the database itself (under any name) always is. Uses
    SQLite's online backup into a temporary file beside ``target``, checks the copy's
    integrity, then moves it into place. Returns the file written and its schema version.
    """
    if target.is_dir():
        target = _unused_path(target, database.stem, database.suffix)
    if same_file(target, database):
        raise DatabaseProblem(f"refusing to back up: {target} is the database itself")
    exists = DatabaseProblem(f"refusing to back up: {target} exists (--force replaces it)")
    if target.exists() and not force:
        raise exists
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open_readonly(database, timeout=30) as source:
            inspect_database(source, database)
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                version = inspect_database(copy, target, integrity=True)
            finally:
                copy.close()
        if force:
            os.replace(temporary, target)
        else:
            os.link(temporary, target)  # never replaces a file that appeared meanwhile
    except FileExistsError:
        raise exists from None
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseProblem(f"backup to {target} failed: {exc}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return target, version


def restore_database(source_path: Path, database: Path) -> Path | None:
    """Replace ``database`` with the Quizbot database at ``source_path``.

    Refused while a Quizbot holds the database (its lock), and at once when ``source_path`` is
    the database itself or a write-ahead log of a vanished database lies beside it. The
    current database, if any, is first copied to a new ``<database>.before-restore-<time>``
    file (never over an earlier one), byte for byte when SQLite cannot read it (damaged); that
    path is returned.
    """
    from bot.app import instance_lock

    if same_file(source_path, database):
        raise DatabaseProblem(f"refusing to restore: {source_path} is the database itself")
    wal = wal_path(database)
    if wal.exists() and not (database.exists() and database.stat().st_size):
        raise DatabaseProblem(
            f"refusing to restore: {wal} is the log of a database that is gone, and SQLite "
            "would apply it to the restored one; move it away first"
        )
    with open_readonly(source_path) as source:
        inspect_database(source, source_path, integrity=True)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(instance_lock(database))
        except StoreError as exc:
            raise DatabaseProblem(f"refusing to restore: {exc}") from None
        kept = _keep_replaced(database)
        try:
            with open_readonly(source_path) as source:
                target = sqlite3.connect(database, timeout=30)
                try:
                    source.backup(target)
                    inspect_database(target, database, integrity=True)
                finally:
                    target.close()
        except sqlite3.Error as exc:
            raise DatabaseProblem(f"restore into {database} failed: {exc}") from None
    return kept


def _keep_replaced(database: Path) -> Path | None:
    """Keep the database a restore replaces under a new ``.before-restore-<time>`` name.

    A sound one is backed up; one SQLite cannot read (damaged, not a database, too new) is
    copied byte for byte with its write-ahead log, then removed with its ``-wal`` and ``-shm``
    files so the backup can be restored into its place. None when there is nothing to keep.
    """
    if not (database.exists() and database.stat().st_size):
        return None
    kept = _unused_path(database.parent, f"{database.name}.before-restore")
    try:
        return backup_database(database, kept)[0]
    except DatabaseProblem:
        pass
    try:
        for suffix in ("", "-wal"):
            source = database.with_name(database.name + suffix)
            if source.exists():
                shutil.copy2(source, kept.with_name(kept.name + suffix))
        for suffix in ("", "-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
    except OSError as exc:
        raise DatabaseProblem(f"refusing to restore: cannot keep {database} ({exc})") from None
    return kept


# -- the commands ------------------------------------------------------------------------


_POSTGRES_REFUSALS = {
    "backup": "`quizbot db backup` copies an SQLite file; QUIZBOT_DATABASE is PostgreSQL: use "
    "pg_dump (pg_dump --format=custom --file=quizbot.dump URL)",
    "restore": "`quizbot db restore` replaces an SQLite file; QUIZBOT_DATABASE is PostgreSQL: "
    "stop every replica, then use pg_restore "
    "(pg_restore --clean --if-exists --dbname=URL quizbot.dump)",
}
"""Why each SQLite-file command refuses a PostgreSQL database, and what to use instead."""


def _database(command: str) -> Path:
    """The SQLite file of ``command``; a PostgreSQL ``QUIZBOT_DATABASE`` is refused with the
    tool to use instead (:class:`ConfigError`)."""
    settings = load_settings(postgres=True)
    if settings.postgres_url is not None:
        raise ConfigError(_POSTGRES_REFUSALS[command])
    return settings.quizbot_database


def _info(args: argparse.Namespace) -> int:
    settings = load_settings(postgres=True)
    try:
        if settings.postgres_url is not None:
            from storage.postgres.summary import database_summary  # asyncpg: only here

            info = asyncio.run(database_summary(settings.postgres_url))
        else:
            info = database_info(settings.quizbot_database)
    except (DatabaseProblem, StoreError) as exc:
        return fail(exc)
    width = max(len(key) for key in info)
    for key, value in info.items():
        shown = "not running" if key == "running_pid" and value is None else value
        print(f"{key:<{width}}  {shown}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    database = _database("backup")
    target = Path(args.path)
    try:
        if args.path.endswith(os.sep):
            target.mkdir(parents=True, exist_ok=True)
        written, version = backup_database(database, target, force=args.force)
    except OSError as exc:
        return fail(f"{target}: cannot create folder ({exc.strerror})")
    except DatabaseProblem as exc:
        return fail(exc)
    print(f"backed up {database} to {written} (schema version {version})")
    return 0


def _restore(args: argparse.Namespace) -> int:
    database = _database("restore")
    try:
        kept = restore_database(args.path, database)
    except DatabaseProblem as exc:
        return fail(exc)
    note = f"; the previous database is kept as {kept}" if kept else ""
    print(f"restored {database} from {args.path}{note}")
    return 0


_TEAM = re.compile(r"^(slack|discord|console):(\S+)$")


def _forget(args: argparse.Namespace) -> int:
    """``db forget --team PLATFORM:ID [--yes] [--copy-dir DIR]``: copy, then delete every row
    of one team (SQLite: a backup of the file; PostgreSQL: the team's rows as an SQL script)."""
    match = _TEAM.match(args.team)
    if not match:
        return fail(f"--team must be PLATFORM:ID, e.g. slack:T0123ABCD (not {args.team!r})")
    platform, team_id = match.groups()
    settings = load_settings(postgres=True)
    try:
        if settings.postgres_url is not None:
            return asyncio.run(
                _forget_postgres(
                    settings.postgres_url,
                    platform,
                    team_id,
                    folder=(args.copy_dir or Path.cwd()).absolute(),
                    confirmed=args.yes,
                )
            )
        database = settings.quizbot_database
        if not database.exists():
            return fail(f"{database}: no such file")
        folder = args.copy_dir or database.parent
        return asyncio.run(
            _forget_team(database, platform, team_id, folder=folder, confirmed=args.yes)
        )
    except DatabaseProblem as exc:
        return fail(exc)


def _print_counts(name: str, counts: dict[str, int]) -> None:
    total = sum(counts.values())
    print(f"{name}: {total} rows in {sum(1 for n in counts.values() if n)} tables")


def _print_deleted(table: str, rows: int) -> None:
    if rows:
        print(f"  {table}: {rows} deleted")


def copy_name(platform: str, team_id: str) -> str:
    """The stem of the file a PostgreSQL ``db forget`` writes the team's rows to (the team's
    id with anything but letters, digits, ``.``, ``_`` and ``-`` as ``_``)."""
    return f"quizbot-forget-{platform}-{re.sub(r'[^A-Za-z0-9._-]', '_', team_id)}"


async def _forget_postgres(
    url: PostgresUrl, platform: str, team_id: str, *, folder: Path, confirmed: bool
) -> int:
    from storage.postgres.database import PostgresDatabase  # asyncpg: only here
    from storage.postgres.pool import other_quizbot_connections
    from storage.postgres.team_data import count_team_rows, forget_team, restore_hint
    from storage.team_data import TeamDataError

    name = f"{platform}:{team_id}"
    try:
        db = await PostgresDatabase.open(url, min_size=1, max_size=1, migrate_now=False)
    except StoreError as exc:
        raise DatabaseProblem(f"refusing to forget {name}: {exc}") from None
    try:
        try:
            _print_counts(name, await count_team_rows(db, platform, team_id))
        except TeamDataError as exc:
            raise DatabaseProblem(str(exc)) from None
        async with db.transaction() as conn:
            running = await other_quizbot_connections(conn)
        if running:
            raise DatabaseProblem(
                f"refusing to forget {name}: {running} other Quizbot connections are open to "
                "this database; stop every replica first (a running bot keeps the team's ids "
                "and would fail its writes for the team), then run this again"
            )
        if not confirmed:
            print("nothing deleted: add --yes to delete them (a copy of them is written first)")
            return 1
        copy = _unused_path(folder, copy_name(platform, team_id), ".sql")
        print(f"writing a copy of the rows of {name} to {copy}, then deleting them ...", flush=True)
        try:
            deleted = await forget_team(db, platform, team_id, _print_deleted, copy_to=copy)
        except TeamDataError as exc:
            raise DatabaseProblem(str(exc)) from None
    finally:
        await db.close()
    print(f"forgot {name}: {sum(deleted.values())} rows deleted; the copy is {copy}")
    print(f"to put them back: {restore_hint(copy)}")
    return 0


async def _forget_team(
    database: Path, platform: str, team_id: str, *, folder: Path, confirmed: bool
) -> int:
    from bot.app import instance_lock
    from storage.store import Store
    from storage.team_data import TeamDataError, count_team_rows, forget_team

    name = f"{platform}:{team_id}"
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(instance_lock(database))
            store = await Store.open(database)
        except StoreError as exc:
            raise DatabaseProblem(f"refusing to forget {name}: {exc}") from None
        try:
            try:
                _print_counts(name, await count_team_rows(store, platform, team_id))
            except TeamDataError as exc:
                raise DatabaseProblem(str(exc)) from None
            if not confirmed:
                print("nothing deleted: add --yes to delete them (a backup is written first)")
                return 1
            backup = _unused_path(folder, f"{database.name}.before-forget")
            print(f"backing up {database} ...", flush=True)
            try:
                written, _ = backup_database(database, backup)
            except OSError as exc:
                raise DatabaseProblem(
                    f"cannot write the backup {backup} ({exc.strerror or exc}); nothing was deleted"
                ) from None
            print(f"backup written to {written}")
            print(f"deleting the rows of {name} ...", flush=True)
            try:
                deleted = await forget_team(store, platform, team_id, _print_deleted)
            except TeamDataError as exc:
                raise DatabaseProblem(str(exc)) from None
        finally:
            await store.close()
    print(f"forgot {name}: {sum(deleted.values())} rows deleted; the backup is {written}")
    return 0


def _sqlite_version(database: Path) -> int:
    """The schema version of the SQLite file ``database`` (0 when missing or unreadable)."""
    try:
        with open_readonly(database) as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except (DatabaseProblem, sqlite3.Error):
        return 0  # opening it to migrate names the problem


async def migrate_sqlite(database: Path) -> int:
    """Apply the pending migrations to the SQLite file ``database`` (created if missing) and
    return its schema version; refusals are :class:`StoreError` lines."""
    opened = await Database.open(database)  # checks the file, then runs storage.migrations
    try:
        return await opened.schema_version()
    finally:
        await opened.close()


def _migrate(args: argparse.Namespace) -> int:
    settings = load_settings(postgres=True)
    if settings.postgres_url is not None:
        from storage.postgres.pool import migrate as migrate_postgres  # asyncpg: only here

        url = settings.postgres_url
        version, applied = asyncio.run(migrate_postgres(url))
        done = f"applied {', '.join(f'{v:04d}' for v in applied)}" if applied else "up to date"
        print(f"{url}: {done} (schema version {version})")
        return 0
    database = settings.quizbot_database
    before = _sqlite_version(database)
    version = asyncio.run(migrate_sqlite(database))
    done = f"migrated from schema version {before}" if version != before else "up to date"
    print(f"{database}: {done} (schema version {version})")
    return 0


def _copy(args: argparse.Namespace) -> int:
    """``db copy SRC DST [--force]``: copy a whole database between SQLite and PostgreSQL."""
    from bot.app import instance_lock, running_pid
    from storage.copying import CopyError, copy_database, describe, parse_endpoint

    endpoints = []
    for role, text in (("SRC", args.source), ("DST", args.destination)):
        try:
            endpoints.append(parse_endpoint(text))
        except ValueError as exc:
            return fail(f"{role}: {exc}")
    source, destination = endpoints
    if isinstance(destination, Path):
        pid = running_pid(destination)
        if pid is not None:
            return fail(f"refusing to copy into {destination}: a Quizbot (pid {pid}) uses it")

    def progress(table: str, rows: int, done: bool) -> None:
        state = "copied" if done else "copying ..."
        print(f"  {table}: {rows} rows {state}", file=sys.stderr, flush=True)

    print(f"copying {describe(source)} to {describe(destination)} ...", file=sys.stderr)
    try:
        result = asyncio.run(
            copy_database(
                source, destination, force=args.force, progress=progress, hold=instance_lock
            )
        )
    except CopyError as exc:
        return fail(exc)
    rate = result.total / result.seconds if result.seconds else float(result.total)
    print(
        f"copied {result.total} rows in {len(result.rows)} tables from {describe(source)} "
        f"to {describe(destination)} (schema version {result.version}; counts and "
        f"leaderboards verified) in {result.seconds:.1f} s ({rate:.0f} rows/s)"
    )
    if result.kept:
        print(f"the previous {destination} is kept as {result.kept}")
    return 0


def register(subparsers: Subparsers) -> None:
    """Add ``db info``, ``db backup PATH``, ``db restore PATH``, ``db forget --team``,
    ``db migrate`` and ``db copy SRC DST``."""
    sub = add_group(
        subparsers,
        "db",
        help="database: info, backup, restore, forget, migrate, copy",
        title="db commands",
        metavar="COMMAND",
    )

    info = sub.add_parser("info", help="path, schema version and row counts")
    info.set_defaults(func=_info)

    backup = sub.add_parser(
        "backup", help="write a consistent copy to PATH (safe while the bot runs)"
    )
    backup.add_argument(
        "path",
        metavar="PATH",
        help="file to write, or folder (ending in /, or existing) to get a timestamped file",
    )
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(func=_backup)

    restore = sub.add_parser(
        "restore", help="replace the database with the backup at PATH (bot must be stopped)"
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="a Quizbot database backup")
    restore.set_defaults(func=_restore)

    forget = sub.add_parser(
        "forget",
        help="delete one team's scores and history, after writing a copy (SQLite: a backup "
        "of the file, the bot stopped; PostgreSQL: the team's rows as an SQL script)",
    )
    forget.add_argument(
        "--team", required=True, metavar="PLATFORM:ID", help="the team, e.g. slack:T0123ABCD"
    )
    forget.add_argument("--yes", action="store_true", help="really delete (else only count)")
    forget.add_argument(
        "--copy-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the copy, created if missing (default: beside the SQLite file; the "
        "current folder on PostgreSQL)",
    )
    forget.set_defaults(func=_forget)

    migrate = sub.add_parser(
        "migrate",
        help="apply pending schema migrations (SQLite file or PostgreSQL URL) and exit",
    )
    migrate.set_defaults(func=_migrate)

    copy = sub.add_parser(
        "copy",
        help="copy the whole database from SRC to DST (each a SQLite file or PostgreSQL URL)",
    )
    copy.add_argument("source", metavar="SRC", help="SQLite file or postgresql:// URL to read")
    copy.add_argument(
        "destination",
        metavar="DST",
        help="new SQLite file, or postgresql:// URL of a new or empty database",
    )
    copy.add_argument(
        "--force",
        action="store_true",
        help="replace an existing SQLite DST (kept as DST.before-copy-<time>)",
    )
    copy.set_defaults(func=_copy)
