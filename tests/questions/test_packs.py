"""The shipped question packs: valid, complete, and every sample graded inside its range."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.engine.grading import grade_text
from questions.loader import BUILTIN_PACKS_DIR, load_bank, load_pack, pack_files
from questions.schema import Question, Sample

SEED_CATEGORIES = ("backend", "python", "web")
SAMPLE_LABELS = {"full", "paraphrase", "partial", "wrong"}

BANK = load_bank()
QUESTIONS = sorted(BANK, key=lambda question: question.id)


def _sample_cases() -> list[pytest.ParameterSet]:
    """One case per sample, named ``question-id/label`` (numbered when a label repeats)."""
    cases = []
    for question in QUESTIONS:
        seen: Counter[str] = Counter()
        for sample in question.samples:
            seen[sample.label] += 1
            name = f"{question.id}/{sample.label}"
            if seen[sample.label] > 1:
                name += f"-{seen[sample.label]}"
            cases.append(pytest.param(question, sample, id=name))
    return cases


@pytest.mark.parametrize("path", pack_files(BUILTIN_PACKS_DIR), ids=lambda path: path.name)
def test_every_shipped_pack_validates(path: Path) -> None:
    pack = load_pack(path)
    assert len(pack.questions) == 10
    assert pack.category == path.stem


def test_bank_has_the_thirty_seed_questions() -> None:
    assert len(BANK) == 30
    assert BANK.categories == SEED_CATEGORIES
    counts = Counter(question.category for question in BANK)
    assert counts == dict.fromkeys(SEED_CATEGORIES, 10)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_has_samples_of_every_kind(question: Question) -> None:
    assert len(question.samples) >= 4
    assert {sample.label for sample in question.samples} >= SAMPLE_LABELS


@pytest.mark.parametrize(("question", "sample"), _sample_cases())
def test_sample_grades_inside_its_expected_range(question: Question, sample: Sample) -> None:
    result = grade_text(question, sample.text)
    low, high = sample.expected
    assert low <= result.grade <= high, (
        f"graded {result.grade}, expected {low}..{high}; covered={result.covered}, "
        f"missed={result.missed}, misconception={result.misconception!r}"
    )


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_model_answer_is_not_a_misconception(question: Question) -> None:
    result = grade_text(question, question.answer)
    assert result.misconception is None
    assert result.grade >= 0.5


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_prompt_repeated_as_answer_earns_nothing(question: Question) -> None:
    assert grade_text(question, question.prompt).grade <= 0.2
