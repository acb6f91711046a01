"""Properties of the adaptive difficulty: within the bank's range, never a question twice."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.interviews import (
    STRONG,
    WEAK,
    interview_questions,
    levels_of,
    next_level,
    pick_question,
)
from questions.schema import DIFFICULTIES
from tests.interviews.support import builtin_bank

BANK = builtin_bank()
CATEGORY_SETS = [(c,) for c in BANK.categories] + [BANK.categories]

grades = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    categories=st.sampled_from(CATEGORY_SETS),
    start=st.sampled_from(DIFFICULTIES),
    answers=st.lists(grades, max_size=14),
    seed=st.integers(0, 2**32),
)
def test_a_session_stays_in_range_and_never_repeats(
    categories: tuple[str, ...], start: str, answers: list[float], seed: int
) -> None:
    candidates = interview_questions(BANK, categories)
    levels = levels_of(candidates)
    rng = random.Random(seed)
    asked: list[str] = []
    per_category: dict[str, int] = {}
    level = start
    for grade in answers:
        question = pick_question(candidates, set(asked), level, per_category, rng)
        if question is None:
            assert len(asked) == len(candidates)
            break
        assert question.id not in asked and question.category in categories
        assert question.difficulty in levels
        asked.append(question.id)
        per_category[question.category] = per_category.get(question.category, 0) + 1
        level = next_level(question.difficulty, grade, levels)
        assert level in levels


@given(level=st.sampled_from(DIFFICULTIES), grade=grades)
def test_strong_answers_never_lower_and_weak_never_raise(level: str, grade: float) -> None:
    levels = DIFFICULTIES
    after = DIFFICULTIES.index(next_level(level, grade, levels))
    before = DIFFICULTIES.index(level)
    if grade >= STRONG:
        assert after == min(before + 1, 2)
    elif grade < WEAK:
        assert after == max(before - 1, 0)
    else:
        assert after == before


@given(
    levels=st.sets(st.sampled_from(DIFFICULTIES), min_size=1),
    level=st.sampled_from(DIFFICULTIES),
    grade=grades,
)
def test_next_level_is_one_the_bank_has(levels: set[str], level: str, grade: float) -> None:
    ordered = tuple(d for d in DIFFICULTIES if d in levels)
    assert next_level(level, grade, ordered) in ordered  # type: ignore[arg-type]
