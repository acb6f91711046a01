"""How fair is the free-text grader? ``python -m benchmarks.grading_quality [--split S]``.

Grades the labelled development set in ``benchmarks/grading_dev/`` (realistic answers to the
shipped questions, each labelled ``good``, ``part`` or ``wrong`` by what a fair interviewer
would accept, and tagged with a ``kind``: terse, code, paraphrase, swapped, denied ...) and
prints how well the grades separate the labels:

* ``auc_good_wrong`` / ``auc_part_wrong`` -- the chance that a random good (partial) answer
  grades above a random wrong one (ties count half);
* ``good_pass`` -- the share of good answers graded 0.75 or more (counted correct);
* ``wrong_half`` -- the share of wrong answers graded 0.5 or more;
* ``tricked`` -- swapped or denied answers graded 0.5 or more (should be none).

Every answer sits in one of two halves, alternating within each question: ``tune`` (look at
these while improving the rubric) and ``holdout`` (judge on these only). The figures are printed
for both and overall, then by kind; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.engine.grading import grade_text
from questions.loader import QuestionBank, load_bank

__all__ = ["DEV_SET_DIR", "Case", "auc", "evaluate", "load_cases", "main", "run", "summarise"]

DEV_SET_DIR = Path(__file__).resolve().parent / "grading_dev"
LABELS = ("good", "part", "wrong")
PASS = 0.75
HALF = 0.5
Split = Literal["tune", "holdout"]


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled answer to one question."""

    question_id: str
    label: str
    kind: str
    text: str
    split: Split


def load_cases(directory: Path = DEV_SET_DIR) -> list[Case]:
    """Every labelled answer of the development set, in file order."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        data: dict[str, list[dict[str, str]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for question_id, answers in data.items():
            for index, answer in enumerate(answers):
                if answer["label"] not in LABELS:
                    raise ValueError(f"{path}: {question_id}: unknown label {answer['label']!r}")
                split: Split = "tune" if index % 2 == 0 else "holdout"
                cases.append(
                    Case(question_id, answer["label"], answer["kind"], answer["text"], split)
                )
    return cases


def auc(higher: Sequence[float], lower: Sequence[float]) -> float | None:
    """P(a random ``higher`` value > a random ``lower`` one), ties counting half."""
    if not higher or not lower:
        return None
    wins = sum(1.0 if h > w else 0.5 if h == w else 0.0 for h in higher for w in lower)
    return wins / (len(higher) * len(lower))


def _share(values: Iterable[bool]) -> float | None:
    flags = list(values)
    return sum(flags) / len(flags) if flags else None


def summarise(graded: Sequence[tuple[Case, float]]) -> dict[str, Any]:
    """The figures of the module docstring for these graded cases."""
    by_label: dict[str, list[float]] = defaultdict(list)
    for case, grade in graded:
        by_label[case.label].append(grade)
    return {
        "answers": len(graded),
        "auc_good_wrong": auc(by_label["good"], by_label["wrong"]),
        "auc_part_wrong": auc(by_label["part"], by_label["wrong"]),
        "good_pass": _share(g >= PASS for g in by_label["good"]),
        "wrong_half": _share(g >= HALF for g in by_label["wrong"]),
        "tricked": sum(
            1 for case, grade in graded if case.kind in ("swapped", "denied") and grade >= HALF
        ),
    }


def _by_kind(graded: Sequence[tuple[Case, float]]) -> dict[str, dict[str, Any]]:
    """Per (label, kind): how many, the mean grade, and the share passing its label's bar."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for case, grade in graded:
        groups[(case.label, case.kind)].append(grade)
    table: dict[str, dict[str, Any]] = {}
    for (label, kind), grades in sorted(groups.items()):
        table[f"{label}/{kind}"] = {
            "n": len(grades),
            "mean": sum(grades) / len(grades),
            "ok": _share(_fair(label, g) for g in grades),
        }
    return table


def _fair(label: str, grade: float) -> bool:
    """Whether a grade fits its label: good passes, part earns some but not full credit,
    wrong stays under half."""
    if label == "good":
        return grade >= PASS
    if label == "part":
        return 0.1 <= grade < PASS
    return grade < HALF


def evaluate(bank: QuestionBank | None = None) -> dict[str, Any]:
    """Grade the development set; the overall, per-split and per-kind figures."""
    bank = bank or load_bank()
    cases = load_cases()
    missing = sorted({c.question_id for c in cases if c.question_id not in bank})
    graded = [
        (case, grade_text(bank.get(case.question_id), case.text).grade)
        for case in cases
        if case.question_id in bank
    ]
    result: dict[str, Any] = {
        **{f"quality_{k}": v for k, v in summarise(graded).items()},
        "quality_tune": summarise([g for g in graded if g[0].split == "tune"]),
        "quality_holdout": summarise([g for g in graded if g[0].split == "holdout"]),
        "quality_by_kind": _by_kind(graded),
    }
    if missing:
        result["notes"] = [f"development set names unknown questions: {', '.join(missing)}"]
    return result


def run(quick: bool = False) -> dict[str, Any]:
    """The overall figures and the held-out AUC, for ``python -m benchmarks``."""
    result = evaluate()
    figures = {k: v for k, v in result.items() if not isinstance(v, dict)}
    figures["quality_holdout_auc_good_wrong"] = result["quality_holdout"]["auc_good_wrong"]
    return figures


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures, the per-kind table and, last, one JSON line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.grading_quality", description=__doc__
    )
    parser.add_argument("--kinds", action="store_true", help="print the per-kind table too")
    args = parser.parse_args(argv)
    result = evaluate()
    keys = ("answers", "auc_good_wrong", "auc_part_wrong", "good_pass", "wrong_half", "tricked")
    print(f"{'figure':<16} {'all':>8} {'tune':>8} {'holdout':>8}")
    for key in keys:
        row = [result[f"quality_{key}"], result["quality_tune"][key]]
        row.append(result["quality_holdout"][key])
        print(f"{key:<16} " + " ".join(f"{_fmt(v):>8}" for v in row))
    if args.kinds:
        print(f"\n{'label/kind':<24} {'n':>4} {'mean':>6} {'ok':>6}")
        for name, row in result["quality_by_kind"].items():
            print(f"{name:<24} {row['n']:>4} {_fmt(row['mean']):>6} {_fmt(row['ok']):>6}")
    for note in result.pop("notes", []):
        print(f"note: {note}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
