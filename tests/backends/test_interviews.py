"""Mock interviews on both backends: one running per player, each step recorded once, nothing
recorded after the end, finished questions on the leaderboard."""

from __future__ import annotations

import asyncio

import pytest

from storage.interview_store import InterviewRunningError
from tests.backends.conftest import Backend


async def _started(backend: Backend) -> tuple[int, int, int]:
    """(team, player, interview) of a running two-question interview."""
    store = backend.store
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    interview = await backend.interviews.start(
        team_pk=team,
        player_pk=ada,
        length=2,
        categories=("alpha", "beta"),
        start_level="easy",
        question_seconds=180,
        now=100.0,
    )
    return team, ada, interview.id


async def test_one_running_interview_per_player(backend: Backend) -> None:
    interviews = backend.interviews
    team, ada, first = await _started(backend)
    with pytest.raises(InterviewRunningError):
        await interviews.start(
            team_pk=team,
            player_pk=ada,
            length=3,
            categories=(),
            start_level="hard",
            question_seconds=60,
            now=101.0,
        )
    running = await interviews.running(ada)
    assert running is not None and running.id == first
    assert running.categories == ("alpha", "beta") and running.ended_at is None
    assert await interviews.end(first, "stopped", 0.5, 200.0) is True
    assert await interviews.end(first, "stopped", 0.5, 201.0) is False
    assert await interviews.running(ada) is None
    second = await interviews.start(
        team_pk=team,
        player_pk=ada,
        length=1,
        categories=(),
        start_level="medium",
        question_seconds=60,
        now=300.0,
    )
    assert second.categories == ()
    assert await interviews.previous_score(ada, second.id) == 0.5
    assert [(row.id, done) for row, done in await interviews.history(ada, 5)] == [
        (second.id, 0),
        (first, 0),
    ]


async def test_each_step_is_recorded_once_and_finished_questions_score(
    backend: Backend,
) -> None:
    store, interviews = backend.store, backend.interviews
    team, ada, interview = await _started(backend)
    asked = await asyncio.gather(
        *(
            interviews.ask(
                interview_id=interview,
                position=1,
                question_id="q1",
                category="alpha",
                difficulty="easy",
                now=110.0,
            )
            for _ in range(4)
        )
    )
    assert sorted(asked) == [False, False, False, True]
    [question] = await interviews.questions(interview)
    shares = [(team, "all", "", ada, 16, 1), (team, "all", "review:u1", ada, 16, 1)]
    answered = await asyncio.gather(
        *(
            interviews.answer(
                question.id,
                text=f"answer {n}",
                now=120.0,
                grade=0.6,
                covered=("a",),
                missed=("b",),
                follow_up_point="b",
                final=None,
            )
            for n in range(3)
        )
    )
    assert sorted(answered) == [False, False, True]
    follow = await asyncio.gather(
        interviews.answer_follow_up(
            question.id, text="b", now=130.0, credit=1.0, final=(0.8, shares)
        ),
        interviews.answer_follow_up(
            question.id, text="b", now=130.0, credit=1.0, final=(0.8, shares)
        ),
    )
    assert sorted(follow) == [False, True]
    [done] = await interviews.questions(interview)
    assert (done.covered, done.missed, done.follow_up_credit, done.final_grade) == (
        ("a",),
        ("b",),
        1.0,
        0.8,
    )
    found = await store.player_score(team, "all", "review:u1", ada)
    assert found is not None and (found[0].points, found[0].answers) == (16, 1)
    assert [(row.id, finished) for row, finished in await interviews.history(ada, 5)] == [
        (interview, 1)
    ]


async def test_nothing_is_recorded_after_the_interview_ends(backend: Backend) -> None:
    store, interviews = backend.store, backend.interviews
    team, ada, interview = await _started(backend)
    await interviews.ask(
        interview_id=interview,
        position=1,
        question_id="q1",
        category="alpha",
        difficulty="easy",
        now=110.0,
    )
    [question] = await interviews.questions(interview)
    await interviews.answer(
        question.id,
        text="half",
        now=120.0,
        grade=0.5,
        covered=(),
        missed=("b",),
        follow_up_point="b",
        final=None,
    )
    await interviews.end(interview, "stopped", None, 150.0)
    shares = [(team, "all", "", ada, 10, 0)]
    late = await interviews.answer_follow_up(
        question.id, text="b", now=160.0, credit=1.0, final=(1.0, shares)
    )
    assert late is False
    assert not await interviews.ask(
        interview_id=interview,
        position=2,
        question_id="q2",
        category="beta",
        difficulty="easy",
        now=170.0,
    )
    assert await interviews.finish_unanswered_follow_up(question.id, 0.5, shares) is True
    assert await interviews.finish_unanswered_follow_up(question.id, 0.5, shares) is False
    [done] = await interviews.questions(interview)
    assert (done.follow_up_answer, done.final_grade) == (None, 0.5)
    found = await store.player_score(team, "all", "", ada)
    assert found is not None and found[0].points == 10
