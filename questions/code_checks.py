"""Checking a question's code: an output question's ``code`` must exit 0 printing its
``output``; every runnable example of its explanation must exit 0.

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

__all__ = ["CodeCheck", "code_checks", "run_checks"]

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

    def problem(self, result: RunResult) -> str | None:
        """Why ``result`` fails this check, in one line; None when it passes."""
        if not result.ok:
            return result.failure()
        if self.output is not None and not result.prints(self.output):
            printed = normalise_output(result.stdout)
            return f"prints {_shown(printed)}, but its output says {_shown(self.output)}"
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
            result = await run_snippet(check.code, limits)
        done += 1
        if on_done is not None:
            on_done(done, len(checks))
        return check.problem(result)

    problems = await asyncio.gather(*(run(check) for check in checks))
    return [(check, p) for check, p in zip(checks, problems, strict=True) if p is not None]
