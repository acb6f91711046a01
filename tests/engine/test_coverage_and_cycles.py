"""No repeats within a channel's cycle (quiz and daily rounds alike) and coverage in /stats."""

from __future__ import annotations

import random

from bot.engine.drawing import draw_question
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from questions.loader import QuestionBank
from storage.store import Store
from tests.conftest import FakeClock

TEAM = Team("console", "team-a")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")


async def test_quiz_and_daily_rounds_share_the_channels_cycle(
    engine: QuizEngine, clock: FakeClock
) -> None:
    bank_size = len(engine.bank)
    drawn = []
    for number in range(3 * bank_size):
        kind = "daily" if number % 2 else "quiz"
        card = await engine.start_round(GENERAL, None, kind=kind, closes_at=clock() + 60)
        await engine.close_round(TEAM, card.round_id)
        drawn.append(card.question_id)
    cycles = [drawn[i : i + bank_size] for i in range(0, len(drawn), bank_size)]
    assert all(sorted(cycle) == sorted(q.id for q in engine.bank) for cycle in cycles)


def test_a_question_comes_back_only_once_its_filter_has_all_been_drawn(bank: QuestionBank) -> None:
    questions = list(bank)
    uses = {questions[0].id: 2, questions[1].id: 1}  # drawn more often by other filters
    rng = random.Random(0)
    drawn = []
    for _ in range(2 * len(questions) + 1):
        question = draw_question(questions, uses, rng)
        drawn.append(question.id)
        uses[question.id] = uses.get(question.id, 0) + 1
    assert drawn[0] == questions[2].id  # the least drawn first...
    assert sorted(drawn[1:3]) == sorted(q.id for q in questions[1:])  # ...then the next least
    assert sorted(drawn[3:6]) == sorted(q.id for q in questions)  # then whole cycles


async def test_stats_count_each_question_answered_at_least_once(engine: QuizEngine) -> None:
    assert (await engine.stats(ALICE)).bank_size == len(engine.bank)  # no answers yet
    answered = set()
    for _ in range(2):  # the same question twice counts once
        card = await engine.start_round(GENERAL, ALICE, category="alpha", difficulty="easy")
        await engine.answer(ALICE, card.round_id, choice="A")
        await engine.close_round(TEAM, card.round_id)
        answered.add(card.question_id)
    review = await engine.start_review(ALICE)
    await engine.answer(ALICE, review.round_id, text="an answer in my own words")
    answered.add(review.question_id)
    stats = await engine.stats(ALICE)
    assert (stats.seen, stats.bank_size) == (len(answered), len(engine.bank)) == (2, 3)
    assert (await engine.stats(BOB)).seen == 0


async def test_questions_gone_from_the_bank_do_not_count(
    engine: QuizEngine, store: Store, bank: QuestionBank, clock: FakeClock
) -> None:
    for category in ("alpha", "beta"):
        card = await engine.start_round(GENERAL, ALICE, category=category)
        await engine.answer(ALICE, card.round_id, choice="A")
        await engine.close_round(TEAM, card.round_id)
    smaller = QuestionBank([pack for pack in bank.packs if pack.category == "alpha"])
    stats = await QuizEngine(store, smaller, clock=clock).stats(ALICE)
    assert (stats.seen, stats.bank_size) == (1, 2)
