"""``quizbot questions``: list, show, validate and try the question bank.

* ``questions list [--category C] [--difficulty D] [--json]`` -- one row per question (JSON:
  id, category, difficulty, rarity, type, source, prompt; code and output of output questions).
* ``questions schema | new | import`` -- writing packs (:mod:`bot.commands.authoring`).
* ``questions show ID [--json]`` -- everything about one question.
* ``questions validate [DIR] [--no-run]`` -- check the built-in packs (or DIR's packs beside
  them): the schema, sample grades, and that their code runs (:mod:`bot.commands.validate`).
* ``questions grade ID "answer"`` -- grade a free-text answer, as JSON.

The bank is the built-in packs plus ``QUIZBOT_QUESTIONS_DIR`` when set. Exit codes: 0 ok,
1 unknown question or invalid pack, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import Any

from bot.commands.authoring import add_authoring
from bot.commands.groups import Subparsers, add_group
from bot.commands.validate import add_validate
from bot.config import load_settings
from bot.engine.grading import grade_text
from bot.engine.options import match
from questions.loader import (
    QuestionBank,
    load_bank,
)
from questions.schema import DIFFICULTIES, Question

__all__ = ["JSON_FIELDS", "LIST_FIELDS", "OUTPUT_FIELDS", "register"]


#: The columns of ``questions list``.
LIST_FIELDS = ("id", "category", "difficulty", "rarity", "type", "prompt")
#: The keys of each object printed by ``questions list --json`` (``source`` may be null)...
JSON_FIELDS = ("id", "category", "difficulty", "rarity", "type", "source", "prompt")
#: ...and the keys added for an output question.
OUTPUT_FIELDS = ("code", "output")
_PROMPT_WIDTH = 72
_CHOICE_LETTERS = "ABCD"


def _bank() -> QuestionBank:
    """Built-in packs plus the configured custom directory."""
    return load_bank(load_settings(postgres=True).quizbot_questions_dir)  # no database


def _find(bank: QuestionBank, question_id: str) -> Question | None:
    """The question, or None after printing a helpful message to stderr."""
    if question_id in bank:
        return bank.get(question_id)
    ids = [q.id for q in bank]
    close = difflib.get_close_matches(question_id, ids, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see 'quizbot questions list'"
    print(f"unknown question id {question_id!r}{hint}", file=sys.stderr)
    return None


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3].rstrip() + "..."


def _table(rows: list[dict[str, str]]) -> str:
    """A plain-text table of ``rows`` (columns: LIST_FIELDS), with a header line."""
    cells = [[row[field] for field in LIST_FIELDS] for row in rows]
    header = [field.upper() for field in LIST_FIELDS]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    lines = [[c.ljust(w) for c, w in zip(line, widths, strict=True)] for line in [header, *cells]]
    return "\n".join("  ".join(line).rstrip() for line in lines)


def _json_row(question: Question) -> dict[str, str | None]:
    """A question's ``list --json`` object: JSON_FIELDS, plus OUTPUT_FIELDS for output ones."""
    fields = JSON_FIELDS + (OUTPUT_FIELDS if question.type == "output" else ())
    return {field: getattr(question, field) for field in fields}


def _list(args: argparse.Namespace) -> int:
    bank = _bank()
    # The options are matched as in chat (trimmed, any case): --difficulty HARD works.
    category = match(args.category, bank.categories) if args.category else None
    if args.category and category is None:
        allowed = ", ".join(bank.categories)
        print(f"unknown category {args.category!r}; choose from: {allowed}", file=sys.stderr)
        return 2
    difficulty = match(args.difficulty, DIFFICULTIES) if args.difficulty else None
    if args.difficulty and difficulty is None:
        allowed = ", ".join(DIFFICULTIES)
        print(f"unknown difficulty {args.difficulty!r}; choose from: {allowed}", file=sys.stderr)
        return 2
    chosen = bank.select(category=category, difficulty=difficulty)
    if args.json:
        _print_json([_json_row(q) for q in chosen])
        return 0
    rows = [{field: str(getattr(q, field)) for field in LIST_FIELDS} for q in chosen]
    if not rows:
        print("no questions match")
    else:
        for row in rows:
            row["prompt"] = _shorten(row["prompt"], _PROMPT_WIDTH)
        print(_table(rows))
    return 0


