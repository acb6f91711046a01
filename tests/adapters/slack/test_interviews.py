"""/interview over Slack's real HTTP endpoint (loopback fake): ephemeral questions, the answer
modal, follow-ups, the scorecard, stale buttons, a restart and time over the budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack import SlackQuiz
from bot.adapters.slack.blocks import PROMPT_BLOCK_ID, mrkdwn
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import QuestionBank
from questions.schema import Question
from tests.adapters.slack.helpers import (
    Sender,
    SlackClient,
    ack_text,
    actor,
    click_payload,
    ephemeral,
)
from tests.conftest import FakeClock
from tests.fakes.slack_api import TEAM_ID, ApiCall, FakeSlack
from tests.interviews.support import (
    BUDGET_S,
    WEAK_ANSWER,
    builtin_bank,
    follow_up_point,
    opened_engine,
    point_answer,
    strong_answer,
)

BOB = {"user_id": "U2BOB", "user_name": "bob"}


@pytest.fixture
def bank() -> QuestionBank:
    return builtin_bank()


def shown(call: ApiCall) -> str:
    """Everything an ephemeral reply shows, as one string."""
    return json.dumps(ephemeral(call), ensure_ascii=False)


def asked(call: ApiCall) -> Question:
    """The built-in question a prompt shows (its section is the question, escaped)."""
    [text] = [
        b["text"]["text"] for b in call.args["blocks"] if b.get("block_id") == PROMPT_BLOCK_ID
    ]
    return next(q for q in builtin_bank() if mrkdwn(q.prompt) == text)


def button_values(call: ApiCall) -> list[str]:
    blocks = call.args.get("blocks", [])
    return [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def command(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, text: str, **who: str
) -> ApiCall:
    """Run ``/interview text``; its ephemeral reply."""
    await client.command("/interview", text, **who)
    await quiz.drain()
    return slack.calls_to("response_url")[-1]


def submission(opened: dict[str, Any], text: str, **who: str) -> dict[str, Any]:
    """The submission of the modal ``opened`` (as views.open got it) with ``text``."""
    sender = Sender(**who)
    return {
        "type": "view_submission",
        **actor(sender.team_id, sender.user_id, sender.user_name),
        "view": {
            "id": "V0VIEW",
            "type": "modal",
            "callback_id": opened["callback_id"],
            "private_metadata": opened["private_metadata"],
            "state": {"values": {"answer": {"text": {"type": "plain_text_input", "value": text}}}},
        },
    }


async def answer(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, prompt: ApiCall, text: str, **who: str
) -> ApiCall:
    """Press "Answer" on ``prompt`` (the modal opens with the question) and submit ``text``."""
    [value, _] = button_values(prompt)
    await client.interact(
        click_payload(slack, value, action_id="interview:answer", message=prompt, **who)
    )
    await quiz.drain()
    opened = slack.calls_to("views.open")[-1].args["view"]
    assert opened["callback_id"] == "interview:answer_modal"
    assert json.loads(opened["private_metadata"])["step"] == value.split(":")[2]
    await client.interact(submission(opened, text, **who))
    await quiz.drain()
    return slack.calls_to("response_url")[-1]


async def test_a_whole_interview_in_ephemeral_replies(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    prompt = await command(client, quiz, slack, "5")
    assert "Interview #1 · question 1 of 5 · " in shown(prompt)
    assert "⏱ 3 min for this question" in shown(prompt) and "<!date^" in shown(prompt)
    assert button_values(prompt) == ["ivanswer:1:1", "ivstop:1"]
    while button_values(prompt):
        prompt = await answer(client, quiz, slack, prompt, strong_answer(asked(prompt)))
    card = shown(prompt)
    assert "Interview #1 scorecard — finished, 5 of 5 questions answered" in card
    assert "*Verdict: ready" in card and "ready ≥ 75 %, almost ≥ 50 %, else not yet" in card
    assert len(prompt.args["blocks"]) <= 50
    assert slack.calls_to("chat.postMessage") == []  # private: nothing posted in the channel
    board = await engine.leaderboard(Team("slack", TEAM_ID))
    [row] = board.rows
    assert 0 < row.points <= 100 and row.answers == 5
    assert slack.errors == []


async def test_follow_ups_escaping_and_the_stop_button(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    prompt = await command(client, quiz, slack, "python")
    question = asked(prompt)
    follow = await answer(client, quiz, slack, prompt, WEAK_ANSWER)
    assert "question 1 of 8, follow-up" in shown(follow)
    assert button_values(follow) == ["ivanswer:1:1f", "ivstop:1"]
    second = await answer(
        client, quiz, slack, follow, point_answer(question, follow_up_point(question))
    )
    assert "question 2 of 8" in shown(second)
    follow2 = await answer(client, quiz, slack, second, "<!channel> *no idea*")
    await answer(client, quiz, slack, follow2, "Something about loops.")
    await client.interact(click_payload(slack, "ivstop:1", action_id="interview:stop"))
    await quiz.drain()
    card = shown(slack.calls_to("response_url")[-1])
    assert "stopped, 2 of 8" in card and "earned back" in card and "earned nothing back" in card
    assert "<!channel>" not in card and "&lt;!channel&gt;" in card
    assert "`/review category:python`" in card


async def test_stale_forged_and_foreign_steps_are_refused(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    prompt = await command(client, quiz, slack, "5")
    [value, _] = button_values(prompt)
    await client.interact(click_payload(slack, value, action_id="interview:answer", message=prompt))
    await quiz.drain()
    opened = slack.calls_to("views.open")[-1].args["view"]
    await client.interact(submission(opened, "bob's answer", **BOB))
    await quiz.drain()
    assert "not yours" in shown(slack.calls_to("response_url")[-1])
    question = asked(prompt)
    await client.interact(submission(opened, strong_answer(question)))
    await quiz.drain()
    await client.interact(submission(opened, "a second answer"))
    await quiz.drain()
    assert "already answered" in shown(slack.calls_to("response_url")[-1])
    await client.interact(click_payload(slack, "ivstop:1:x", action_id="interview:stop"))
    await quiz.drain()
    assert "not valid" in shown(slack.calls_to("response_url")[-1])
    await command(client, quiz, slack, "stop")
    again = await command(client, quiz, slack, "stop")
    assert "no interview running" in shown(again)
    history = await command(client, quiz, slack, "history")
    assert "#1 · stopped · 1 of 5 answered" in shown(history)
    assert "Allowed: 5, 8, 12" in shown(await command(client, quiz, slack, "7"))
    usage = await client.command("/interview", "stop now")
    assert "Usage: `/interview" in ack_text(usage)  # the acknowledgement says it


async def test_restart_mid_interview_and_time_over_the_budget(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    prompt = await command(client, quiz, slack, "5")
    await quiz.engine.store.close()
    async with opened_engine(tmp_path / "quizbot.db", clock, seed=5) as reopened:
        quiz.engine = reopened
        clock.advance(BUDGET_S + 45)
        resumed = await command(client, quiz, slack, "")
        assert "Resuming interview #1" in shown(resumed)
        assert button_values(resumed) == button_values(prompt)
        question = asked(prompt)
        nxt = await answer(client, quiz, slack, resumed, strong_answer(question))
        assert "question 2 of 5" in shown(nxt)
        card = await command(client, quiz, slack, "stop")
        assert "45s over" in shown(card) and "(1 over the budget)" in shown(card)


async def test_targeted_review(client: SlackClient, quiz: SlackQuiz, slack: FakeSlack) -> None:
    await client.command("/review", "category:web")
    await quiz.drain()
    [card] = slack.calls_to("response_url")
    assert asked(card).category == "web"
