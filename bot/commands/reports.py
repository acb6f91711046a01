"""``quizbot questions reports`` and ``quizbot questions resolve``: disputes and reports.

Players press "Dispute grade" or "Report question" under their feedback; these list them for
pack authors and mark them resolved. Exit codes: 0 ok, 1 unknown or already resolved report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import asdict

from bot.commands.groups import Subparsers
from bot.config import load_settings
from bot.safe_text import visible
from storage.review_store import ReportRow, ReviewStore
from storage.store import Store

__all__ = ["add_actions"]


async def _reports(include_resolved: bool) -> list[ReportRow]:
    store = await Store.open(load_settings().quizbot_database)
    try:
        return await ReviewStore(store).reports(include_resolved=include_resolved)
    finally:
        await store.close()


def _flat(text: str | None, width: int = 60) -> str:
    """User text on one line, control characters made visible, cut to ``width``."""
    flat = visible(" ".join((text or "").split()), keep_newlines=False)
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _list(args: argparse.Namespace) -> int:
    rows = asyncio.run(_reports(args.all))
    if args.json:
        # ASCII only: every control character stays escaped on the terminal.
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return 0
    if not rows:
        print("No open reports." if not args.all else "No reports.")
        return 0
    for row in rows:
        grade = "" if row.grade is None else f" grade {row.grade:.0%}"
        print(
            f"#{row.id} [{row.status}] {row.kind} on {_flat(row.question_id)} by "
            f"{_flat(row.player, 32)} ({_flat(f'{row.platform}:{row.team_id}')}){grade}"
        )
        if row.note:
            print(f"    note: {_flat(row.note)}")
        if row.answer:
            print(f"    answer: {_flat(row.answer)}")
    return 0


async def _resolve_async(report_id: int) -> bool:
    store = await Store.open(load_settings().quizbot_database)
    try:
        return await ReviewStore(store).resolve_report(report_id, time.time())
    finally:
        await store.close()


def _resolve(args: argparse.Namespace) -> int:
    if asyncio.run(_resolve_async(args.id)):
        print(f"report #{args.id} resolved")
        return 0
    print(f"no open report #{args.id}")
    return 1


def add_actions(sub: Subparsers) -> None:
    """Add ``reports`` and ``resolve`` to the ``questions`` sub-commands."""
    reports = sub.add_parser("reports", help="grade disputes and question reports from players")
    reports.add_argument("--all", action="store_true", help="include resolved reports")
    reports.add_argument("--json", action="store_true", help="print a JSON array")
    reports.set_defaults(func=_list)
    resolve = sub.add_parser("resolve", help="mark a report resolved")
    resolve.add_argument("id", metavar="ID", type=int, help="report number, e.g. 3")
    resolve.set_defaults(func=_resolve)
