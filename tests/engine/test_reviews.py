"""Spaced repetition: FSRS scheduling, the due queue, /review, self-assessment and reports."""

from __future__ import annotations

import random

import pytest
from fsrs import Card, Rating

from bot.engine.engine import QuizEngine
from bot.engine.errors import InvalidOptionError, QuizError
from bot.engine.grading import GradeResult
from bot.engine.model import Channel, Player, Team
from bot.engine.reviews import (
    DAY,
    CardScheduler,
    category_weights,
    pick_unseen,
    rating_for,
)
from bot.engine.scoring import REVIEW_POINTS, review_points
from questions.loader import QuestionBank
from storage.review_store import ReviewStore
from tests.conftest import FakeClock

TEAM = Team("console", "t1")
ALICE = Player(TEAM, "alice", "Alice")
GENERAL = Channel(TEAM, "general", "general")


def right_letter(engine: QuizEngine, card_choices: tuple[str, ...], question_id: str) -> str:
    question = engine.bank.get(question_id)
    return "ABCD"[card_choices.index(question.choices[question.correct_index].text)]


async def card_of(engine: QuizEngine, player: Player, question_id: str) -> Card:
    team_pk = await engine.store.team_pk(player.team.platform, player.team.team_id)
    found = await engine.store.find_player(team_pk, player.user_id)
    assert found is not None
    row = await ReviewStore(engine.store).card(found[0], question_id)
    assert row is not None
    return Card.from_json(row.card)


# -- pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "grade", "misconception", "expected"),
    [
        ("choice", 0.0, None, Rating.Again),
        ("choice", 1.0, None, Rating.Good),
        ("open", 0.0, None, Rating.Again),
        ("open", 0.5, None, Rating.Hard),
        ("open", 0.74, None, Rating.Hard),
        ("open", 0.75, None, Rating.Good),
        ("open", 1.0, None, Rating.Good),
        ("open", 0.6, "Venus is pale", Rating.Again),
    ],
)
def test_rating_mapping(
    mode: str, grade: float, misconception: str | None, expected: Rating
) -> None:
    result = GradeResult(grade=grade, misconception=misconception)
    assert rating_for(mode, result) == expected


def test_review_points_are_small_and_documented() -> None:
    assert REVIEW_POINTS == 20
    assert [review_points(g) for g in (0.0, 0.5, 0.75, 1.0)] == [0, 10, 15, 20]


def test_intervals_grow_after_good_and_collapse_after_again() -> None:
    scheduler = CardScheduler()
    now = 1_764_000_000.0
    card = scheduler.new_card(1, now)
    intervals = []
    for _ in range(4):
        card = scheduler.review(card, Rating.Good, now)
        intervals.append(card.due.timestamp() - now)
        now = card.due.timestamp()
    assert intervals == sorted(intervals) and intervals[0] >= DAY
    assert intervals[-1] > 10 * intervals[0]
    card = scheduler.review(card, Rating.Again, now)
    assert card.due.timestamp() - now < intervals[-1] / 10  # collapses to a few days


def test_card_json_round_trips() -> None:
    scheduler = CardScheduler()
    card = scheduler.review(scheduler.new_card(42, 1_764_000_000.0), Rating.Hard, 1_764_000_000.0)
    again = Card.from_json(card.to_json())
    assert again.to_dict() == card.to_dict()
    assert again.due.tzinfo is not None


def test_unseen_draw_favours_the_weakest_category(bank: QuestionBank) -> None:
    weights = category_weights(["alpha", "beta"], {"alpha": (4, 0), "beta": (4, 4)})
    assert weights == {"alpha": 5.0, "beta": 1.0}
    rng = random.Random(3)
    picks = [
        pick_unseen(list(bank), set(), {"alpha": (4, 0), "beta": (4, 4)}, rng) for _ in range(600)
    ]
    alpha = sum(1 for q in picks if q is not None and q.category == "alpha")
    assert alpha > 450  # ~5/6 expected
    assert pick_unseen(list(bank), {q.id for q in bank}, {}, rng) is None


# -- through the engine ----------------------------------------------------------------------


async def test_every_answer_updates_the_card_in_its_transaction(
    engine: QuizEngine, clock: FakeClock
) -> None:
    card = await engine.start_round(GENERAL, ALICE, category="beta")
    feedback = await engine.answer(
        ALICE, card.round_id, choice=right_letter(engine, card.choices, card.question_id)
    )
    assert feedback.rating == "good" and feedback.kind == "quiz"
    fsrs_card = await card_of(engine, ALICE, "beta-medium")
    assert fsrs_card.due.timestamp() - clock() >= DAY
    team_pk = await engine.store.team_pk("console", "t1")
    player_pk, _ = await engine.store.find_player(team_pk, "alice") or (0, "")
    row = await ReviewStore(engine.store).card(player_pk, "beta-medium")
    assert row is not None and row.reviews == 1
    assert await ReviewStore(engine.store).review_log(row.id) == [(3, 3, clock(), False)]