def _indented(text: str | None) -> str:
    return "\n".join(f"    {line}" for line in (text or "").splitlines())


def _describe(question: Question) -> str:
    """A readable multi-line description of every field of ``question``."""
    lines = [
        f"{question.id}  ({question.category}, {question.difficulty}, {question.rarity}, "
        f"{question.type})",
        "",
        f"Prompt: {question.prompt}",
        "",
    ]
    if question.source:
        lines[-1:-1] = [f"Source: {question.source}"]
    if question.code is not None:
        lines += ["Code:", _indented(question.code), "", "Output:", _indented(question.output), ""]
    lines.append("Choices:")
    for letter, choice in zip(_CHOICE_LETTERS, question.choices, strict=False):
        mark = "*" if choice.correct else " "
        text = choice.text.replace("\n", "\n       ")  # an output of several lines
        lines.append(f"  {mark} {letter}. {text}")
        if choice.why_wrong:
            lines.append(f"       why wrong: {choice.why_wrong}")
    lines += ["", f"Answer: {question.reference_answer}", ""]
    lines += ["Explanation:", question.explanation.rstrip()]
    lines += ["", "Key points:"]
    for point in question.key_points:
        required = ", required" if point.required else ""
        lines.append(f"  - {point.label} (weight {point.weight:g}{required})")
        lines.append(f"    phrases: {'; '.join(point.phrases)}")
    if question.misconceptions:
        lines += ["", "Misconceptions:"]
        for misconception in question.misconceptions:
            lines.append(f"  - phrases: {'; '.join(misconception.phrases)}")
            lines.append(f"    correction: {misconception.correction}")
    if question.samples:
        lines += ["", "Sample answers:"]
        for sample in question.samples:
            low, high = sample.expected
            lines.append(f"  - [{sample.label}, expected {low:g}-{high:g}] {sample.text}")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    question = _find(_bank(), args.id)
    if question is None:
        return 1
    if args.json:
        _print_json(question.model_dump(mode="json"))
    else:
        print(_describe(question))
    return 0


def _grade(args: argparse.Namespace) -> int:
    question = _find(_bank(), args.id)
    if question is None:
        return 1
    answer = sys.stdin.read() if args.answer == "-" else args.answer
    result = grade_text(question, answer)
    report: dict[str, Any] = {
        "id": question.id,
        "grade": result.grade,
        "covered": list(result.covered),
        "missed": list(result.missed),
        "misconception": result.misconception,
    }
    _print_json(report)
    return 0


def register(subparsers: Subparsers) -> None:
    """Add ``questions`` and its sub-commands ``list``, ``show``, ``validate`` and ``grade``."""
    sub = add_group(
        subparsers,
        "questions",
        help="question bank: list, show, validate packs, grade an answer",
        title="actions",
        metavar="ACTION",
        description="Browse and check the question bank (built-in packs plus "
        "QUIZBOT_QUESTIONS_DIR).",
    )

    listing = sub.add_parser("list", help="list questions (id, category, difficulty, type, ...)")
    listing.add_argument("--category", metavar="C", help="only this category")
    listing.add_argument("--difficulty", metavar="D", help="only easy, medium or hard")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=_list)

    show = sub.add_parser("show", help="everything about one question")
    show.add_argument("id", metavar="ID", help="question id, e.g. list-vs-tuple")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=_show)

    add_validate(sub)
    add_authoring(sub)

    grade = sub.add_parser("grade", help="grade a free-text answer, print JSON")
    grade.add_argument("id", metavar="ID", help="question id")
    grade.add_argument("answer", metavar="ANSWER", help='the answer text ("-" reads stdin)')
    grade.set_defaults(func=_grade)

    from bot.commands.question_stats import add_stats  # question analytics
    from bot.commands.reports import add_actions  # disputes and reports (spaced repetition)

    add_actions(sub)
    add_stats(sub)
