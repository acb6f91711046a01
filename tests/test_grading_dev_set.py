"""The grading development set stays usable: labelled, big enough, about shipped questions."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.grading_quality import LABELS, auc, evaluate, load_cases, summarise
from questions.loader import load_bank


def test_every_answer_is_labelled_and_names_a_shipped_question() -> None:
    cases = load_cases()
    bank = load_bank()
    per_question = Counter(case.question_id for case in cases)
    assert len(cases) >= 360
    assert all(question_id in bank for question_id in per_question)
    assert min(per_question.values()) >= 12
    assert {case.label for case in cases} == set(LABELS)
    # the halves alternate within each question, starting with tune
    holdout = Counter(case.question_id for case in cases if case.split == "holdout")
    assert all(holdout[qid] == count // 2 for qid, count in per_question.items())


def test_auc_counts_ties_half() -> None:
    assert auc([1.0, 0.8], [0.0, 0.8]) == pytest.approx(0.875)
    assert auc([], [0.1]) is None


def test_summary_flags_swapped_or_denied_answers_graded_half_or_more() -> None:
    graded = [(case, 0.6) for case in load_cases() if case.kind == "swapped"][:2]
    assert summarise(graded)["tricked"] == 2


def test_evaluate_reports_every_figure_by_split_and_kind() -> None:
    result = evaluate()
    assert result["quality_answers"] == len(load_cases())
    assert set(result["quality_holdout"]) == set(result["quality_tune"])
    assert "good/terse" in result["quality_by_kind"]
    assert 0.0 <= result["quality_auc_good_wrong"] <= 1.0
