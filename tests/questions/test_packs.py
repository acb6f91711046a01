"""The shipped question packs: valid, complete, and every sample graded inside its range."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.engine.grading import grade_text
from bot.engine.text_matching import code_text
from questions.loader import BUILTIN_PACKS_DIR, load_bank, load_pack, pack_files
from questions.schema import SAMPLE_LABELS, Question, Sample
from tests.conftest import TEST_PACKS

SEED_CATEGORIES = ("backend", "python", "web")
#: The questions that contrast two things; each must declare its two ``sides``.
TWO_SIDED = {
    "any-vs-object",
    "args-kwargs",
    "asyncio-create-task",
    "asyncio-gather-vs-taskgroup",
    "concurrency-vs-parallelism",
    "django-migrations",
    "django-n-plus-one",  # select_related vs prefetch_related
    "django-vs-flask",
    "is-vs-equals",
    "list-vs-tuple",
    "mock-vs-magicmock-autospec",
    "mvc-vs-mvt",
    "protocol-vs-abc",
    "securing-an-api",  # authentication vs authorization
    "shallow-vs-deep-copy",
    "sql-vs-nosql",
    "unit-vs-integration-tests",
}
TWO_SIDED |= {  # http-apis, sql and caching-queues packs
    "cache-aside-vs-write-through",
    "celery-broker-vs-result-backend",
    "fastapi-async-vs-sync-endpoints",
    "http-401-vs-403",
    "http-caching-vs-application-caching",
    "http-content-type-vs-accept",
    "http-offset-vs-cursor-pagination",
    "http-put-vs-patch",
    "http-safe-and-idempotent-methods",
    "message-queue-vs-pubsub",
    "redis-persistence-rdb-vs-aof",
    "sql-inner-vs-left-join",
    "sql-primary-vs-foreign-key",
    "sql-union-vs-union-all",
    "sql-where-vs-having",
    "sql-window-functions",
}

#: The seed's questions keep their ids: players' history and review cards refer to them.
SEED_IDS = {
    "backend": {
        "sql-vs-nosql", "what-is-an-api", "rest-principles", "http-status-codes",
        "database-indexing", "acid-properties", "docker-basics", "unit-testing", "git-basics",
        "securing-an-api",
    },
    "python": {
        "list-vs-tuple", "is-vs-equals", "decorators", "args-kwargs", "list-comprehensions",
        "generators-yield", "memory-management", "global-interpreter-lock",
        "shallow-vs-deep-copy", "builtin-data-types",
    },
    "web": {
        "django-vs-flask", "mvc-vs-mvt", "django-orm", "django-migrations", "flask-routing",
        "flask-blueprints", "django-middleware", "flask-sessions", "django-settings",
        "django-csrf",
    },
}  # fmt: skip

BANK = load_bank()
ALL_QUESTIONS = sorted(BANK, key=lambda question: question.id)
#: Questions answered in one's own words and graded by their rubric (not code-reading ones).
QUESTIONS = [question for question in ALL_QUESTIONS if question.type == "concept"]
TWO_SIDED_QUESTIONS = [question for question in QUESTIONS if question.sides]
TEST_BANK = load_bank(builtin_dir=TEST_PACKS)


def _sample_cases(questions: list[Question] = QUESTIONS) -> list[pytest.ParameterSet]:
    """One case per sample, named ``question-id/label`` (numbered when a label repeats)."""
    cases = []
    for question in questions:
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
    assert len(pack.questions) >= 10
    # python.yaml, or python-output.yaml for more of the same category
    assert path.stem == pack.category or path.stem.startswith(f"{pack.category}-")


def test_the_seed_questions_keep_their_ids_and_categories() -> None:
    for category, ids in SEED_IDS.items():
        assert category in SEED_CATEGORIES
        for question_id in ids:
            assert BANK.get(question_id).category == category


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: q.id)
def test_every_question_links_its_source(question: Question) -> None:
    assert question.source is not None, f"{question.id}: no source link"


def test_every_category_has_easy_medium_and_hard_questions() -> None:
    levels: dict[str, set[str]] = {}
    for question in BANK:
        levels.setdefault(question.category, set()).add(question.difficulty)
    assert set(SEED_CATEGORIES) <= set(levels)
    for category, found in levels.items():
        assert found == {"easy", "medium", "hard"}, f"{category}: only {sorted(found)}"
    hard = Counter(question.category for question in BANK if question.difficulty == "hard")
    assert all(hard[category] >= 3 for category in SEED_CATEGORIES)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_has_samples_of_every_kind(question: Question) -> None:
    assert question.key_points, "a built-in concept question has a free-text rubric"
    assert len(question.samples) >= 4
    assert {sample.label for sample in question.samples} >= set(SAMPLE_LABELS)


def test_the_two_sided_questions_declare_their_sides() -> None:
    declared = {question.id for question in TWO_SIDED_QUESTIONS}
    assert declared >= TWO_SIDED
    assert declared >= {question.id for question in QUESTIONS if "-vs-" in question.id}
    for question in TWO_SIDED_QUESTIONS:
        subjects = {point.subject for point in question.key_points} - {None}
        assert subjects, f"{question.id}: no key point names a side"


@pytest.mark.parametrize("question", TWO_SIDED_QUESTIONS, ids=lambda q: q.id)
def test_two_sided_question_has_a_swapped_sample(question: Question) -> None:
    swapped = [sample for sample in question.samples if sample.label == "swapped"]
    assert swapped
    assert all(sample.expected == (0.0, 0.2) for sample in swapped)


def swap_sides(question: Question, text: str) -> str:
    """``text`` with the two sides' terms exchanged (the n-th term of one for the n-th of the
    other, or its first), e.g. ``is`` <-> ``==`` -- a swapped answer in the answer's words."""
    first, second = question.sides
    mapping: dict[str, str] = {}
    for source, target in ((first, second), (second, first)):
        for n, term in enumerate(source.terms):
            replacement = target.terms[n] if n < len(target.terms) else target.terms[0]
            mapping.setdefault(term.casefold(), replacement)
    terms = "|".join(re.escape(term) for term in sorted(mapping, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{terms})(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda match: mapping[match.group(0).casefold()], text)


def _full_samples_of_two_sided() -> list[pytest.ParameterSet]:
    return [
        pytest.param(question, sample, id=f"{question.id}/{n}")
        for question in TWO_SIDED_QUESTIONS
        for n, sample in enumerate(s for s in question.samples if s.label == "full")
    ]


@pytest.mark.parametrize(("question", "sample"), _full_samples_of_two_sided())
def test_full_answer_with_its_sides_swapped_fails(question: Question, sample: Sample) -> None:
    swapped = swap_sides(question, sample.text)
    assert swapped != sample.text
    result = grade_text(question, swapped)
    assert result.grade < 0.5, f"{swapped!r} graded {result.grade}, covered {result.covered}"


def test_swap_sides_exchanges_whole_terms_only() -> None:
    question = BANK.get("args-kwargs")
    assert swap_sides(question, "*args is a tuple, **kwargs a dict") == (
        "*kwargs is a tuple, **args a dict"
    )


@pytest.mark.parametrize(
    ("qid", "text"),
    [
        (
            "is-vs-equals",
            "== tests whether two variables are the same object in memory; is tests whether "
            "their values are equal",
        ),
        ("is-vs-equals", "== is for identity, is is for equality"),
        (
            "shallow-vs-deep-copy",
            "copy.deepcopy only copies the top level and shares nested objects; copy.copy "
            "recursively copies all nested objects",
        ),
    ],
)
def test_audited_swaps_fail_even_without_misconception_phrases(qid: str, text: str) -> None:
    question = BANK.get(qid)
    assert grade_text(question, text).grade == 0.0
    bare = question.model_copy(update={"misconceptions": []})
    result = grade_text(bare, text)
    assert result.grade == 0.0
    assert result.misconception is not None and "swaps" in result.misconception


def test_bare_list_of_types_is_not_full_marks() -> None:
    question = BANK.get("builtin-data-types")
    bare = "int float complex str list tuple range dict set frozenset bool None bytes"
    result = grade_text(question, bare)
    assert 0.1 <= result.grade < 0.5  # every type, but not grouped by kind: the central point
    assert result.missed == ("Groups the types by kind, not just a bare list of names",)
    assert grade_text(question, question.answer).grade == 1.0
    grouped = "Numbers are int and float; str is the text type; dict is the mapping."
    assert grade_text(question, grouped).grade >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "byte, short, int, long, float, double, char, boolean and String",  # Java
        "Primitive types are int, double and char, plus String and arrays.",  # Java
        "string, number, bigint, boolean, undefined, null, symbol and object",  # JavaScript
        "Numbers and strings, booleans, objects and arrays, plus null and undefined.",
        "int, char, float, double, short and long, signed or unsigned",  # C
    ],
)
def test_another_languages_types_are_not_pythons(text: str) -> None:
    assert grade_text(BANK.get("builtin-data-types"), text).grade < 0.5


