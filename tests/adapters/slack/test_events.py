"""The event log line of every Slack request, and replies kept inside Block Kit's limits."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from bot.logging_setup import EVENT_LOGGER
from tests.adapters.slack.helpers import (
    BOT_TOKEN,
    SECRET,
    SlackClient,
    click_payload,
    correct_value,
    response_texts,
    start_round,
    submission_payload,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack


async def test_each_request_logs_one_event_line_without_secrets(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _, buttons, _ = await start_round(client, quiz, slack)
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    await quiz.drain()
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))  # twice: refused
    await quiz.drain()
    await client.interact(submission_payload(0, "words"))  # no such round: refused
    await quiz.drain()
    await client.event({"type": "app_home_opened", "user": "U1ALICE", "tab": "home"})
    await quiz.drain()
    await client.command("/quiz", "alpha easy hard")  # refused in the acknowledgement
    lines = [r for r in caplog.records if r.name == EVENT_LOGGER]
    assert [(r.command, r.outcome) for r in lines] == [  # type: ignore[attr-defined]
        ("/quiz", "ok"),
        ("action:quiz:answer:A", "ok"),
        ("action:quiz:answer:A", "refused"),
        ("view:quiz:answer_modal", "refused"),
        ("event:app_home_opened", "ok"),
        ("/quiz", "refused"),
    ]
    for record in lines:
        fields: dict[str, Any] = vars(record)
        assert fields["adapter"] == "slack" and fields["team"] == TEAM_ID
        assert isinstance(fields["duration_ms"], float) and 0 <= fields["duration_ms"] < 3000
    assert BOT_TOKEN not in caplog.text and SECRET not in caplog.text
    assert "response_url" not in caplog.text and slack.response_url()[:30] not in caplog.text


async def test_daily_show_with_many_schedules_stays_within_a_section(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    team = Team("slack", TEAM_ID)
    for n in range(80):
        target = Channel(team, f"C{n:08d}", f"quiz-{n}")
        await engine.daily.set_schedule(
            target, time_of_day="09:00", timezone="America/Argentina/Buenos_Aires", days="mon-fri"
        )
    await client.command("/quiz-admin", "daily show", user_id="U9LISTED")
    await quiz.drain()
    assert slack.errors == []
    shown = response_texts(slack)[-1]
    assert shown.startswith("<#C00000000>: 09:00") and len(shown) <= 3000
