"""The mock interview's rules, through QuizEngine on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.interviews import IDLE_SECONDS, follow_up_text
from bot.engine.model import InterviewPrompt, Player, Scorecard, Team
from questions.schema import DIFFICULTIES
from tests.conftest import FakeClock
from tests.interviews.support import (
    BUDGET_S,
    WEAK_ANSWER,
    follow_up_point,
    opened_engine,
    point_answer,
    question_of,
    strong_answer,
)

TEAM = Team("console", "local")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")


@pytest.fixture
async def engine(tmp_path: Path, clock: FakeClock) -> AsyncIterator[QuizEngine]:
    async with opened_engine(tmp_path / "quizbot.db", clock) as opened:
        yield opened


def prompt(step: object) -> InterviewPrompt:
    assert isinstance(step, InterviewPrompt), step
    return step


async def test_strong_answers_climb_and_finish_ready(engine: QuizEngine) -> None:
    step = prompt(await engine.start_interview(ALICE, length="5"))
    assert (step.position, step.length, step.difficulty, step.budget_s) == (1, 5, "easy", BUDGET_S)
    levels, seen = [], set()
    while isinstance(step, InterviewPrompt):
        assert not step.follow_up and step.question_id not in seen
        seen.add(step.question_id)
        levels.append(step.difficulty)
        step = await engine.answer_interview(ALICE, strong_answer(question_of(step.text)))
    assert isinstance(step, Scorecard)
    assert levels[:2] == ["easy", "medium"] and "hard" in levels
    assert step.status == "finished" and step.verdict == "ready" and len(step.items) == 5
    assert step.score is not None and step.score >= 0.75 and step.previous_score is None
    # every category takes its turn: five questions from five of the bank's categories
    assert len({c.category for c in step.categories}) == 5
    board = await engine.leaderboard(TEAM, caller=ALICE)
    assert board.caller is not None and board.caller.points == step.points <= 5 * 20
    assert board.caller.answers == 5


async def test_weak_answer_gets_a_follow_up_and_a_good_one_earns_back(engine: QuizEngine) -> None:
    first = prompt(await engine.start_interview(ALICE, length="5", category="python"))
    question = question_of(first.text)
    follow = prompt(await engine.answer_interview(ALICE, WEAK_ANSWER))
    label = follow_up_point(question)
    assert follow.follow_up and follow.step == "1f" and follow.position == 1
    assert follow.text == follow_up_text(question, label)
    assert question.reference_answer not in follow.text
    second = prompt(await engine.answer_interview(ALICE, point_answer(question, label)))
    assert second.position == 2 and not second.follow_up
    assert second.difficulty == "easy"  # a weak final grade never climbs
    card = await engine.stop_interview(ALICE)
    [item] = card.items
    assert item.follow_up_credit > 0 and item.grade == item.first_grade + item.follow_up_credit
    assert label in item.covered and label not in item.missed
    assert card.status == "stopped" and card.verdict == "not yet"


async def test_follow_up_answered_badly_earns_nothing(engine: QuizEngine) -> None:
    first = prompt(await engine.start_interview(ALICE, category="python"))
    assert prompt(await engine.answer_interview(ALICE, WEAK_ANSWER)).follow_up
    await engine.answer_interview(ALICE, "Something about loops, I think.")
    card = await engine.stop_interview(ALICE)
    [item] = card.items
    assert item.question_id == question_of(first.text).id
    assert item.follow_up_credit == 0 and item.grade == item.first_grade
    assert item.follow_up is not None and item.follow_up_answer == "Something about loops, I think."
    assert card.topics[0].category == "python" and card.topics[0].point in item.missed


async def test_time_over_budget_is_recorded_not_punished(
    engine: QuizEngine, clock: FakeClock
) -> None:
    step = prompt(await engine.start_interview(ALICE, length="5"))
    clock.advance(BUDGET_S + 75)
    await engine.answer_interview(ALICE, strong_answer(question_of(step.text)))
    card = await engine.stop_interview(ALICE)
    [item] = card.items
    assert item.over_s == 75 and item.time_s == BUDGET_S + 75 and item.grade >= 0.75
    assert card.time_used_s == BUDGET_S + 75


async def test_restart_resumes_where_it_stopped(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "restart.db"
    async with opened_engine(path, clock) as engine:
        first = prompt(await engine.start_interview(ALICE, length="5"))
        follow = prompt(await engine.answer_interview(ALICE, WEAK_ANSWER))
    clock.advance(600)
    async with opened_engine(path, clock, seed=99) as engine:
        resumed = prompt(await engine.start_interview(ALICE))
        assert resumed.resumed and resumed.step == follow.step == "1f"
        assert resumed.question_id == first.question_id and resumed.asked_at == first.asked_at
        nxt = prompt(await engine.answer_interview(ALICE, "no idea"))
        assert nxt.position == 2 and nxt.question_id != first.question_id


async def test_idle_interview_expires_with_its_answers_scored(
    engine: QuizEngine, clock: FakeClock
) -> None:
    step = prompt(await engine.start_interview(ALICE, length="5"))
    await engine.answer_interview(ALICE, strong_answer(question_of(step.text)))
    clock.advance(IDLE_SECONDS)
    with pytest.raises(QuizError, match="no interview running"):
        await engine.answer_interview(ALICE, "late answer")
    [row] = (await engine.interview_history(ALICE)).rows
    assert row.status == "expired" and row.answered == 1 and row.score is not None
    fresh = prompt(await engine.start_interview(ALICE))
    assert fresh.interview_id != step.interview_id and fresh.position == 1


async def test_history_and_change_since_the_previous_interview(engine: QuizEngine) -> None:
    step = prompt(await engine.start_interview(ALICE, length="5"))
    await engine.answer_interview(ALICE, strong_answer(question_of(step.text)))
    first = await engine.stop_interview(ALICE)
    await engine.start_interview(ALICE, length="5")
    await engine.answer_interview(ALICE, "no idea at all")
    await engine.answer_interview(ALICE, "still no idea")
    second = await engine.stop_interview(ALICE)
    assert first.score is not None and second.score is not None
    assert second.previous_score == first.score and second.change == second.score - first.score
    rows = (await engine.interview_history(ALICE)).rows
    assert [r.interview_id for r in rows] == [second.interview_id, first.interview_id]
    assert [r.status for r in rows] == ["stopped", "stopped"]
    assert (await engine.interview_history(BOB)).rows == ()


async def test_bad_input_is_refused_and_changes_nothing(engine: QuizEngine) -> None:
    with pytest.raises(QuizError, match="Allowed: 5, 8, 12"):
        await engine.start_interview(ALICE, length="7")
    with pytest.raises(QuizError, match="Unknown category"):
        await engine.start_interview(ALICE, category="python,cooking")
    with pytest.raises(QuizError, match="no interview running"):
        await engine.answer_interview(ALICE, "hello")
    with pytest.raises(QuizError, match="no interview running"):
        await engine.stop_interview(ALICE)
    step = prompt(await engine.start_interview(ALICE, length="5"))
    with pytest.raises(QuizError, match="still running"):
        await engine.start_interview(ALICE, length="8")
    with pytest.raises(QuizError, match="empty"):
        await engine.answer_interview(ALICE, "   ")
    with pytest.raises(QuizError, match="not yours"):
        await engine.answer_interview(BOB, "mine now", interview_id=step.interview_id, step="1")
    await engine.answer_interview(ALICE, strong_answer(question_of(step.text)), step="1")
    with pytest.raises(QuizError, match="already answered"):
        await engine.answer_interview(ALICE, "again", interview_id=step.interview_id, step="1")
    await engine.stop_interview(ALICE)
    with pytest.raises(QuizError, match="has ended"):
        await engine.answer_interview(ALICE, "late", interview_id=step.interview_id, step="2")
    [row] = (await engine.interview_history(ALICE)).rows
    assert row.answered == 1


async def test_difficulty_option_sets_the_first_level(engine: QuizEngine) -> None:
    step = prompt(await engine.start_interview(ALICE, difficulty="medium", category="web"))
    assert step.difficulty == "medium" and step.category_title
    assert set(DIFFICULTIES) >= {step.difficulty}


async def test_targeted_review_draws_only_from_its_category(engine: QuizEngine) -> None:
    for _ in range(3):
        card = await engine.start_review(ALICE, category="web")
        assert card.category == "web"
        await engine.answer(ALICE, card.round_id, text="no idea")
    with pytest.raises(QuizError, match="Unknown category"):
        await engine.start_review(ALICE, category="cooking")