@pytest.mark.parametrize(("question", "sample"), _sample_cases())
def test_sample_grades_inside_its_expected_range(question: Question, sample: Sample) -> None:
    result = grade_text(question, sample.text)
    low, high = sample.expected
    assert low <= result.grade <= high, (
        f"graded {result.grade}, expected {low}..{high}; covered={result.covered}, "
        f"missed={result.missed}, misconception={result.misconception!r}"
    )


@pytest.mark.parametrize(
    ("question", "sample"), _sample_cases(sorted(TEST_BANK, key=lambda q: q.id))
)
def test_test_pack_sample_grades_inside_its_expected_range(
    question: Question, sample: Sample
) -> None:
    low, high = sample.expected
    assert low <= grade_text(question, sample.text).grade <= high


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_model_answer_is_not_a_misconception(question: Question) -> None:
    result = grade_text(question, question.answer)
    assert result.misconception is None
    assert result.grade >= 0.5


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_prompt_repeated_as_answer_earns_nothing(question: Question) -> None:
    assert grade_text(question, question.prompt).grade <= 0.2


def test_the_bank_lasts_a_year() -> None:
    assert len(BANK) >= 150
    assert sum(question.difficulty == "hard" for question in BANK) >= 30
    assert sum(question.type == "output" for question in BANK) >= 25


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if any(kp.code for kp in q.key_points)], ids=lambda q: q.id
)
def test_code_patterns_do_not_match_the_prompt(question: Question) -> None:
    prompt = code_text(question.prompt)
    matching = [p for kp in question.key_points for p in kp.code if re.search(p, prompt)]
    assert not matching, f"code patterns found in the prompt: {matching}"
