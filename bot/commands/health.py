"""``quizbot health``: a cheap liveness check for Docker's HEALTHCHECK and monitors.

Healthy means (a) the database answers — opened read-only, ``SELECT 1`` and the schema version
read — and is writable, and (b) a bot is running on it (it holds ``<database>.lock``), its event
loop is alive — its heartbeat (``<database>.heartbeat``, refreshed every 5 s) is younger than
``--max-age`` seconds (30) — and its writes succeed (the heartbeat says when they fail).
With PostgreSQL, (a) is a connection that reads the schema version, which must be the code's,
and (b) is this replica's heartbeat file (``QUIZBOT_HEARTBEAT_FILE``, ``./quizbot.heartbeat`` by
default; no lock is held: replicas share the database). A bot
whose loop hangs therefore turns unhealthy within ``--max-age`` seconds; no running bot is
unhealthy too (in the container the bot always runs). ``--db-only`` checks (a) alone. One line
out; exit 0 when healthy, 1 otherwise (also for unreadable settings); 2 for a ``--max-age``
that is not at least twice the heartbeat interval.
"""

from __future__ import annotations

import argparse
import asyncio
import math
from pathlib import Path

from bot.commands.db import DatabaseProblem, inspect_database, open_readonly
from bot.commands.groups import Subparsers, fail
from bot.config import ConfigError, load_settings
from bot.heartbeat import HEARTBEAT_INTERVAL_S, Heartbeat, read_heartbeat
from storage.database import unwritable
from storage.errors import StoreError
from storage.postgres.url import PostgresUrl

__all__ = [
    "MAX_HEARTBEAT_AGE_S",
    "check_health",
    "check_postgres_health",
    "max_age_problem",
    "register",
]

MAX_HEARTBEAT_AGE_S = 30.0


def check_health(
    database: Path,
    *,
    bot: bool = True,
    max_age_s: float = MAX_HEARTBEAT_AGE_S,
    heartbeat: Path | None = None,
) -> tuple[bool, str]:
    """(healthy, one-line report) for the database at ``database``.

    With ``bot`` (the default), a running Quizbot with a heartbeat (``heartbeat``, else
    ``<database>.heartbeat``) younger than ``max_age_s`` seconds, reporting no failed write,
    is required too; without it only the database is checked.
    """
    from bot.app import running_pid

    problem = unwritable(database)
    if problem:
        return False, f"unhealthy: {problem}"
    try:
        with open_readonly(database) as conn:
            version = inspect_database(conn, database)
    except DatabaseProblem as exc:
        return False, f"unhealthy: {exc}"
    summary = f"{database} (schema version {version})"
    if not bot:
        return True, f"ok: {summary}"
    pid = running_pid(database)
    if pid is None:
        return False, f"unhealthy: not running: no Quizbot holds {database}"
    return _judge_heartbeat(summary, pid, read_heartbeat(database, file=heartbeat), max_age_s)


def check_postgres_health(
    url: PostgresUrl, heartbeat: Path, *, bot: bool = True, max_age_s: float = MAX_HEARTBEAT_AGE_S
) -> tuple[bool, str]:
    """(healthy, one-line report) for this replica on the PostgreSQL database at ``url``: the
    server answers with the schema version this code needs, and (with ``bot``) this replica's
    ``heartbeat`` file is younger than ``max_age_s`` seconds and reports no failed write."""
    from storage.postgres.migrations import latest_version
    from storage.postgres.pool import schema_version  # asyncpg: only with PostgreSQL

    try:
        version = asyncio.run(schema_version(url))
    except StoreError as exc:
        return False, f"unhealthy: {exc}"
    latest = latest_version()
    if version != latest:
        fix = "run `quizbot db migrate`" if version < latest else "upgrade Quizbot"
        return (
            False,
            f"unhealthy: {url}: schema version {version}, this Quizbot needs {latest}: {fix}",
        )
    summary = f"{url} (schema version {version})"
    if not bot:
        return True, f"ok: {summary}"
    beat = read_heartbeat(heartbeat, file=heartbeat)
    if beat is None:
        return False, f"unhealthy: not running: no heartbeat at {heartbeat}"
    return _judge_heartbeat(summary, beat.pid, beat, max_age_s)


def _judge_heartbeat(
    summary: str, pid: str, heartbeat: Heartbeat | None, max_age_s: float
) -> tuple[bool, str]:
    if heartbeat is None:
        return False, f"unhealthy: bot (pid {pid}) has no heartbeat yet"
    if heartbeat.age_s > max_age_s:
        return False, (
            f"unhealthy: bot (pid {pid}) last heartbeat {heartbeat.age_s:.0f} s ago "
            f"(limit {max_age_s:g} s): its event loop is blocked"
        )
    if heartbeat.problem:
        return False, f"unhealthy: bot (pid {pid}) cannot save: {heartbeat.problem}"
    return True, f"ok: {summary}, bot pid {pid}, heartbeat {heartbeat.age_s:.1f} s ago"


def max_age_problem(
    database: Path, max_age_s: float, *, heartbeat: Path | None = None
) -> str | None:
    """Why ``max_age_s`` is no limit for the heartbeat of the bot on ``database``, or None.

    It must be at least twice the bot's beat interval (5 s, unless its heartbeat says
    otherwise): under it, every live bot would be called blocked.
    """
    beat = read_heartbeat(database, file=heartbeat)
    interval = beat.interval_s if beat else HEARTBEAT_INTERVAL_S
    if math.isfinite(max_age_s) and max_age_s >= 2 * interval:
        return None
    return (
        f"--max-age {max_age_s:g}: give at least twice the heartbeat interval "
        f"({interval:g} s), so {2 * interval:g} seconds or more"
    )


def _health(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(postgres=True)
    except ConfigError as exc:
        print(f"unhealthy: {exc}")
        return 1
    database, heartbeat = settings.quizbot_database, settings.heartbeat_file
    problem = None if args.db_only else max_age_problem(database, args.max_age, heartbeat=heartbeat)
    if problem:
        fail(problem)
        return 2
    if settings.postgres_url is not None:
        healthy, line = check_postgres_health(
            settings.postgres_url, heartbeat, bot=not args.db_only, max_age_s=args.max_age
        )
    else:
        healthy, line = check_health(
            database, bot=not args.db_only, max_age_s=args.max_age, heartbeat=heartbeat
        )
    print(line)
    return 0 if healthy else 1


def register(subparsers: Subparsers) -> None:
    """Add ``health``."""
    parser = subparsers.add_parser(
        "health",
        help="exit 0 when the database answers and the running bot's loop is alive (HEALTHCHECK)",
    )
    parser.add_argument(
        "--db-only",
        action="store_true",
        help="check only that the database answers (no running bot needed)",
    )
    parser.add_argument(
        "--max-age",
        type=float,
        default=MAX_HEARTBEAT_AGE_S,
        metavar="SECONDS",
        help=f"the oldest acceptable heartbeat (default {MAX_HEARTBEAT_AGE_S:g}; "
        f"at least twice the heartbeat interval, {2 * HEARTBEAT_INTERVAL_S:g})",
    )
    parser.set_defaults(func=_health)
