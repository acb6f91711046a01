"""The topic packs (testing, async, typing): balanced difficulties, sourced, fully rubricated."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from questions.loader import BUILTIN_PACKS_DIR, load_pack
from questions.schema import DIFFICULTIES, Question

TOPIC_PACKS = ("testing", "async", "typing")
MAX_EXPLANATION_CHARS = 1_000


def _questions() -> list[Question]:
    return [
        question
        for name in TOPIC_PACKS
        for question in load_pack(BUILTIN_PACKS_DIR / f"{name}.yaml").questions
    ]


@pytest.mark.parametrize("name", TOPIC_PACKS)
def test_topic_pack_has_four_questions_per_difficulty(name: str) -> None:
    pack = load_pack(BUILTIN_PACKS_DIR / f"{name}.yaml")
    assert Counter(question.difficulty for question in pack.questions) == dict.fromkeys(
        DIFFICULTIES, 4
    )


@pytest.mark.parametrize("question", _questions(), ids=lambda q: q.id)
def test_topic_question_is_complete(question: Question) -> None:
    assert question.source is not None
    assert question.answer is not None
    assert question.key_points and any(point.required for point in question.key_points)
    assert all(choice.why_wrong for choice in question.choices if not choice.correct)
    assert re.search(r"```python\n", question.explanation)
    assert len(question.explanation) <= MAX_EXPLANATION_CHARS
