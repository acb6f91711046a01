"""The free-text grader: negation, misconceptions, swaps, anti-gaming, typos, caps, robustness."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.grading import (
    KEYWORD_LIST_CAP,
    MAX_REPLY_CHARS,
    REQUIRED_CAP,
    GradeResult,
    grade_choice,
    grade_text,
)
from bot.engine.text_matching import stem
from questions.schema import Misconception, Question


def make_question(
    key_points: list[dict[str, Any]],
    misconceptions: list[dict[str, Any]] | None = None,
    *,
    prompt: str = "Explain this concept.",
    answer: str = "A model answer written as a proper sentence.",
    qid: str = "inline-question",
    sides: list[dict[str, Any]] | None = None,
) -> Question:
    """A small valid question; only the grading-related fields vary (samples are not graded)."""
    return Question.model_validate(
        {
            "id": qid,
            "category": "python",
            "difficulty": "easy",
            "rarity": "common",
            "prompt": prompt,
            "answer": answer,
            "explanation": "Why the answer is right.",
            "choices": [
                {"text": "right", "correct": True},
                {"text": "wrong one"},
                {"text": "wrong two"},
                {"text": "wrong three"},
            ],
            "key_points": key_points,
            "misconceptions": misconceptions or [],
            "samples": [
                {"label": label, "text": answer, "expected": [0.0, 1.0]}
                for label in ("full", "paraphrase", "partial", "wrong")
            ],
            "sides": sides or [],
        }
    )


LIST_TUPLE = make_question(
    [
        {
            "label": "lists are mutable",
            "phrases": ["lists are mutable", "a list can be changed"],
            "required": True,
        },
        {
            "label": "tuples are immutable",
            "phrases": ["tuples are immutable", "tuples cannot be changed"],
            "required": True,
        },
        {"label": "tuples are hashable", "phrases": ["tuples are hashable", "dict key"]},
    ],
    [
        {
            "phrases": ["tuples are mutable", "lists are immutable"],
            "correction": "It is the other way round: lists are mutable, tuples are immutable.",
        }
    ],
    prompt="How does a Python list differ from a tuple, and when would you use a tuple?",
    answer="Lists are mutable while tuples are immutable, so a tuple can be a dict key.",
)

IS_EQUALS = make_question(
    [
        {"label": "== compares values", "phrases": ["== compares values"], "required": True},
        {
            "label": "is checks identity",
            "phrases": ["is checks identity", "same object"],
            "required": True,
        },
    ],
    [{"phrases": ["is compares values"], "correction": "`is` checks identity, not values."}],
    prompt="What is the difference between the `is` operator and `==` in Python?",
)

IMMUTABLE = make_question(
    [{"label": "tuples cannot change", "phrases": ["tuples cannot be changed"]}]
)
MUTABLE = make_question([{"label": "tuples change", "phrases": ["tuples are mutable"]}])
DECORATOR = make_question([{"label": "no edits", "phrases": ["without modifying the function"]}])


def grade(question: Question, text: str) -> float:
    return grade_text(question, text).grade


# --------------------------------------------------------------------------- negation


@pytest.mark.parametrize(
    "text",
    [
        "tuples are not mutable",
        "a tuple isn't mutable",
        "tuples aren’t mutable at all",
        "tuples are never mutable",
        "tuples, unlike lists, are not mutable",
        "it is not true that tuples are mutable",
    ],
)
def test_negated_statement_does_not_match_positive_phrase(text: str) -> None:
    assert grade(MUTABLE, text) == 0.0


def test_positive_phrase_still_matches_plain_statement() -> None:
    assert grade(MUTABLE, "Tuples are mutable.") == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "tuples can't be changed",
        "tuples can not be changed",
        "tuples cannot be modified",
        "tuples cant be changed",
        "tuples can t be changed",
        "a tuple can never be altered",
        "there is no way to change a tuple",
        "you cannot change a tuple once it is built",
    ],
)
def test_negated_phrase_matches_negated_paraphrases(text: str) -> None:
    assert grade(IMMUTABLE, text) == 1.0


@pytest.mark.parametrize("text", ["tuples can be changed", "you can change tuples freely"])
def test_negated_phrase_does_not_match_positive_reply(text: str) -> None:
    assert grade(IMMUTABLE, text) == 0.0


def test_immutable_is_read_as_not_mutable() -> None:
    assert grade(LIST_TUPLE, "Lists are mutable, tuples are not mutable.") == pytest.approx(0.667)


def test_without_is_a_negation() -> None:
    assert grade(DECORATOR, "it wraps it without changing the function") == 1.0
    assert grade(DECORATOR, "it works by modifying the function") == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "is does not compare values, == does",
        "`is` doesn't compare values; it checks identity.",
        "is never compares values",
    ],
)
def test_negated_misconception_is_not_flagged(text: str) -> None:
    assert grade_text(IS_EQUALS, text).misconception is None


# --------------------------------------------------------------------------- misconceptions


@pytest.mark.parametrize(
    "text",
    [
        "is compares values and == compares identity",
        "The is operator compares the values of two variables.",
        "Basically `is` compares values.",
    ],
)
def test_misconception_zeroes_the_grade_and_gives_the_correction(text: str) -> None:
    result = grade_text(IS_EQUALS, text)
    assert result.grade == 0.0
    assert result.misconception == "`is` checks identity, not values."
    assert result.covered == ()
    assert result.missed == tuple(point.label for point in IS_EQUALS.key_points)


def test_misconception_phrase_in_another_clause_is_not_flagged() -> None:
    result = grade_text(IS_EQUALS, "== compares values, while is checks identity")
    assert result.misconception is None
    assert result.grade == 1.0


def test_correct_contrast_never_reads_as_the_misconception() -> None:
    for text in (
        "Lists are mutable, tuples are immutable.",
        "Lists are mutable and tuples are immutable.",
        "Lists are mutable, unlike tuples.",
        "Tuples, unlike lists, are immutable; lists can be changed.",
    ):
        assert grade_text(LIST_TUPLE, text).misconception is None, text


def test_misconception_in_the_passive_voice_is_flagged() -> None:
    result = grade_text(IS_EQUALS, "With `is`, the values are compared by is.")
    assert result.misconception is not None


def test_misconception_words_in_a_different_role_are_not_flagged() -> None:
    mvt = make_question(
        [{"label": "view is controller", "phrases": ["view does the logic"]}],
        [{"phrases": ["django view is the template"], "correction": "Views hold the logic."}],
    )
    mapping = "MVC view -> Django template, and the MVC controller -> Django view."
    assert grade_text(mvt, mapping).misconception is None
    assert grade_text(mvt, "The Django view is just the template.").misconception is not None


def test_vague_one_word_misconception_keeps_its_other_words() -> None:
    question = make_question(
        [{"label": "eager", "phrases": ["builds the whole list"]}],
        [{"phrases": ["it is lazy"], "correction": "A list comprehension is eager."}],
    )
    assert grade_text(question, "It is lazy.").misconception is not None
    eager = "It builds the whole list; only a generator expression is lazy."
    assert grade_text(question, eager).misconception is None


def test_repeated_phrase_words_need_repeated_reply_words() -> None:
    question = make_question([{"label": "copy.copy", "phrases": ["copy copy"]}])
    assert grade(question, "Use copy.copy for that.") == 1.0
    assert grade(question, "A deep copy is slower.") == 0.0


# --------------------------------------------------------------------------- swapped answers


@pytest.mark.parametrize(
    "text",
    [
        "lists are immutable and tuples are mutable",
        "Lists are immutable, tuples are mutable, so tuples make good dict keys.",
        "Tuples are mutable while lists are immutable.",
        "A tuple can be changed but a list cannot be changed.",
    ],
)
def test_swapped_answer_never_reaches_half(text: str) -> None:
    assert grade(LIST_TUPLE, text) < 0.5


def test_swapped_answer_scores_low_even_without_misconceptions() -> None:
    bare = LIST_TUPLE.model_copy(update={"misconceptions": []})
    assert grade(bare, "lists are immutable and tuples are mutable") < 0.5
    assert grade(bare, "Lists are immutable, tuples are mutable; both are dict keys.") < 0.5


# --------------------------------------------------------------------------- sides (subjects)

IS_EQUALS_SIDES = make_question(
    [
        {
            "label": "== compares values",
            "phrases": ["compares values", "equal values", "equality"],
            "required": True,
            "subject": "==",
        },
        {
            "label": "is checks identity",
            "phrases": ["identity", "same object"],
            "required": True,
            "subject": "is",
        },
        {"label": "None", "phrases": ["singleton", "is none"], "weight": 0.5},
    ],
    prompt="What is the difference between the `is` operator and `==` in Python?",
    sides=[
        {"name": "is", "terms": ["is", "is operator"]},
        {"name": "==", "terms": ["==", "== operator"]},
    ],
)

AUTH = make_question(
    [
        {
            "label": "authentication: who",
            "phrases": ["authentication", "who the caller is", "token"],
            "required": True,
            "subject": "authentication",
        },
        {
            "label": "authorization: what",
            "phrases": ["authorization", "permissions", "allowed to do"],
            "required": True,
            "subject": "authorization",
        },
    ],
    sides=[
        {"name": "authentication", "terms": ["authentication"]},
        {"name": "authorization", "terms": ["authorization"]},
    ],
)


@pytest.mark.parametrize(
    "text",
    [
        "== compares values, while is checks whether both names are the same object.",
        "The is operator checks identity; the == operator checks equality of values.",
        "`is` checks identity and `==` compares values.",
        "Use == to compare values; use is to check for the same object, like x is None.",
        "Two lists with equal values are == but not is, because is checks identity.",
        "is checks whether both are the same object, rather than whether they hold equal values.",
        "== compares values. is, on the other hand, checks for the same object.",
    ],
)
def test_points_stated_about_their_own_side_count(text: str) -> None:
    result = grade_text(IS_EQUALS_SIDES, text)
    assert result.misconception is None
    assert {"== compares values", "is checks identity"} <= set(result.covered), result


@pytest.mark.parametrize(
    "text",
    [
        "== tests whether two variables are the same object in memory; is tests whether their "
        "values are equal",
        "== is for identity, is is for equality",
        "is compares values and == checks whether they are the same object",
        "With ==, you check identity. With is, you check equality.",
    ],
)
def test_swapped_sides_grade_zero_and_say_so(text: str) -> None:
    result = grade_text(IS_EQUALS_SIDES, text)
    assert result.grade == 0.0
    assert result.misconception is not None and "swaps is and ==" in result.misconception
    assert result.covered == ()


def test_a_point_stated_about_the_other_side_does_not_count() -> None:
    result = grade_text(IS_EQUALS_SIDES, "== checks identity.")
    assert "is checks identity" not in result.covered
    assert result.grade == 0.0
    # ... and a clause with no subject inherits the one before it in the sentence
    result = grade_text(IS_EQUALS_SIDES, "== looks at where they live and checks identity")
    assert result.covered == ()


def test_the_verb_is_does_not_name_the_is_side() -> None:
    # "== is ..." is about ==; the second "is" is a verb, not the operator
    result = grade_text(IS_EQUALS_SIDES, "== is the operator that compares values.")
    assert result.covered == ("== compares values",)


def test_a_phrase_that_only_names_a_side_still_counts_but_cannot_hide_a_swap() -> None:
    assert grade(AUTH, "Add authentication and authorization.") == 1.0
    right = (
        "Authentication checks who the caller is; authorization checks what they are allowed to do."
    )
    assert grade(AUTH, right) == 1.0
    swapped = (
        "Authorization checks who the caller is with a token; authentication checks the "
        "permissions, what they are allowed to do."
    )
    result = grade_text(AUTH, swapped)
    assert result.grade == 0.0 and result.misconception is not None


def test_a_misconception_naming_one_side_does_not_fire_in_a_clause_about_the_other() -> None:
    question = IS_EQUALS_SIDES.model_copy(
        update={
            "misconceptions": [
                Misconception(phrases=["is compares values"], correction="is checks identity")
            ]
        }
    )
    # "the == is for compare the value": that clause is about ==, its "is" is a verb
    right = "The == is for compare the value, the is operator is compare if it is same object."
    result = grade_text(question, right)
    assert result.misconception is None
    assert {"== compares values", "is checks identity"} <= set(result.covered)
    wrong = grade_text(question, "The is operator compares values.")
    assert wrong.grade == 0.0 and wrong.misconception == "is checks identity"


def test_questions_without_sides_grade_as_before() -> None:
    plain = IS_EQUALS_SIDES.model_copy(update={"sides": []})
    text = "== checks identity; is compares values"
    assert grade_text(plain, text).misconception is None
    assert grade(plain, text) > 0.5  # why two-sided questions need sides


# --------------------------------------------------------------------------- anti-gaming


def test_repeating_the_prompt_earns_nothing() -> None:
    assert grade(LIST_TUPLE, LIST_TUPLE.prompt) == 0.0
    assert grade(IS_EQUALS, IS_EQUALS.prompt) == 0.0


def test_prompt_pasted_before_a_real_answer_still_grades_the_answer() -> None:
    text = f"{LIST_TUPLE.prompt} Lists are mutable and tuples are immutable."
    assert grade(LIST_TUPLE, text) == pytest.approx(0.667)


def test_prompt_words_copied_into_the_reply_do_not_count() -> None:
    question = make_question(
        [{"label": "identity", "phrases": ["is checks identity"], "required": True}],
        prompt="Why do people say that is checks identity in Python?",
    )
    assert grade(question, "Why do people say that is checks identity in Python?") == 0.0
    assert grade(question, "Because `is` checks identity, not equality.") == 1.0


def test_reply_echoing_the_prompt_vocabulary_is_capped() -> None:
    question = make_question(
        [{"label": "python list tuple", "phrases": ["python list tuple"]}],
        prompt="How does a Python list differ from a tuple?",
    )
    assert grade(question, "A Python list differs from a tuple, a list and a tuple.") <= 0.2


def test_bare_keyword_list_is_capped() -> None:
    assert grade(LIST_TUPLE, "mutable immutable lists tuples hashable dict key") <= KEYWORD_LIST_CAP


@pytest.mark.parametrize(
    "text",
    [
        "lists mutable, tuples immutable, hashable, dict key",
        "list mutable, tuple immutable -> tuple hashable so usable as dict key",
    ],
)
def test_terse_notes_stating_every_required_point_are_not_capped(text: str) -> None:
    assert grade(LIST_TUPLE, text) >= 0.75


@pytest.mark.parametrize(
    "text",
    [
        "Some say lists are mutable and tuples are immutable, but that's a myth.",
        "People think tuples are immutable. That is outdated: they are lists with round brackets.",
        "You may read that tuples are immutable, but actually you can change them like a list.",
    ],
)
def test_a_claim_reported_only_to_be_dismissed_earns_nothing(text: str) -> None:
    assert grade(LIST_TUPLE, text) < 0.5


def test_a_reported_claim_that_is_endorsed_still_counts() -> None:
    text = "As the docs say, lists are mutable and tuples are immutable, so tuples are hashable."
    assert grade(LIST_TUPLE, text) >= 0.75


TYPE_POINTS: list[dict[str, Any]] = [
    {"label": "numbers", "phrases": ["int", "float"]},
    {"label": "collections", "phrases": ["list", "dict"]},
]


def test_keyword_cap_spares_questions_whose_model_answer_is_a_list() -> None:
    types = make_question(TYPE_POINTS, answer="Numbers: int, float. Collections: list, dict.")
    assert grade(types, "int, float, list, dict") == 1.0


def test_a_grouping_point_keeps_a_bare_list_below_full_marks() -> None:
    grouping = {"label": "grouped", "phrases": ["numbers", "collections"]}
    types = make_question(
        [*TYPE_POINTS, grouping], answer="Numbers: int, float. Collections: list, dict."
    )
    assert grade(types, "int float list dict") == pytest.approx(0.667)
    assert grade(types, "Numbers: int, float. Collections: list, dict.") == 1.0


def test_short_one_word_answer_is_not_a_keyword_list() -> None:
    planet = make_question([{"label": "mars", "phrases": ["mars"], "required": True}])
    assert grade(planet, "Mars.") == 1.0


# --------------------------------------------------------------------------- typos, paraphrase


@pytest.mark.parametrize(
    "text",
    [
        "lists are mutble and tupels are imutable, so tuples can be a dict key",
        "Lists are mutable whereas tuples are immutible; a tuple can be a dictionary key.",
        "LISTS ARE MUTABLE — TUPLES ARE IMMUTABLE — TUPLES CAN BE DICT KEYS",
    ],
)
def test_typos_and_formatting_are_tolerated(text: str) -> None:
    assert grade(LIST_TUPLE, text) == 1.0


def test_typo_tolerance_never_turns_a_word_into_its_opposite() -> None:
    # "mutable" is one edit away from "imutable" but must not count as "immutable"
    assert grade(MUTABLE, "tuples are imutable") == 0.0
    assert grade(LIST_TUPLE, "tuples are mutable") == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "A list can be modified in place; a tuple can't be changed, so it works as a dict key.",
        "Mutable lists, immutable tuples: you can use tuples as dict keys.",
        "Once built, tuples cannot be altered, whereas a list can be changed any time. Being "
        "hashable, tuples work as a dict key.",
    ],
)
def test_paraphrases_and_word_order_earn_credit(text: str) -> None:
    assert grade(LIST_TUPLE, text) >= 0.8


def test_words_far_apart_do_not_combine_into_a_phrase() -> None:
    text = "Tuples are sequences that support indexing, slicing, iteration and being hashable."
    assert "tuples are immutable" not in grade_text(LIST_TUPLE, text).covered


# --------------------------------------------------------------------------- weights and caps


def test_partial_credit_is_the_covered_weight() -> None:
    result = grade_text(LIST_TUPLE, "Lists are mutable, tuples are immutable.")
    assert result.grade == pytest.approx(0.667)
    assert result.covered == ("lists are mutable", "tuples are immutable")
    assert result.missed == ("tuples are hashable",)


def test_missing_a_required_point_caps_the_grade() -> None:
    question = make_question(
        [
            {"label": "core", "phrases": ["core idea"], "required": True},
            {"label": "extra one", "phrases": ["first detail"], "weight": 3},
            {"label": "extra two", "phrases": ["second detail"], "weight": 3},
        ]
    )
    assert grade(question, "It has a first detail and a second detail.") <= REQUIRED_CAP
    assert grade(question, "The core idea, a first detail, a second detail.") == 1.0


def test_missing_every_required_point_caps_lower() -> None:
    question = make_question(
        [
            {"label": "a", "phrases": ["alpha thing"], "required": True},
            {"label": "b", "phrases": ["beta thing"], "required": True},
            {"label": "c", "phrases": ["gamma thing"], "weight": 10},
        ]
    )
    assert grade(question, "There is a gamma thing here.") == 0.25
    assert grade(question, "There is a gamma thing and an alpha thing.") == 0.5


def test_empty_and_irrelevant_answers_score_zero() -> None:
    for text in ("", "   ", "I don't know", "🤷", "pass"):
        result = grade_text(LIST_TUPLE, text)
        assert result.grade == 0.0
        assert result.covered == ()
        assert result.misconception is None


def test_grade_choice() -> None:
    assert grade_choice(LIST_TUPLE, 0) == GradeResult(grade=1.0)
    assert grade_choice(LIST_TUPLE, 3).grade == 0.0


def test_rubric_cache_is_per_question_object() -> None:
    first = make_question([{"label": "x", "phrases": ["alpha beta"]}], qid="same-id")
    second = make_question([{"label": "x", "phrases": ["gamma delta"]}], qid="same-id")
    assert grade(first, "alpha beta") == 1.0
    assert grade(second, "alpha beta") == 0.0
    assert grade(second, "gamma delta") == 1.0


def test_grading_is_deterministic() -> None:
    text = "Lists are mutable; tuples cannot be changed and work as dict keys."
    assert grade_text(LIST_TUPLE, text) == grade_text(LIST_TUPLE, text)


def test_huge_answers_are_bounded() -> None:
    text = "lists are mutable and tuples are immutable " * 50_000
    start = time.perf_counter()
    result = grade_text(LIST_TUPLE, text)
    assert time.perf_counter() - start < 0.5
    assert 0.0 <= result.grade <= 1.0
    assert grade(LIST_TUPLE, "x" * MAX_REPLY_CHARS + " lists are mutable") == 0.0


# --------------------------------------------------------------------------- properties

_WORDS = [
    "lists", "tuples", "are", "is", "not", "never", "mutable", "immutable", "can't", "be",
    "changed", "dict", "key", "hashable", "==", "compares", "values", "identity", "same",
    "object", "and", "but", ",", ".", ";", "(", ")", "unlike", "mutble", "without", "n't",
]  # fmt: skip
_QUESTIONS = [LIST_TUPLE, IS_EQUALS, IMMUTABLE, MUTABLE, DECORATOR]


def _check(result: GradeResult, question: Question) -> None:
    assert 0.0 <= result.grade <= 1.0
    assert result.grade == round(result.grade, 3)
    labels = [point.label for point in question.key_points]
    assert sorted([*result.covered, *result.missed]) == sorted(labels)
    if result.misconception is not None:
        assert result.grade == 0.0


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(max_size=600), index=st.integers(0, len(_QUESTIONS) - 1))
def test_arbitrary_text_never_crashes(text: str, index: int) -> None:
    question = _QUESTIONS[index]
    _check(grade_text(question, text), question)


@settings(max_examples=300, deadline=None, database=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=80),
    index=st.integers(0, len(_QUESTIONS) - 1),
)
def test_rubric_vocabulary_soup_never_crashes(words: list[str], index: int) -> None:
    question = _QUESTIONS[index]
    _check(grade_text(question, " ".join(words)), question)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=st.text(min_size=3_000, max_size=6_000))
def test_long_arbitrary_text_never_crashes(text: str) -> None:
    _check(grade_text(LIST_TUPLE, text), LIST_TUPLE)


def test_a_ceiling_says_why_it_held_the_grade_down() -> None:
    capped = grade_text(LIST_TUPLE, "Tuples are immutable, so a tuple can be a dict key.")
    assert capped.grade == REQUIRED_CAP
    assert capped.cap is not None and "central point is missing" in capped.cap
    assert "lists are mutable" in capped.cap
    assert grade_text(LIST_TUPLE, "Lists are mutable, tuples are immutable.").cap is None


def test_an_imperative_think_or_a_plain_actually_denies_nothing() -> None:
    plain = "Lists are mutable and tuples are immutable."
    text = "Think of it this way: lists are actually mutable and tuples are immutable."
    assert grade(LIST_TUPLE, text) == grade(LIST_TUPLE, plain) > REQUIRED_CAP


# --------------------------------------------------------------------------- code evidence

DECO_CODE = make_question(
    [
        {
            "label": "takes and returns a function",
            "phrases": ["takes a function", "returns a wrapper"],
            "required": True,
        },
        {
            "label": "shorthand for f = deco(f)",
            "phrases": ["syntactic sugar", "shorthand"],
            "code": [r"\b(\w+)\s*=\s*[\w.]+\(\s*\1\s*\)"],
        },
        {
            "label": "int converter",
            "phrases": ["converts to an int"],
            "code": [r"<int:\w+>"],
        },
    ],
    prompt="What does `@something` above a `def` do?",
)


@pytest.mark.parametrize(
    "text",
    [
        "It takes a function: f = deco(f).",
        "It takes a function, so @timer means func = timer(func)",
        "It takes a function; load = functools.cache( load )",
    ],
)
def test_a_code_pattern_covers_its_point(text: str) -> None:
    result = grade_text(DECO_CODE, text)
    assert "shorthand for f = deco(f)" in result.covered, result


@pytest.mark.parametrize(
    "text",
    [
        "It takes a function, f = deco(g).",  # another name: not the rebinding
        "It takes a function and returns another one.",
    ],
)
def test_code_that_does_not_fit_the_pattern_earns_nothing(text: str) -> None:
    assert "shorthand for f = deco(f)" not in grade_text(DECO_CODE, text).covered


def test_code_is_read_as_written_not_as_words() -> None:
    # the route converter survives: no tokenising, only casefolding and ASCII quotes
    result = grade_text(DECO_CODE, '@app.route("/users/<INT:user_id>")')
    assert "int converter" in result.covered
    assert "int converter" not in grade_text(DECO_CODE, "an int user id").covered


def test_code_evidence_still_meets_the_required_cap() -> None:
    result = grade_text(DECO_CODE, "f = deco(f) and @app.route('/u/<int:uid>')")
    assert result.grade <= REQUIRED_CAP
    assert result.cap is not None


def test_a_code_pattern_that_is_not_a_regular_expression_is_refused() -> None:
    with pytest.raises(ValueError, match="not a regular expression"):
        make_question([{"label": "x", "phrases": ["x"], "code": ["(unclosed"]}])


# --------------------------------------------------------------------------- stemming


@pytest.mark.parametrize(
    ("noun", "adjective"),
    [("statelessness", "stateless"), ("correctness", "correct"), ("usefulness", "useful")],
)
def test_an_adjectives_ness_noun_stems_like_the_adjective(noun: str, adjective: str) -> None:
    assert stem(noun) == stem(adjective)


@pytest.mark.parametrize(("word", "other"), [("business", "busy"), ("witness", "wit")])
def test_other_ness_words_keep_their_ending(word: str, other: str) -> None:
    assert stem(word) != stem(other)


def test_statelessness_states_a_stateless_point() -> None:
    rest = make_question([{"label": "stateless", "phrases": ["stateless"], "required": True}])
    assert grade(rest, "Statelessness of every request.") == 1.0
