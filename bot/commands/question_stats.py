"""``quizbot questions stats [--json]``: how each question fares, for pack authors.

Over every team's answers (:mod:`bot.engine.analytics`): times asked, correct rate, mean
free-text grade, pick rates, discrimination, open disputes and reports, and the flags.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict

from bot.adapters.wording import QUESTION_STATS_NOTE, question_figures, question_flags
from bot.commands.groups import Subparsers
from bot.commands.offline import offline_engine
from bot.engine.analytics import MIN_ANSWERS
from bot.engine.model import QuestionStats

__all__ = ["add_stats"]


async def _stats() -> tuple[QuestionStats, ...]:
    async with offline_engine() as engine:
        return await engine.analytics.questions(None)


def _print(args: argparse.Namespace) -> int:
    found = asyncio.run(_stats())
    if args.json:
        rows = [asdict(stats) for stats in found]
        print(json.dumps({"min_answers": MIN_ANSWERS, "questions": rows}, indent=2))
        return 0
    if not found:
        print("No question has been asked yet.")
        return 0
    for stats in found:
        print(f"{stats.question_id}: {question_flags(stats)}")
        print(f"    {question_figures(stats)}")
    print(QUESTION_STATS_NOTE)
    return 0


def add_stats(sub: Subparsers) -> None:
    """Add ``stats`` to the ``questions`` sub-commands."""
    stats = sub.add_parser("stats", help="how each question fares: rates, picks, flags")
    stats.add_argument("--json", action="store_true", help="print a JSON object")
    stats.set_defaults(func=_print)
