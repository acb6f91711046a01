"""Choice-only and output questions in the engine: which modes ask them, how they are graded.

A real SQLite store and the test packs plus ``tests/data/kinds`` (output questions and a
choice-only one, category ``code``).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bot.engine.engine import QuizEngine
from bot.engine.errors import AnswerRejectedError, QuizError
from bot.engine.model import Channel, Player, QuestionCard, Team
from questions.loader import QuestionBank, load_bank
from storage.store import Store
from tests.conftest import TEST_PACKS, FakeClock

KINDS = Path(__file__).parents[1] / "data" / "kinds"
TEAM = Team("console", "team-a")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")
CHOICE_ONLY = "code-choice-only-join"


@pytest.fixture
def kinds_bank() -> QuestionBank:
    return load_bank(KINDS, builtin_dir=TEST_PACKS)


@pytest.fixture
def engine(store: Store, kinds_bank: QuestionBank, clock: FakeClock) -> QuizEngine:
    return QuizEngine(store, kinds_bank, clock=clock, rng=random.Random(3), round_seconds=60)


async def ask(engine: QuizEngine, **options: str) -> QuestionCard:
    """Start a round in #general and close it at once; its card."""
    card = await engine.start_round(GENERAL, ALICE, **options)
    await engine.close_round(TEAM, card.round_id)
    return card


async def test_open_mode_never_draws_a_choice_only_question(engine: QuizEngine) -> None:
    drawn = {(await ask(engine, category="code", mode="open")).question_id for _ in range(9)}
    assert drawn == {"code-sorted-copy", "code-fence-in-output", "code-mro-name"}
    chosen = {(await ask(engine, category="code", mode="choice")).question_id for _ in range(4)}
    assert CHOICE_ONLY in chosen


async def test_open_mode_with_only_choice_only_questions_left_is_refused_clearly(
    engine: QuizEngine,
) -> None:
    with pytest.raises(QuizError) as refused:
        await engine.start_round(GENERAL, ALICE, category="code", difficulty="medium", mode="open")
    assert refused.value.message == (
        "The questions matching those options are multiple choice only; "
        "ask for multiple choice, or use fewer filters."
    )
    assert await engine.current_round(GENERAL) is None


async def test_open_review_skips_choice_only_questions(engine: QuizEngine) -> None:
    choice = await engine.start_round(GENERAL, ALICE, category="code", difficulty="medium")
    if choice.question_id != CHOICE_ONLY:  # make the choice-only question a due card
        await engine.close_round(TEAM, choice.round_id)
        choice = await engine.start_round(GENERAL, ALICE, category="code", difficulty="medium")
    assert choice.question_id == CHOICE_ONLY
    await engine.answer(ALICE, choice.round_id, choice="A")
    for _ in range(8):
        review = await engine.start_review(ALICE)
        assert review.mode == "open" and review.question_id != CHOICE_ONLY
        await engine.answer(ALICE, review.round_id, text="an answer")


async def test_open_review_of_a_bank_of_choice_only_questions_is_refused(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    pack = yaml.safe_load((KINDS / "code.yaml").read_text(encoding="utf-8"))
    pack["questions"] = [q for q in pack["questions"] if q["id"] == CHOICE_ONLY]
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "code.yaml").write_text(yaml.safe_dump(pack), encoding="utf-8")
    bank = load_bank(builtin_dir=tmp_path / "packs")
    engine = QuizEngine(store, bank, clock=clock, rng=random.Random(1))
    with pytest.raises(QuizError) as refused:
        await engine.start_review(ALICE)
    assert refused.value.message == (
        "Every question is multiple choice only; ask /review for multiple choice."
    )
    assert (await engine.start_review(ALICE, mode="choice")).question_id == CHOICE_ONLY


async def output_round(engine: QuizEngine, question_id: str, mode: str) -> QuestionCard:
    """Start rounds of category code in ``mode`` until ``question_id`` comes up."""
    for _ in range(4):
        card = await engine.start_round(GENERAL, ALICE, category="code", mode=mode)
        if card.question_id == question_id:
            return card
        await engine.close_round(TEAM, card.round_id)
    raise AssertionError(f"{question_id} was never drawn")


async def test_an_output_question_card_carries_its_code_and_outputs(engine: QuizEngine) -> None:
    card = await output_round(engine, "code-sorted-copy", "choice")
    question = engine.bank.get("code-sorted-copy")
    assert card.code == question.code
    assert sorted(card.choices) == sorted(c.text for c in question.choices)
    letter = "ABCD"[card.choices.index("[3, 1, 2] [1, 2, 3]")]
    feedback = await engine.answer(ALICE, card.round_id, choice=letter)
    assert feedback.correct and feedback.grade == 1.0
    assert feedback.output == "[3, 1, 2] [1, 2, 3]"
    reveal = await engine.close_round(TEAM, card.round_id)
    assert reveal.output == "[3, 1, 2] [1, 2, 3]" and reveal.correct_letter == letter


async def test_a_typed_output_is_graded_exactly_after_normalising_white_space(
    engine: QuizEngine,
) -> None:
    card = await output_round(engine, "code-fence-in-output", "open")
    assert card.choices == () and card.code is not None
    right = await engine.answer(ALICE, card.round_id, text="\n```python   \ndone\n\n")
    assert right.correct and right.grade == 1.0 and right.points > 0
    assert right.output == "```python\ndone\n"
    wrong = await engine.answer(BOB, card.round_id, text="```python done")
    assert wrong.verdict == "wrong" and wrong.grade == 0.0 and wrong.points == 0
    assert wrong.output == right.output


async def test_a_lone_letter_answers_an_output_question_but_not_a_concept_one(
    engine: QuizEngine,
) -> None:
    card = await output_round(engine, "code-mro-name", "open")
    lower = await engine.answer(BOB, card.round_id, text="b")
    assert lower.grade == 0.0  # exact: the output is "B"
    upper = await engine.answer(ALICE, card.round_id, text="B")
    assert upper.correct and upper.your_answer == "B"
    await engine.close_round(TEAM, card.round_id)
    concept = await engine.start_round(GENERAL, ALICE, category="alpha", mode="open")
    with pytest.raises(AnswerRejectedError, match="in your own words"):
        await engine.answer(ALICE, concept.round_id, text="B")
    with pytest.raises(AnswerRejectedError, match="exact output"):
        await engine.answer(ALICE, card.round_id, choice="B")
