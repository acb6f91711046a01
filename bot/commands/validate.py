"""``quizbot questions validate [DIR] [--no-run]``: every problem of every pack, in one run.

Checks, in order, and reports all that fail (one line each, naming file, question and field;
the valid questions of a pack that does not load are still checked by 2 and 3):

1. the schema of every pack, and question ids unique across packs (DIR's packs are loaded
   beside the built-in ones, so an id clashing with a built-in one is reported too);
2. every sample answer grades inside its ``expected`` range;
3. unless ``--no-run``: every output question's ``code`` exits 0 printing its ``output``, and
   every runnable example (a ```` ```python ```` block) of an explanation exits 0. Snippets run
   concurrently and isolated (:mod:`questions.snippets`), with a progress line on stderr when
   it is a terminal; Ctrl-C stops them all.

Exit codes: 0 valid, 1 problems found, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.commands.groups import Subparsers
from bot.engine.grading import grade_text
from questions.code_checks import code_checks, run_checks
from questions.loader import (
    BUILTIN_PACKS_DIR,
    PackError,
    pack_files,
    read_packs,
    valid_questions,
)
from questions.schema import Question

__all__ = ["add_validate", "validate"]


Checked = list[tuple[Path, Question]]


def _sample_problems(checked: Checked) -> list[str]:
    """One line per sample answer graded outside its expected range."""
    problems = []
    for path, question in checked:
        for sample in question.samples:
            grade = grade_text(question, sample.text).grade
            low, high = sample.expected
            if not low <= grade <= high:
                problems.append(
                    f"{path}: question {question.id!r}, sample {sample.label!r}: "
                    f"graded {grade:g}, expected {low:g}..{high:g}"
                )
    return problems


def _paths(directory: Path | None) -> tuple[list[Path], list[Path]]:
    """(every pack file to load, the ones to check): built-ins, plus DIR's packs to check."""
    builtin = pack_files(BUILTIN_PACKS_DIR)
    if directory is None or directory.resolve() == BUILTIN_PACKS_DIR.resolve():
        return builtin, builtin
    custom = pack_files(directory)
    if not custom:
        raise PackError(f"{directory}: no question packs (*.yaml) found")
    return [*builtin, *custom], custom


class _Progress:
    """``running code: 3/40`` rewritten in place on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.shown:
            print(f"\rrunning code: {done}/{total}", end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _code_problems(checked: Checked, jobs: int | None) -> list[str]:
    """Run every output question's code and every runnable example; one line per failure."""
    checks = [(path, check) for path, question in checked for check in code_checks(question)]
    progress = _Progress()
    try:
        failures = asyncio.run(run_checks([c for _, c in checks], jobs=jobs, on_done=progress))
    finally:
        progress.clear()
    file_of = {id(check): path for path, check in checks}
    return [f"{file_of[id(check)]}: {check.where}: {problem}" for check, problem in failures]


def _questions(paths: list[Path], to_check: list[Path]) -> tuple[Checked, int, list[str]]:
    """(the questions to check further, how many packs loaded, every schema problem).

    The questions of a pack that does not load are checked too when they are valid on their
    own, so that one run reports everything.
    """
    loaded, problems = read_packs(paths)
    packs = {path: pack for path, pack in loaded}
    checked: Checked = []
    for path in to_check:
        questions = packs[path].questions if path in packs else valid_questions(path)
        checked += [(path, question) for question in questions]
    return checked, len([path for path in to_check if path in packs]), problems


def validate(args: argparse.Namespace) -> int:
    """Print every problem of the packs (``invalid: ...``) or ``ok: N questions in M packs``."""
    try:
        paths, to_check = _paths(args.dir)
    except PackError as exc:
        print(f"invalid: {exc}")
        return 1
    checked, pack_count, problems = _questions(paths, to_check)
    problems += _sample_problems(checked)
    if not args.no_run:
        try:
            problems += _code_problems(checked, args.jobs)
        except KeyboardInterrupt:
            print("interrupted: every running snippet was stopped", file=sys.stderr)
            return 130
    for problem in problems:
        print(f"invalid: {problem}")
    if problems:
        return 1
    print(f"ok: {len(checked)} questions in {pack_count} packs")
    return 0


def _jobs(value: str) -> int:
    """A ``--jobs`` value: a whole number of at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def add_validate(sub: Subparsers) -> None:
    """Add the ``validate`` action to the ``questions`` group."""
    parser = sub.add_parser(
        "validate",
        help="check the packs: schema, sample grades, and that their code runs; exit 1 on errors",
    )
    parser.add_argument(
        "dir", metavar="DIR", nargs="?", type=Path, default=None,
        help="a directory of custom packs (default: the built-in packs)",
    )  # fmt: skip
    parser.add_argument(
        "--no-run", action="store_true", help="do not run output questions' code and examples"
    )
    parser.add_argument(
        "--jobs", type=_jobs, metavar="N", default=None,
        help="snippets run at a time (default: the CPU count)",
    )  # fmt: skip
    parser.set_defaults(func=validate)
