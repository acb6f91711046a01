"""``quizbot questions``: list, show, validate and try the question bank.

* ``questions list [--category C] [--difficulty D] [--json]`` -- one row per question.
* ``questions show ID [--json]`` -- everything about one question.
* ``questions validate [DIR]`` -- check the built-in packs (or DIR's packs beside them): the
  schema, and that every sample answer grades inside its expected range.
* ``questions grade ID "answer"`` -- grade a free-text answer, as JSON.

The bank is the built-in packs plus ``QUIZBOT_QUESTIONS_DIR`` when set. Exit codes: 0 ok,
1 unknown question or invalid pack, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

from bot.commands.groups import Subparsers, add_group
from bot.config import load_settings
from bot.engine.grading import grade_text
from questions.loader import (
    BUILTIN_PACKS_DIR,
    PackError,
    QuestionBank,
    load_bank,
    load_packs,
    pack_files,
)
from questions.schema import DIFFICULTIES, Pack, Question

__all__ = ["LIST_FIELDS", "register"]


#: The keys of each object printed by ``questions list --json``, and the table's columns.
LIST_FIELDS = ("id", "category", "difficulty", "rarity", "prompt")
_PROMPT_WIDTH = 72
_CHOICE_LETTERS = "ABCD"


def _bank() -> QuestionBank:
    """Built-in packs plus the configured custom directory."""
    return load_bank(load_settings().quizbot_questions_dir)


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


def _list(args: argparse.Namespace) -> int:
    bank = _bank()
    if args.category is not None and args.category not in bank.categories:
        allowed = ", ".join(bank.categories)
        print(f"unknown category {args.category!r}; choose from: {allowed}", file=sys.stderr)
        return 2
    if args.difficulty is not None and args.difficulty not in DIFFICULTIES:
        allowed = ", ".join(DIFFICULTIES)
        print(f"unknown difficulty {args.difficulty!r}; choose from: {allowed}", file=sys.stderr)
        return 2
    chosen = bank.select(category=args.category, difficulty=args.difficulty)
    rows = [{field: str(getattr(q, field)) for field in LIST_FIELDS} for q in chosen]
    if args.json:
        _print_json(rows)
    elif not rows:
        print("no questions match")
    else:
        for row in rows:
            row["prompt"] = _shorten(row["prompt"], _PROMPT_WIDTH)
        print(_table(rows))
    return 0


def _describe(question: Question) -> str:
    """A readable multi-line description of every field of ``question``."""
    lines = [
        f"{question.id}  ({question.category}, {question.difficulty}, {question.rarity})",
        "",
        f"Prompt: {question.prompt}",
        "",
        "Choices:",
    ]
    for letter, choice in zip(_CHOICE_LETTERS, question.choices, strict=False):
        mark = "*" if choice.correct else " "
        lines.append(f"  {mark} {letter}. {choice.text}")
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


def _sample_errors(path: Path, pack: Pack) -> list[str]:
    """One line per sample answer of ``pack`` graded outside its expected range."""
    errors = []
    for question in pack.questions:
        for sample in question.samples:
            grade = grade_text(question, sample.text).grade
            low, high = sample.expected
            if not low <= grade <= high:
                errors.append(
                    f"{path}: question {question.id!r}, sample {sample.label!r}: "
                    f"graded {grade:g}, expected {low:g}..{high:g}"
                )
    return errors


def _validate(args: argparse.Namespace) -> int:
    directory: Path | None = args.dir
    try:
        paths = builtin = pack_files(BUILTIN_PACKS_DIR)
        if directory is None:
            packs = load_packs(builtin)
        else:
            custom = pack_files(directory)
            if not custom:
                raise PackError(f"{directory}: no question packs (*.yaml) found")
            # loaded beside the built-ins, so a clashing id is reported too
            packs = load_packs([*builtin, *custom])[len(builtin) :]
            paths = custom
    except PackError as exc:
        print(f"invalid: {exc}")
        return 1
    errors = [
        e for path, pack in zip(paths, packs, strict=True) for e in _sample_errors(path, pack)
    ]
    if errors:
        for error in errors:
            print(f"invalid: {error}")
        return 1
    count = sum(len(pack.questions) for pack in packs)
    print(f"ok: {count} questions in {len(packs)} packs")
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

    listing = sub.add_parser("list", help="list questions (id, category, difficulty, ...)")
    listing.add_argument("--category", metavar="C", help="only this category")
    listing.add_argument("--difficulty", metavar="D", help="only easy, medium or hard")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=_list)

    show = sub.add_parser("show", help="everything about one question")
    show.add_argument("id", metavar="ID", help="question id, e.g. list-vs-tuple")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=_show)

    validate = sub.add_parser(
        "validate", help="check the packs and grade their sample answers; exit 1 on errors"
    )
    validate.add_argument(
        "dir", metavar="DIR", nargs="?", type=Path, default=None,
        help="a directory of custom packs (default: the built-in packs)",
    )  # fmt: skip
    validate.set_defaults(func=_validate)

    grade = sub.add_parser("grade", help="grade a free-text answer, print JSON")
    grade.add_argument("id", metavar="ID", help="question id")
    grade.add_argument("answer", metavar="ANSWER", help='the answer text ("-" reads stdin)')
    grade.set_defaults(func=_grade)

    from bot.commands.question_stats import add_stats  # question analytics
    from bot.commands.reports import add_actions  # disputes and reports (spaced repetition)

    add_actions(sub)
    add_stats(sub)
