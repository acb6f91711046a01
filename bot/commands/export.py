"""``quizbot export leaderboard``: every ranked row of a team's leaderboard, as CSV or JSON,
from the configured database (an SQLite file or PostgreSQL), read through the store."""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import io
import json
import os
import sys
import time
from pathlib import Path

from bot.commands.db import DatabaseProblem, open_readonly
from bot.commands.groups import Subparsers, add_group, fail
from bot.config import load_settings
from bot.engine.engine import QuizEngine, period_keys, ranked
from bot.engine.model import PERIODS, LeaderboardRow, Team
from bot.safe_text import visible
from storage.errors import StoreError
from storage.interface import Storage
from storage.postgres.url import PostgresUrl
from storage.store import Store

__all__ = [
    "FIELDS",
    "export_leaderboard",
    "format_rows",
    "leaderboard_rows",
    "parse_team",
    "register",
]

FIELDS = tuple(field.name for field in dataclasses.fields(LeaderboardRow))


class ExportError(Exception):
    """The export cannot be made (unknown team, missing or unreachable database); one line."""


def parse_team(value: str) -> Team:
    """``PLATFORM:ID`` (e.g. ``slack:T0123``, ``discord:1234``, ``console:local``) as a Team."""
    platform, sep, team_id = value.partition(":")
    if not sep or not platform or not team_id:
        raise argparse.ArgumentTypeError(f"expected PLATFORM:ID, e.g. slack:T0123, not {value!r}")
    return Team(platform.strip().casefold(), team_id.strip())


async def export_leaderboard(
    database: Path | PostgresUrl,
    team: Team,
    *,
    period: str = "week",
    channel_id: str | None = None,
    now: float | None = None,
) -> list[LeaderboardRow]:
    """Every ranked player of a team's board for a period (and channel), as /leaderboard ranks,
    read from an SQLite file or a PostgreSQL database (one not at this Quizbot's schema version
    is refused: ``quizbot db migrate`` brings it there)."""
    store = await _open(database)
    try:
        return await leaderboard_rows(
            store, team, period=period, channel_id=channel_id, now=now, where=str(database)
        )
    finally:
        await store.close()


async def _open(database: Path | PostgresUrl) -> Storage:
    """The store of ``database``; :class:`ExportError` when it cannot be opened."""
    try:
        if isinstance(database, PostgresUrl):
            from storage.postgres.store import PostgresStore  # asyncpg: only with PostgreSQL

            return await PostgresStore.open(database, min_size=1, max_size=2, migrate_now=False)
        with open_readonly(database):
            pass
        return await Store.open(database)
    except (DatabaseProblem, StoreError) as exc:
        raise ExportError(str(exc)) from None


async def leaderboard_rows(
    store: Storage,
    team: Team,
    *,
    period: str = "week",
    channel_id: str | None = None,
    now: float | None = None,
    where: str = "the database",
) -> list[LeaderboardRow]:
    """Every ranked player of a team's board in ``store`` (either backend), as /leaderboard
    ranks; :class:`ExportError` naming ``where`` for an unknown team."""
    chosen = QuizEngine.parse_period(period)
    team_pk = await store.find_team_pk(team.platform, team.team_id)
    if team_pk is None:
        raise ExportError(f"no team {team.platform}:{team.team_id} in {where}")
    if chosen == "season":
        key = (await store.seasons.current(team_pk)).period
    else:
        key = period_keys(time.time() if now is None else now)[chosen]
    scope = channel_id or ""
    total = await store.player_count(team_pk, key, scope)
    return ranked(await store.top_scores(team_pk, key, scope, max(total, 1)))


def format_rows(rows: list[LeaderboardRow], fmt: str) -> str:
    """The rows as CSV (with a header line) or as a JSON array of objects.

    Neither carries a raw control character from user text, so printing either to a terminal
    is safe: JSON escapes every non-ASCII character, CSV shows them as ``\\uXXXX``.
    """
    if fmt == "json":
        return json.dumps([dataclasses.asdict(row) for row in rows], indent=2)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(_csv_safe(value) for value in dataclasses.astuple(row))
    return buffer.getvalue().rstrip("\n")


def _csv_safe(value: object) -> object:
    """User text with control characters made visible and spreadsheet formulas neutralised."""
    if not isinstance(value, str):
        return value
    value = visible(value, keep_newlines=False)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def channel_option(value: str) -> str:
    """A ``--channel`` value: the channel id, with a leading ``#`` (as typed in chat) dropped."""
    channel = value.strip().removeprefix("#").strip()
    if not channel:
        raise argparse.ArgumentTypeError("expected a channel id or #name, e.g. #general")
    return channel


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, so no half file remains.

    :class:`OSError` (no such directory, a directory, no permission, a full disk) is raised
    with the temporary file removed.
    """
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; name a file, e.g. {path / 'board.csv'}")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _leaderboard(args: argparse.Namespace) -> int:
    settings = load_settings(postgres=True)
    database = settings.postgres_url or settings.quizbot_database
    try:
        rows = asyncio.run(
            export_leaderboard(database, args.team, period=args.period, channel_id=args.channel)
        )
    except ExportError as exc:
        return fail(exc)
    text = format_rows(rows, args.format) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(args.output, text)
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


def register(subparsers: Subparsers) -> None:
    """Add ``export leaderboard``."""
    sub = add_group(
        subparsers,
        "export",
        help="export data: leaderboard as CSV or JSON",
        title="export commands",
        metavar="COMMAND",
    )
    board = sub.add_parser("leaderboard", help="every ranked player of a team's leaderboard")
    board.add_argument(
        "--team", required=True, type=parse_team, metavar="PLATFORM:ID",
        help="e.g. slack:T0123, discord:123456789, console:local",
    )  # fmt: skip
    board.add_argument("--period", choices=PERIODS, default="week", type=str.casefold)
    board.add_argument(
        "--channel", default=None, type=channel_option, metavar="C",
        help="one channel's board (its id; a leading # is dropped)",
    )  # fmt: skip
    board.add_argument("--format", choices=("csv", "json"), default="csv", type=str.casefold)
    board.add_argument("--output", "-o", type=Path, default=None, help="file (default stdout)")
    board.set_defaults(func=_leaderboard)
