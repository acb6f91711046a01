"""No misconception phrase of a built-in question matches that question's correct wording.

A misconception zeroes the grade, so a phrase that also fits a right answer is the worst kind
of unfairness. Every phrase is checked on its own against the question's reference answer, its
correct choice, and its ``full`` and ``paraphrase`` samples.
"""

from __future__ import annotations

import pytest

from bot.engine.grading import grade_text
from questions.loader import load_bank
from questions.schema import Misconception, Question

QUESTIONS = sorted(
    (question for question in load_bank() if question.misconceptions),
    key=lambda question: question.id,
)
CORRECT_LABELS = ("full", "paraphrase")


def correct_wordings(question: Question) -> list[tuple[str, str]]:
    """(where, text) of every statement of the question known to be right."""
    texts = [("reference answer", question.reference_answer)]
    texts.append(("correct choice", question.choices[question.correct_index].text))
    texts += [(f"{s.label} sample", s.text) for s in question.samples if s.label in CORRECT_LABELS]
    return texts


def with_one_misconception(question: Question, phrase: str) -> Question:
    """The question with ``phrase`` as its only misconception phrase."""
    only = Misconception(phrases=[phrase], correction="flagged")
    return question.model_copy(update={"misconceptions": [only]})


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question.id)
def test_no_misconception_phrase_matches_correct_wording(question: Question) -> None:
    flagged = [
        f"{phrase!r} matches the {where}: {text!r}"
        for misconception in question.misconceptions
        for phrase in misconception.phrases
        for where, text in correct_wordings(question)
        if grade_text(with_one_misconception(question, phrase), text).misconception == "flagged"
    ]
    assert not flagged, "\n".join(flagged)


def test_the_check_catches_a_phrase_that_fits_the_model_answer() -> None:
    question = load_bank().get("list-vs-tuple")
    texts = [text for _, text in correct_wordings(question)]
    probe = with_one_misconception(question, "tuples are immutable")
    assert any(grade_text(probe, text).misconception == "flagged" for text in texts)
