"""Grading a free-text answer with the optional judge, the rubric keeping the last word on
what it can prove.

The judge (a :class:`~bot.engine.ports.Judge`, e.g. a language model) is asked only about
free-text answers to concept questions: never about multiple choice, never about ``output``
questions (their answer is compared exactly). A reply the rubric proves wrong -- it states a
known misconception, or swaps the two sides of a two-sided question -- stays at 0 and the judge
is not asked. Otherwise the judge's grade, key-point statuses and one line of feedback replace
the rubric's; when the judge gives no verdict, the rubric's grade stands.

The judge is not waited for past the round's close: an answer that arrived in time is not
refused because its verdict came late; it keeps the rubric's grade instead.
"""

from __future__ import annotations

import asyncio
import logging

from bot.engine.grading import GradeResult
from bot.engine.ports import Judge, JudgeVerdict
from questions.schema import Question

__all__ = ["judged"]

log = logging.getLogger(__name__)


async def judged(
    judge: Judge | None,
    question: Question,
    reply: str,
    rubric: GradeResult,
    *,
    within_s: float | None = None,
) -> GradeResult:
    """The grade of free-text ``reply``: the judge's verdict where it may overrule ``rubric``.

    ``within_s`` bounds the wait (the seconds left before the round closes).
    """
    if judge is None or question.type == "output" or rubric.misconception is not None:
        return rubric
    verdict = await _verdict(judge, question, reply, within_s)
    if verdict is None:
        return rubric
    return GradeResult(
        grade=round(max(0.0, min(1.0, verdict.grade)), 3),
        covered=verdict.covered,
        missed=verdict.missed,
        contradicted=verdict.contradicted,
        note=verdict.feedback,
    )


async def _verdict(
    judge: Judge, question: Question, reply: str, within_s: float | None
) -> JudgeVerdict | None:
    try:
        async with asyncio.timeout(within_s):
            return await judge.judge(question, reply)
    except TimeoutError:
        log.warning(
            "judge: no verdict before the round closes; question %s graded by the rubric",
            question.id,
        )
        return None
