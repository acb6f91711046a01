"""Benchmark the free-text grader: ``python -m benchmarks.grading [--quick]``.

Grades every sample answer of every shipped question many times and prints the p50, p99 and
maximum time per answer in milliseconds; the last line is a JSON object
``{"grade_p50_ms": ..., "grade_p99_ms": ...}`` for scripts to parse.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Sequence

from bot.engine.grading import grade_text
from questions.loader import load_bank
from questions.schema import Question

__all__ = ["main", "run"]


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the (sorted) values fall."""
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def run(quick: bool = False) -> dict[str, float]:
    """Time ``grade_text`` on every shipped sample; return p50/p99/max in milliseconds."""
    cases: list[tuple[Question, str]] = [
        (question, sample.text) for question in load_bank() for sample in question.samples
    ]
    if not cases:
        raise SystemExit("no sample answers to benchmark")
    rounds = 5 if quick else 50
    for question, text in cases:  # warm-up: compile every rubric once
        grade_text(question, text)
    gc.collect()
    timings: list[float] = []
    clock = time.perf_counter
    for _ in range(rounds):
        for question, text in cases:
            start = clock()
            grade_text(question, text)
            timings.append((clock() - start) * 1000.0)
    timings.sort()
    return {
        "grade_p50_ms": round(statistics.median(timings), 4),
        "grade_p99_ms": round(_percentile(timings, 0.99), 4),
        "grade_max_ms": round(timings[-1], 4),
        "answers": float(len(timings)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grading", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(f"graded {int(result['answers'])} answers")
    print(f"p50 {result['grade_p50_ms']:.4f} ms")
    print(f"p99 {result['grade_p99_ms']:.4f} ms")
    print(f"max {result['grade_max_ms']:.4f} ms")
    summary = {"grade_p50_ms": result["grade_p50_ms"], "grade_p99_ms": result["grade_p99_ms"]}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
