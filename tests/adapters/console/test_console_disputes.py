"""/quiz-admin disputes, uphold, reject and resolve in the console; the player's line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleSession
from bot.adapters.console.adapter import ConsoleOutbox
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from tests.analytics_data import (
    DAY,
    DIGEST_TITLE,
    FIGURES,
    FLAGGED,
    PROGRESS_LINE,
    answer_easy_question,
    last_week_then_a_daily_slot,
    run_due_slot,
)
from tests.conftest import FakeClock


@pytest.fixture
def printed(engine: QuizEngine) -> list[str]:
    lines: list[str] = []
    engine.register_outbox("console", ConsoleOutbox(lines.append))
    return lines


async def say(session: ConsoleSession, line: str) -> str:
    reply = await session.handle(line)
    assert reply is not None
    return reply


async def disputed(session: ConsoleSession, clock: FakeClock) -> None:
    await say(session, "/as alice")
    await say(session, "/quiz category:alpha difficulty:easy mode:open")
    clock.advance(6)
    assert "+0 points" in await say(session, "/answer no idea <@everyone>")
    await say(session, "/dispute I said \x1b[31m it")
    await say(session, "/report typo second word")


async def test_admin_lists_and_upholds_and_the_player_is_told(
    engine: QuizEngine, clock: FakeClock, printed: list[str]
) -> None:
    session = ConsoleSession(engine)
    await disputed(session, clock)
    await say(session, "/as mentor")
    listing = await say(session, "/quiz-admin disputes")
    assert "Grade dispute #1 · question #1 · grade 0% · by alice" in listing
    assert "Q: Which planet is known as the red planet?" in listing
    assert "Answer: no idea <@everyone>" in listing
    assert "Reason: I said \\u001b[31m it" in listing  # control characters made visible
    assert "Report #2 (typo) · question #1" in listing
    done = await say(session, "/quiz-admin uphold 1 grade:0.8 the rubric missed your wording")
    assert done == (
        "Grade dispute #1 upheld: alice's grade is now 80% (0 → 76 pts). alice was told privately."
    )
    assert printed == [
        "[for alice] Grade dispute #1 on question #1: upheld\n"
        "  Your grade was corrected from 0% to 80% (0 → 76 pts); leaderboards and your review "
        "schedule follow.\n"
        "  Note from the admin: the rubric missed your wording"
    ]
    board = await say(session, "/leaderboard all")
    assert "alice" in board and "76" in board
    resolved = await say(session, "/quiz-admin resolve #2 fixed the typo, thanks")
    assert resolved.startswith("Report #2 (typo) resolved.")
    assert printed[-1].startswith("[for alice] Report #2 (typo) on question #1: resolved")
    assert await say(session, "/quiz-admin disputes") == (
        "No open grade disputes or question reports."
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/quiz-admin uphold 1 grade:2", "from 0 to 1"),
        ("/quiz-admin uphold 1", "corrected grade"),
        ("/quiz-admin uphold one grade:1", "Usage: /quiz-admin disputes"),
        ("/quiz-admin reject 9", "There is no report #9 here."),
        ("/quiz-admin reject 2", "question report: resolve it instead"),
        ("/quiz-admin disputes now", "Usage: /quiz-admin disputes"),
    ],
)
async def test_bad_admin_lines_say_why_and_change_nothing(
    engine: QuizEngine, clock: FakeClock, printed: list[str], line: str, message: str
) -> None:
    session = ConsoleSession(engine)
    await disputed(session, clock)
    database = Path(engine.store.path)
    with sqlite3.connect(database) as conn:
        before = conn.execute("SELECT * FROM reports").fetchall()
    reply = await say(session, line)
    assert message in reply and "\n" not in reply
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT * FROM reports").fetchall() == before
    assert printed == []


async def test_another_team_sees_no_report(engine: QuizEngine, clock: FakeClock) -> None:
    session = ConsoleSession(engine)
    await disputed(session, clock)
    await say(session, "/team elsewhere")
    assert (await say(session, "/quiz-admin disputes")).startswith("No open")
    assert await say(session, "/quiz-admin reject 1") == "There is no report #1 here."


async def test_admin_sees_how_the_questions_fare(engine: QuizEngine) -> None:
    session = ConsoleSession(engine)
    assert (await say(session, "/quiz-admin questions")).startswith("No question has been asked")
    await answer_easy_question(engine, session.team, "general")
    shown = await say(session, "/quiz-admin questions")
    assert shown.startswith(f"{FLAGGED}\n  {FIGURES}")
    assert "Flags need 10 answers or more." in shown
    assert "Usage: /quiz-admin questions" in await say(session, "/quiz-admin questions all")


async def test_admin_sees_each_members_progress(engine: QuizEngine) -> None:
    session = ConsoleSession(engine)
    assert await say(session, "/quiz-admin progress") == (
        "Nobody in this team has answered a question yet."
    )
    await answer_easy_question(engine, session.team, "general")
    shown = await say(session, "/quiz-admin progress")
    assert f"{PROGRESS_LINE}\n  Alpha basics ▰▰▰▰▰▰▰▰▰▰ 1/1 (100%)" in shown
    assert "player 0: 1 answer · 0% correct" in shown
    assert "Usage: /quiz-admin progress" in await say(session, "/quiz-admin progress now")


async def test_admin_ends_the_season_and_anyone_sees_its_final_standings(
    engine: QuizEngine,
) -> None:
    session = ConsoleSession(engine)
    await answer_easy_question(engine, session.team, "general")
    ended = await say(session, "/quiz-admin season end 2026 spring")
    assert ended.startswith("Season 2026 spring is over and archived: champions player 1, ")
    assert "with 100 pts (12 players)" in ended
    assert ended.endswith("its final standings: /leaderboard season:2026 spring")
    fresh = await say(session, "/leaderboard season")
    assert fresh.startswith("Leaderboard — this season (0 players)")
    final = await say(session, '/leaderboard season:"2026 spring"')
    assert final.startswith(
        "Leaderboard — season 2026 spring, final standings (12 players)\n"
        "🏆 Champions: player 1, player 2,"
    )
    assert "There is no ended season named 'autumn' here." in await say(
        session, "/leaderboard season:autumn"
    )
    assert "already a season named" in await say(session, "/quiz-admin season end 2026 SPRING")
    assert "Usage: /quiz-admin season end NAME" in await say(session, "/quiz-admin season stop x")


async def test_the_weekly_digest_follows_the_weeks_first_daily_question(
    engine: QuizEngine, clock: FakeClock, printed: list[str]
) -> None:
    general = Channel(Team("console", "local"), "general", "general")
    service, record = await last_week_then_a_daily_slot(engine, clock, general)
    assert await run_due_slot(service, record, clock) == "posted"
    question, digest = printed[-2:]
    assert "Daily question #" in question
    assert digest.startswith(f"[#general] {DIGEST_TITLE}\n1. player 1 — 100 pts\n")
    assert (
        "Most missed (11/12 answers correct)\n  Which planet is known as the red planet?" in digest
    )
    assert "Alpha basics 92% (11/12)" in digest
    clock.advance(DAY)
    assert await run_due_slot(service, record, clock) == "posted"
    assert not any(DIGEST_TITLE in line for line in printed[-2:])  # once a week
    await service.stop()
