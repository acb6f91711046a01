"""Grading replies: exact for multiple choice, rubric-based with partial credit for free text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from questions.schema import Question

__all__ = ["GradeResult", "grade_choice", "grade_text"]


@dataclass(frozen=True, slots=True)
class GradeResult:
    """The outcome of grading one reply.

    ``grade`` is in 0..1; ``covered``/``missed`` are key-point labels; ``misconception`` is the
    correction to show when the reply stated a known misconception (the grade is then 0).
    """

    grade: float
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    misconception: str | None = None


def grade_choice(question: Question, choice_index: int) -> GradeResult:
    """Grade a multiple-choice reply given as an index into ``question.choices`` (file order)."""
    correct = choice_index == question.correct_index
    return GradeResult(grade=1.0 if correct else 0.0)


_WORD = re.compile(r"[a-z0-9_]+")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def grade_text(question: Question, text: str) -> GradeResult:
    """Grade a free-text reply against the question's key points and misconceptions."""
    reply = f" {_normalise(text)} "
    for misconception in question.misconceptions:
        if any(f" {_normalise(p)} " in reply for p in misconception.phrases):
            labels = tuple(kp.label for kp in question.key_points)
            return GradeResult(0.0, (), labels, misconception.correction)
    covered: list[str] = []
    missed: list[str] = []
    earned = 0.0
    total = sum(kp.weight for kp in question.key_points)
    for point in question.key_points:
        if any(f" {_normalise(p)} " in reply for p in point.phrases):
            covered.append(point.label)
            earned += point.weight
        else:
            missed.append(point.label)
    return GradeResult(round(earned / total, 3), tuple(covered), tuple(missed))
