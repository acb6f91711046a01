"""/interview in the console: scripted sessions through stdin, restarts, time, follow-ups."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleSession, run_console
from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank
from tests.conftest import FakeClock
from tests.interviews.support import (
    BUDGET_S,
    WEAK_ANSWER,
    builtin_bank,
    follow_up_point,
    opened_engine,
    point_answer,
    question_shown_in,
    strong_answer,
)


@pytest.fixture
def bank() -> QuestionBank:
    return builtin_bank()


@pytest.fixture
def session(engine: QuizEngine) -> ConsoleSession:
    return ConsoleSession(engine, player_name="alice")


async def run_script(engine: QuizEngine, script: str, name: str = "alice") -> list[str]:
    """Run ``script`` through the console's read loop; its reply blocks."""
    stdout = io.StringIO()
    code = await run_console(
        ConsoleSession(engine, player_name=name),
        stdin=io.StringIO(script),
        stdout=stdout,
        interactive=False,
    )
    assert code == 0
    return stdout.getvalue().rstrip("\n").split("\n\n")


async def test_scripted_interview_with_follow_ups_blocks_and_stop(engine: QuizEngine) -> None:
    script = (
        "/interview length:5 category:python\n"
        "I am not sure, sorry.\n"
        "```\nno idea\n```\n"
        "it has something \\\nto do with memory\n"
        "/interview stop\n"
        "/interview history\n"
    )
    blocks = await run_script(engine, script)
    first = blocks[0]
    assert first.startswith("(only you see this) Interview #1 · question 1 of 5 · ")
    assert "⏱ 3 min for this question" in first and "/interview stop ends" in first
    assert "question 1 of 5, follow-up" in blocks[1] and "Follow-up:" in blocks[1]
    assert "question 2 of 5" in blocks[2]
    card = "\n\n".join(blocks[4:-1])
    assert card.startswith("(only you see this) Interview #1 scorecard — stopped, 2 of 5")
    assert "Verdict: not yet" in card and "ready ≥ 75 %, almost ≥ 50 %, else not yet" in card
    assert "Your follow-up answer: ```\nno idea\n```" in card
    assert "Your answer: it has something \nto do with memory" in card
    assert "/review category:python" in card and "Reference answer:" in card
    assert "Change since your previous interview: none yet" in card
    assert blocks[-1].startswith("Your interviews (newest first):")
    assert "#1 · stopped · 2 of 5 answered" in blocks[-1]


async def test_strong_answers_climb_to_a_ready_scorecard(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    reply = await session.handle("/interview length:5")
    assert reply is not None and "· easy" in reply.splitlines()[0]
    assert session.prompt == "[interview 1/5] alice> "
    while reply is not None and "scorecard" not in reply:
        reply = await session.handle(strong_answer(question_shown_in(reply)))
    assert reply is not None and "Verdict: ready" in reply and "finished, 5 of 5" in reply
    assert "· medium ·" in reply and "By category:" in reply
    assert "+" in reply and "(as for reviews)" in reply
    assert session.prompt == "[#general] alice> "
    board = await engine.leaderboard(session.team, caller=session.player)
    assert board.caller is not None and 0 < board.caller.points <= 100


async def test_a_follow_up_answered_well_earns_back_and_badly_does_not(
    session: ConsoleSession,
) -> None:
    reply = await session.handle("/interview category:python")
    assert reply is not None
    question = question_shown_in(reply)
    follow = await session.handle(WEAK_ANSWER)
    assert follow is not None and "follow-up" in follow.splitlines()[0]
    assert question.reference_answer not in follow
    assert session.prompt == "[interview 1/8 follow-up] alice> "
    second = await session.handle(point_answer(question, follow_up_point(question)))
    assert second is not None and "question 2 of 8 · " in second
    again = await session.handle(WEAK_ANSWER)
    assert again is not None and "follow-up" in again
    await session.handle("Something about loops.")
    card = await session.handle("/interview stop")
    assert card is not None
    assert "Follow-up: earned back" in card and "Follow-up: earned nothing back" in card


async def test_restart_mid_session_resumes_from_the_database_file(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "console.db"
    async with opened_engine(path, clock) as engine:
        first = await run_script(engine, "/interview length:5\nno idea\n")
    async with opened_engine(path, clock, seed=11) as engine:
        session = ConsoleSession(engine, player_name="alice")
        await session.refresh_prompt()
        assert session.prompt == "[interview 1/5 follow-up] alice> "
        resumed = await session.handle("/interview")
        assert resumed is not None and resumed.startswith("Resuming interview #1")
        assert resumed.splitlines()[-2] == first[1].splitlines()[-2]  # the same follow-up
        nxt = await session.handle("still no idea")
        assert nxt is not None and "question 2 of 5" in nxt


async def test_an_answer_past_the_budget_is_recorded_as_over(
    session: ConsoleSession, clock: FakeClock
) -> None:
    reply = await session.handle("/interview length:5")
    assert reply is not None
    clock.advance(BUDGET_S + 90)
    await session.handle(strong_answer(question_shown_in(reply)))
    card = await session.handle("/interview stop")
    assert card is not None and "4 min 30s, 90s over" in card
    assert "(1 over the budget)" in card


async def test_bad_input_gets_one_line_and_changes_nothing(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    assert await session.handle("/interview length:7") == ("Unknown length '7'. Allowed: 5, 8, 12.")
    assert "Unknown option 'mode'" in (await session.handle("/interview mode:open") or "")
    assert "Unexpected 'later'" in (await session.handle("/interview later") or "")
    assert "no interview running" in (await session.handle("/interview stop") or "")
    assert "Commands start with '/'" in (await session.handle("just words") or "")
    assert (await session.handle("/interview history")) == (
        "No interviews yet. Start one with /interview."
    )
    await session.handle("/interview length:5")
    refused = await session.handle("/interview length:8")
    assert refused is not None and "still running" in refused and "\n" not in refused
    await session.handle("/as bob")
    assert "Commands start with '/'" in (await session.handle("bob's answer") or "")
    assert (await engine.interview_history(session.player)).rows == ()
    await session.handle("/as alice")
    [row] = (await engine.interview_history(session.player)).rows
    assert (row.status, row.answered, row.length) == ("running", 0, 5)


async def test_targeted_review_in_the_console(session: ConsoleSession, engine: QuizEngine) -> None:
    card = await session.handle("/review category:web")
    assert card is not None
    assert question_shown_in(card).category == "web"
    assert "Unknown category" in (await session.handle("/review category:cooking") or "")
