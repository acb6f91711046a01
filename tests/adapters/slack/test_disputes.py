"""/quiz-admin disputes|uphold|reject|resolve on Slack, and the player's DM from the app."""

from __future__ import annotations

import json
import re

import pytest

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from tests.adapters.slack.helpers import SlackClient, ack_text, ephemeral, response_texts
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
from tests.fakes.slack_api import TEAM_ID, FakeSlack

TEAM = Team("slack", TEAM_ID)
ADMIN = "U9LISTED"


async def file_dispute(engine: QuizEngine, clock: FakeClock) -> int:
    """Alice answers a free-text question with markup in it, gets 0 and disputes it."""
    alice = Player(TEAM, "U1ALICE", "*alice* <!channel>")
    card = await engine.start_round(
        Channel(TEAM, "C1GENERAL", "general"), alice, category="alpha", mode="open"
    )
    clock.advance(6)
    await engine.answer(alice, card.round_id, text="no idea <!here> _x_")
    filed = await engine.dispute(alice, card.round_id, "<@U2BOB> said it was right")
    return filed.report_id


async def admin(client: SlackClient, quiz: SlackQuiz, text: str, user_id: str = ADMIN) -> None:
    await client.command("/quiz-admin", text, user_id=user_id)
    await quiz.drain()


async def test_admin_lists_upholds_and_the_player_gets_a_dm(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    report_id = await file_dispute(engine, clock)
    await admin(client, quiz, "disputes")
    [listing] = slack.calls_to("response_url")
    shown = "\n".join(block["text"]["text"] for block in ephemeral(listing)["blocks"])
    assert f"Grade dispute #{report_id} · question #1 · grade 0%" in shown
    assert "&lt;!here&gt;" in shown and "<!here>" not in shown
    assert "&lt;@U2BOB&gt; said it was right" in shown and "<!channel>" not in shown

    await admin(client, quiz, f"uphold {report_id} grade:0.5 <!everyone> good catch")
    confirmation = response_texts(slack)[-1]
    assert confirmation.startswith(f"Grade dispute #{report_id} upheld:")
    assert "was told privately" in confirmation
    points = int(re.findall(r"50% \(0 → (\d+) pts\)", confirmation)[0])
    [dm] = slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == "U1ALICE"  # the app's DM with the player
    told = json.dumps(dm.args, ensure_ascii=False)
    assert f"Grade dispute #{report_id} on question #1: upheld" in told
    assert "&lt;!everyone&gt; good catch" in told and "<!everyone>" not in told
    board = await engine.leaderboard(TEAM, period="all")
    assert [row.points for row in board.rows] == [points] and points > 0
    await admin(client, quiz, "disputes")
    assert response_texts(slack)[-1] == "No open grade disputes or question reports."
    assert slack.errors == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("uphold 1 grade:high", "from 0 to 1"),
        ("uphold 1", "corrected grade"),
        ("reject", "Usage: /quiz-admin disputes"),
        ("disputes all", "Usage: /quiz-admin disputes"),
        ("resolve 12", "There is no report #12 here."),
    ],
)
async def test_bad_settlements_say_why_and_change_nothing(
    client: SlackClient,
    quiz: SlackQuiz,
    slack: FakeSlack,
    engine: QuizEngine,
    clock: FakeClock,
    text: str,
    message: str,
) -> None:
    await file_dispute(engine, clock)
    await admin(client, quiz, text)
    assert message in response_texts(slack)[-1]
    assert len(await engine.disputes.open_reports(TEAM)) == 1
    assert slack.calls_to("chat.postMessage") == []


async def test_only_admins_settle(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    report_id = await file_dispute(engine, clock)
    for text in ("disputes", f"reject {report_id}"):
        await admin(client, quiz, text, user_id="U1ALICE")
        assert "Only workspace admins" in response_texts(slack)[-1]
    assert len(await engine.disputes.open_reports(TEAM)) == 1


async def test_admin_sees_how_the_questions_fare(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await answer_easy_question(engine, TEAM, "C1GENERAL")
    await admin(client, quiz, "questions")
    [shown] = slack.calls_to("response_url")
    first = ephemeral(shown)["blocks"][0]["text"]["text"]
    assert first.startswith(f"*{FLAGGED}*\n{FIGURES} · picks ")
    await admin(client, quiz, "questions", user_id="U1ALICE")
    assert "Only workspace admins" in response_texts(slack)[-1]
    assert slack.errors == []


async def test_admin_sees_each_members_progress(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await answer_easy_question(engine, TEAM, "C1GENERAL")
    await admin(client, quiz, "progress")
    [shown] = slack.calls_to("response_url")
    texts = [block["text"]["text"] for block in ephemeral(shown)["blocks"]]
    name, summary = PROGRESS_LINE.split(": ", 1)
    assert f"*{name}* · {summary}\nAlpha basics ▰▰▰▰▰▰▰▰▰▰ 1/1 (100%)" in texts
    await admin(client, quiz, "progress", user_id="U1ALICE")
    assert "Only workspace admins" in response_texts(slack)[-1]
    assert slack.errors == []


async def test_admin_ends_the_season_and_the_leaderboard_shows_it(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await answer_easy_question(engine, TEAM, "C1GENERAL")
    await admin(client, quiz, "season end 2026 spring", user_id="U1ALICE")
    assert "Only workspace admins" in response_texts(slack)[-1]
    await admin(client, quiz, "season end 2026 spring")
    assert response_texts(slack)[-1].startswith("Season 2026 spring is over and archived:")
    await client.command("/leaderboard", "season:2026 spring")
    await quiz.drain()
    final = ephemeral(slack.calls_to("response_url")[-1])
    assert final["text"] == "Leaderboard — season 2026 spring, final standings"
    assert final["blocks"][2]["text"]["text"].startswith("🏆 Champions: player 1, player 2")
    await client.command("/leaderboard", "season")
    await quiz.drain()
    assert response_texts(slack)[-1] == "Leaderboard — this season"
    usage = await client.command("/leaderboard", "season:")
    assert "Name the ended season" in ack_text(usage)
    assert slack.errors == []


async def test_the_weekly_digest_follows_the_weeks_first_daily_question(
    quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    general = Channel(TEAM, "C1GENERAL", "general")
    service, record = await last_week_then_a_daily_slot(engine, clock, general)
    assert await run_due_slot(service, record, clock) == "posted"
    question, digest = slack.calls_to("chat.postMessage")
    assert "Daily question #" in json.dumps(question.args)
    assert digest.args["channel"] == "C1GENERAL" and digest.args["text"] == DIGEST_TITLE
    shown = json.dumps(digest.args["blocks"], ensure_ascii=False)
    assert "*Top five*\\n1. player 1 — 100 pts" in shown
    assert "Most missed (11/12 answers correct)" in shown
    assert "Alpha basics 92% (11/12)" in shown
    clock.advance(DAY)
    assert await run_due_slot(service, record, clock) == "posted"
    assert len(slack.calls_to("chat.postMessage")) == 3  # the next question, no digest
    assert slack.errors == []
    await service.stop()
