"""An output question on Slack, over the app's real HTTP endpoint and the fake Slack API: the
code as a code block within Slack's limits, answered by button and by typing the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.slack import SlackQuiz, blocks
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from questions.loader import QuestionBank
from tests.adapters.output_bank import OUTPUT, output_bank
from tests.adapters.slack.helpers import (
    SlackClient,
    click_payload,
    dumped,
    ephemeral,
    start_round,
    submission_payload,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack

GENERAL = Channel(Team("slack", TEAM_ID), "C1GENERAL", "general")


@pytest.fixture
def bank(tmp_path: Path) -> QuestionBank:
    return output_bank(tmp_path / "packs")


async def test_output_round_by_choice_shows_the_code_and_the_output(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    round_id, buttons, post = await start_round(client, quiz, slack, "code")
    assert list(buttons) == ["A", "B", "C", "D"]
    sections = [b["text"]["text"] for b in post.args["blocks"] if b["type"] == "section"]
    assert sections[1].startswith("```\n") and sections[1].count("```") == 2
    assert "<!channel>" not in dumped(post) and "&lt;!channel&gt;" in sections[1]
    card = await engine.current_round(GENERAL)
    assert card is not None
    letter = "ABCD"[card.choices.index(OUTPUT)]
    await client.interact(click_payload(slack, buttons[letter], action_id=f"quiz:answer:{letter}"))
    await quiz.drain()
    [feedback] = slack.calls_to("response_url")
    texts = [b["text"]["text"] for b in ephemeral(feedback)["blocks"] if b["type"] == "section"]
    assert "*Output:*\n" + blocks.code(OUTPUT, blocks.MAX_SECTION_CHARS - 20) in texts
    assert round_id == card.round_id and slack.errors == []


async def test_output_round_answered_by_typing_the_output(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    round_id, buttons, post = await start_round(client, quiz, slack, "code open")
    assert list(buttons) == ["Type what it prints"]
    assert "Type exactly what it prints" in dumped(post)
    await client.interact(submission_payload(round_id, "\n" + OUTPUT + "  \n"))
    await quiz.drain()
    await client.interact(submission_payload(round_id, "``` <!here>", user_id="U2BOB"))
    await quiz.drain()
    verdicts = [dumped(call) for call in slack.calls_to("chat.postEphemeral")]
    verdicts += [dumped(call) for call in slack.calls_to("response_url")]
    assert any("Correct!" in text for text in verdicts)
    assert any("Not quite." in text for text in verdicts)
    assert slack.errors == []