async def test_due_queue_serves_unseen_questions_before_repeats(
    engine: QuizEngine, clock: FakeClock
) -> None:
    served = []
    for _ in range(3):  # nothing due yet: each review is a question never seen
        review = await engine.start_review(ALICE)
        assert review.kind == "review" and review.mode == "open" and review.choices == ()
        served.append(review.question_id)
        await engine.answer(ALICE, review.round_id, text="Mars, because of iron oxide")
    assert sorted(served) == sorted(q.id for q in engine.bank)
    counts = await engine.due_counts(ALICE)
    assert counts.now == 0 and counts.week >= 1


async def test_review_queue_order_follows_due_dates(engine: QuizEngine, clock: FakeClock) -> None:
    order = []
    for _ in range(3):
        review = await engine.start_review(ALICE)
        order.append(review.question_id)
        await engine.answer(ALICE, review.round_id, text="nothing")
        clock.advance(600)
    clock.advance(10 * DAY)
    served = []
    for _ in range(3):
        review = await engine.start_review(ALICE)
        served.append(review.question_id)
        await engine.answer(ALICE, review.round_id, text="nothing")
    assert served == order


async def test_open_review_round_is_reused_until_answered(engine: QuizEngine) -> None:
    first = await engine.start_review(ALICE)
    again = await engine.start_review(ALICE)
    assert again.round_id == first.round_id
    feedback = await engine.answer(ALICE, first.round_id, text="Mars, rusty iron oxide")
    assert feedback.kind == "review"
    assert (await engine.start_review(ALICE)).round_id != first.round_id


async def test_review_points_and_private_close(engine: QuizEngine, clock: FakeClock) -> None:
    review = await engine.start_review(ALICE, mode="choice")
    letter = right_letter(engine, review.choices, review.question_id)
    feedback = await engine.answer(ALICE, review.round_id, choice=letter)
    assert feedback.points == REVIEW_POINTS
    clock.advance(3600)
    assert await engine.close_due_rounds() == []  # review rounds close silently
    board = await engine.leaderboard(TEAM, period="all")
    assert board.rows[0].points == REVIEW_POINTS


async def test_self_assessment_replays_the_review(engine: QuizEngine, clock: FakeClock) -> None:
    review = await engine.start_review(ALICE)
    feedback = await engine.answer(ALICE, review.round_id, text="no idea")
    assert feedback.rating == "again"
    before = (await card_of(engine, ALICE, review.question_id)).due.timestamp()
    rated = await engine.rate_review(ALICE, review.round_id, "Easy")
    after = await card_of(engine, ALICE, review.question_id)
    assert rated.rating == "easy" and after.due.timestamp() == rated.due_at > before
    assert rated.interval_days > 1
    stats = await engine.stats(ALICE)
    assert stats.points == 0  # points keep the automatic grade
    rerated = await engine.rate_review(ALICE, review.round_id, "again")
    assert (await card_of(engine, ALICE, review.question_id)).due.timestamp() == before
    assert rerated.due_at == before
    with pytest.raises(InvalidOptionError):
        await engine.rate_review(ALICE, review.round_id, "perfect")


