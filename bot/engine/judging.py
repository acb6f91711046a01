"""Grading a free-text answer with the optional judge, the rubric keeping the last word on
what it can prove.

The judge (a :class:`~bot.engine.ports.Judge`, e.g. a language model) is asked only about
free-text answers to concept questions: never about multiple choice, never about ``output``
questions (their answer is compared exactly). A reply the rubric proves wrong -- it states a
known misconception, or swaps the two sides of a two-sided question -- stays at 0 and the judge
is not asked. Otherwise the judge's grade, key-point statuses and one line of feedback replace
the rubric's; when the judge gives no verdict, the rubric's grade stands.
"""

from __future__ import annotations

from bot.engine.grading import GradeResult
from bot.engine.ports import Judge
from questions.schema import Question

__all__ = ["judged"]


async def judged(
    judge: Judge | None, question: Question, reply: str, rubric: GradeResult
) -> GradeResult:
    """The grade of free-text ``reply``: the judge's verdict where it may overrule ``rubric``."""
    if judge is None or question.type == "output" or rubric.misconception is not None:
        return rubric
    verdict = await judge.judge(question, reply)
    if verdict is None:
        return rubric
    return GradeResult(
        grade=round(max(0.0, min(1.0, verdict.grade)), 3),
        covered=verdict.covered,
        missed=verdict.missed,
        contradicted=verdict.contradicted,
        note=verdict.feedback,
    )
