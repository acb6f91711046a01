"""Checking a question's code: an output question's ``code`` must exit 0 printing its
``output``, the same on every run; every runnable example of its explanation must exit 0.

An output question's code runs :data:`OUTPUT_RUNS` times, each in a new interpreter with its own
string-hash seed, so an output that depends on set order, the time or memory addresses is
caught (most of the time) rather than marked wrong for some players.

``quizbot questions validate`` and the tests check the same way: :func:`code_checks` lists what
to run, :func:`run_checks` runs it all concurrently (:func:`questions.snippets.run_snippet`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from questions.schema import Question, normalise_output
from questions.snippets import Limits, RunResult, run_snippet, runnable_examples

__all__ = ["OUTPUT_RUNS", "CodeCheck", "code_checks", "run_checks"]

#: How many times an output question's code is run (an example runs once).
OUTPUT_RUNS = 3
_SHOWN_OUTPUT = 120


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """One piece of a question's code to run: where it is, and what it must print (if anything)."""

    question_id: str
    field: str  # "code", or "explanation" for an example
    code: str
    output: str | None = None  # an output question's output
    example: int = 0  # the example's number (1, 2...) in the explanation

    @property
    def where(self) -> str:
        """``question 'ID', field 'F'`` (plus the example's number)."""
        example = f" (example {self.example})" if self.example else ""
        return f"question {self.question_id!r}, field {self.field!r}{example}"

    @property
    def runs(self) -> int:
        """How many times it runs: :data:`OUTPUT_RUNS` for an output, once for an example."""
        return OUTPUT_RUNS if self.output is not None else 1

    def problem(self, results: Sequence[RunResult]) -> str | None:
        """Why ``results`` (one per run) fail this check, in one line; None when they pass."""
        failed = next((result for result in results if not result.ok), None)
        if failed is not None:
            return failed.failure()
        if self.output is None:
            return None
        printed = list(dict.fromkeys(normalise_output(result.stdout) for result in results))
        if len(printed) > 1:
            shown = " / ".join(_shown(text) for text in printed)
            return (
                f"prints differently from run to run ({shown}); its output must not depend "
                "on set order, the time or memory addresses"
            )
        if printed[0] != normalise_output(self.output):
            return f"prints {_shown(printed[0])}, but its output says {_shown(self.output)}"
        return None


def _shown(text: str) -> str:
    flat = repr(normalise_output(text))
    return flat if len(flat) <= _SHOWN_OUTPUT else flat[: _SHOWN_OUTPUT - 3] + "..."


def code_checks(question: Question) -> list[CodeCheck]:
    """What to run for ``question``: its ``code`` (if an output question), then its examples."""
    checks = []
    if question.code is not None:
        checks.append(CodeCheck(question.id, "code", question.code, question.output))
    for number, code in enumerate(runnable_examples(question.explanation), start=1):
        checks.append(CodeCheck(question.id, "explanation", code, example=number))
    return checks


async def run_checks(
    checks: Sequence[CodeCheck],
    *,
    jobs: int | None = None,
    limits: Limits | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[tuple[CodeCheck, str]]:
    """Run ``checks``, ``jobs`` at a time (default: the CPU count): each failure and its problem.

    ``on_done(done, total)`` is called after each one. Cancelling stops every running snippet.
    """
    gate = asyncio.Semaphore(jobs or os.cpu_count() or 1)
    done = 0

    async def run(check: CodeCheck) -> str | None:
        nonlocal done
        async with gate:
            results = [await run_snippet(check.code, limits) for _ in range(check.runs)]
        done += 1
        if on_done is not None:
            on_done(done, len(checks))
        return check.problem(results)

    problems = await asyncio.gather(*(run(check) for check in checks))
    return [(check, p) for check, p in zip(checks, problems, strict=True) if p is not None]