async def test_rating_refused_for_quiz_rounds_and_before_answering(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    with pytest.raises(QuizError, match="Only /review"):
        await engine.rate_review(ALICE, card.round_id, "good")
    review = await engine.start_review(ALICE)
    with pytest.raises(QuizError, match="Answer the question first"):
        await engine.rate_review(ALICE, review.round_id, "good")


async def test_cards_never_leak_into_another_team(engine: QuizEngine) -> None:
    review = await engine.start_review(ALICE)
    await engine.answer(ALICE, review.round_id, text="no idea")
    twin = Player(Team("console", "t2"), "alice", "Alice")
    assert (await engine.due_counts(twin)).week == 0
    with pytest.raises(QuizError, match="unknown"):
        await engine.rate_review(twin, review.round_id, "good")
    with pytest.raises(QuizError, match="unknown"):
        await engine.answer(twin, review.round_id, text="x")
    with pytest.raises(QuizError, match="unknown"):
        await engine.dispute(twin, review.round_id, "unfair")
    assert (await engine.due_counts(ALICE)).week == 1
    stats = await engine.stats(twin)
    assert stats.due_week == 0 and stats.answers == 0


async def test_stats_show_weakest_category_and_due_cards(engine: QuizEngine) -> None:
    for category, right in (("alpha", False), ("beta", True)):
        card = await engine.start_round(GENERAL, ALICE, category=category, mode="choice")
        letter = right_letter(engine, card.choices, card.question_id)
        wrong = next(x for x in "ABCD" if x != letter)
        await engine.answer(ALICE, card.round_id, choice=letter if right else wrong)
        await engine.close_round(TEAM, card.round_id)
    stats = await engine.stats(ALICE)
    assert stats.weakest_category == "Alpha basics"
    assert stats.due_today == 0 and stats.due_week == 2


async def test_dispute_and_report_are_stored_with_answer_and_grade(engine: QuizEngine) -> None:
    review = await engine.start_review(ALICE)
    await engine.answer(ALICE, review.round_id, text="my careful answer")
    filed = await engine.dispute(ALICE, review.round_id, "I covered the key point")
    report = await engine.report_question(ALICE, review.round_id, "Typo", "second word")
    assert (filed.kind, report.kind) == ("dispute", "typo")
    with pytest.raises(QuizError, match="already disputed this grade"):
        await engine.dispute(ALICE, review.round_id, "again")
    with pytest.raises(InvalidOptionError):
        await engine.report_question(ALICE, review.round_id, "spam")
    rows = await ReviewStore(engine.store).reports()
    assert [(r.kind, r.answer, r.grade, r.status) for r in rows] == [
        ("dispute", "my careful answer", 0.0, "open"),
        ("typo", "my careful answer", 0.0, "open"),
    ]
    assert await ReviewStore(engine.store).resolve_report(rows[0].id, 1.0)
    assert not await ReviewStore(engine.store).resolve_report(rows[0].id, 1.0)
    assert len(await ReviewStore(engine.store).reports()) == 1
    assert len(await ReviewStore(engine.store).reports(include_resolved=True)) == 2


async def test_dispute_needs_an_answer(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    with pytest.raises(QuizError, match="once you have answered"):
        await engine.dispute(ALICE, card.round_id, "unfair")
    with pytest.raises(QuizError, match="why"):
        await engine.dispute(ALICE, card.round_id, "   ")
    assert (await engine.report_question(ALICE, card.round_id, "unclear")).kind == "unclear"


async def test_nudge_counts_due_reviews_only_when_enabled(
    engine: QuizEngine, bank: QuestionBank, clock: FakeClock
) -> None:
    for _ in range(3):
        review = await engine.start_review(ALICE)
        await engine.answer(ALICE, review.round_id, text="no idea")
    clock.advance(5 * DAY)
    card = await engine.start_round(GENERAL, ALICE)
    assert (await engine.answer(ALICE, card.round_id, choice="A")).reviews_due == 0
    nudging = QuizEngine(engine.store, bank, clock=clock, rng=random.Random(1), review_nudge=True)
    await nudging.close_round(TEAM, card.round_id)
    card = await nudging.start_round(GENERAL, ALICE)
    assert (
        await nudging.answer(ALICE, card.round_id, choice="A")
    ).reviews_due == 1  # 3 due, 2 answered since


async def test_due_counts_find_a_player_whose_id_had_a_lone_surrogate(engine: QuizEngine) -> None:
    # Ids are stored with lone surrogates replaced; the due counts used to look the raw id up.
    odd = Player(TEAM, "u\ud800", "Odd")
    card = await engine.start_review(odd, mode="choice")
    await engine.answer(odd, card.round_id, choice="A")
    assert (await engine.due_counts(odd)).week == 1
    assert (await engine.stats(odd)).due_week == 1


async def test_a_review_round_is_unknown_to_every_other_player(engine: QuizEngine) -> None:
    """Answer, rate, dispute and report: another player's review round is "unknown"."""
    bob = Player(TEAM, "bob", "Bob")
    card = await engine.start_review(bob, mode="choice")
    with pytest.raises(QuizError, match="unknown"):
        await engine.answer(ALICE, card.round_id, choice="A")
    await engine.answer(bob, card.round_id, choice="A")  # in the answer cache from now on
    with pytest.raises(QuizError, match="unknown"):
        await engine.answer(ALICE, card.round_id, choice="B")
    for refused in (
        engine.rate_review(ALICE, card.round_id, "easy"),
        engine.dispute(ALICE, card.round_id, "unfair"),
        engine.report_question(ALICE, card.round_id, "typo"),
    ):
        with pytest.raises(QuizError, match="unknown"):
            await refused
    assert await engine.store.answer_count(card.round_id) == 1
    assert await ReviewStore(engine.store).reports() == []
    team_pk = await engine.store.team_pk("console", "t1")
    assert await engine.store.find_player(team_pk, "alice") is None  # nothing was recorded
