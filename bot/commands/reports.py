"""``quizbot questions reports``, ``disputes`` and ``resolve``: disputes and reports.

Players press "Dispute grade" or "Report question" under their feedback; these list them for
pack authors and settle them (:mod:`bot.engine.disputes`): ``resolve ID --grade G`` upholds a
dispute with a new grade, ``resolve ID`` rejects it (or resolves a question report), each with
an optional ``--note``. The running bot tells the player. Exit codes: 0 ok, 1 refused (unknown
or already settled report, bad grade).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict

from bot.adapters.wording import report_heading, settled_for_admin
from bot.commands.groups import Subparsers
from bot.commands.offline import offline_engine
from bot.config import load_settings
from bot.engine.errors import QuizError
from bot.engine.model import ReportItem
from bot.safe_text import one_line
from storage.review_store import ReportRow

__all__ = ["add_actions"]


async def _reports(include_resolved: bool) -> list[ReportRow]:
    from bot.app import open_store

    store = await open_store(load_settings(postgres=True))
    try:
        return await store.reviews.reports(include_resolved=include_resolved)
    finally:
        await store.close()


def _flat(text: str | None, width: int = 60) -> str:
    return one_line(text, width)


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


async def _settle(report_id: int, grade: str | None, note: str) -> str:
    """Settle one report through the engine; the confirmation, or :class:`QuizError`."""
    async with offline_engine() as engine:
        action = "resolve" if grade is None else "uphold"
        settled = await engine.disputes.settle(None, report_id, action, grade=grade, note=note)
        return settled_for_admin(settled, _flat(settled.player_name, 32))


def _resolve(args: argparse.Namespace) -> int:
    try:
        print(asyncio.run(_settle(args.id, args.grade, args.note)))
    except QuizError as exc:
        print(exc.message)
        return 1
    return 0


async def _open_disputes() -> list[ReportItem]:
    async with offline_engine() as engine:
        return list(await engine.disputes.open_reports(None, disputes_only=True))


def _disputes(args: argparse.Namespace) -> int:
    items = asyncio.run(_open_disputes())
    if args.json:
        print(json.dumps([asdict(item) for item in items], indent=2))
        return 0
    if not items:
        print("No open grade disputes.")
        return 0
    for item in items:
        print(f"{report_heading(item)} by {_flat(item.player_name, 32)}")
        print(f"    question: {_flat(item.question_id)}: {_flat(item.prompt)}")
        print(f"    answer: {_flat(item.answer)}")
        print(f"    reason: {_flat(item.reason)}")
    return 0


def add_actions(sub: Subparsers) -> None:
    """Add ``reports`` and ``resolve`` to the ``questions`` sub-commands."""
    reports = sub.add_parser("reports", help="grade disputes and question reports from players")
    reports.add_argument("--all", action="store_true", help="include resolved reports")
    reports.add_argument("--json", action="store_true", help="print a JSON array")
    reports.set_defaults(func=_list)
    disputes = sub.add_parser("disputes", help="open grade disputes, to uphold or reject")
    disputes.add_argument("--json", action="store_true", help="print a JSON array")
    disputes.set_defaults(func=_disputes)
    resolve = sub.add_parser(
        "resolve",
        help="settle a report: uphold a dispute with --grade, else reject it (or resolve a "
        "question report); the player is told when the bot runs",
    )
    resolve.add_argument("id", metavar="ID", type=int, help="report number, e.g. 3")
    resolve.add_argument("--grade", metavar="G", help="uphold a dispute: the new grade, 0 to 1")
    resolve.add_argument("--note", default="", help="a note for the player")
    resolve.set_defaults(func=_resolve)
