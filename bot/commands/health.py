"""``quizbot health``: a cheap liveness check for Docker's HEALTHCHECK and monitors.

Opens the database read-only, runs ``SELECT 1`` and reads the schema version. One line out;
exit 0 when healthy, 1 otherwise (also for unreadable settings).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.db import DatabaseProblem, inspect_database, open_readonly
from bot.commands.groups import Subparsers
from bot.config import ConfigError, load_settings

__all__ = ["check_health", "register"]


def check_health(database: Path) -> tuple[bool, str]:
    """(healthy, one-line report) for the database at ``database``."""
    try:
        with open_readonly(database) as conn:
            version = inspect_database(conn, database)
    except DatabaseProblem as exc:
        return False, f"unhealthy: {exc}"
    return True, f"ok: {database} (schema version {version})"


def _health(args: argparse.Namespace) -> int:
    try:
        database = load_settings().quizbot_database
    except ConfigError as exc:
        print(f"unhealthy: {exc}")
        return 1
    healthy, line = check_health(database)
    print(line)
    return 0 if healthy else 1


def register(subparsers: Subparsers) -> None:
    """Add ``health``."""
    parser = subparsers.add_parser(
        "health", help="exit 0 when the database answers (for HEALTHCHECK)"
    )
    parser.set_defaults(func=_health)
