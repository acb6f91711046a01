"""Modal submissions answer through the opening click's response_url, not chat.postEphemeral.

chat.postEphemeral needs the bot in the channel, but /quiz posts through chat:write.public and
/review works in DMs, so the fake answers it with ``not_in_channel`` here.
"""

from __future__ import annotations

import json
from typing import Any

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from bot.engine.model import Player, Team
from storage.review_store import ReviewStore
from tests.adapters.slack.helpers import (
    SlackClient,
    actor,
    click_payload,
    ephemeral,
    start_round,
    submission_payload,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack

ALICE = Player(Team("slack", TEAM_ID), "U1ALICE", "alice")


async def open_answer_modal(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> tuple[int, dict[str, Any]]:
    """Start an open-mode round and click "Answer in my own words"; the opened view."""
    round_id, buttons, post = await start_round(client, quiz, slack, "alpha easy open")
    value = buttons["Answer in my own words"]
    await client.interact(click_payload(slack, value, action_id="quiz:open", message=post))
    await quiz.drain()
    [opened] = slack.calls_to("views.open")
    return round_id, opened.args["view"]


def submitted(view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A view_submission of ``view`` (as opened); ``values`` maps a block id to
    ``"<action id>=<typed text>"``."""
    state: dict[str, Any] = {}
    for block, typed in values.items():
        action, _, text = typed.partition("=")
        state[block] = {action: {"type": "plain_text_input", "value": text}}
    return {
        "type": "view_submission",
        **actor(),
        "view": {**view, "id": "V0VIEW", "state": {"values": state}},
    }


async def test_answer_feedback_reaches_a_channel_the_bot_is_not_in(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    _, view = await open_answer_modal(client, quiz, slack)
    slack.ephemeral_not_in_channel.add("C1GENERAL")
    await client.interact(submitted(view, {"answer": "text=Mars, because of iron oxide"}))
    await quiz.drain()
    [feedback] = slack.calls_to("response_url")
    args = ephemeral(feedback)
    assert args["replace_original"] is False and "points" in args["text"]
    assert slack.calls_to("chat.postEphemeral") == []
    assert (await engine.stats(ALICE)).answers == 1


async def test_refusal_of_a_modal_answer_uses_the_response_url_too(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, view = await open_answer_modal(client, quiz, slack)
    slack.ephemeral_not_in_channel.add("C1GENERAL")
    for _ in range(2):
        await client.interact(submitted(view, {"answer": "text=mars"}))
        await quiz.drain()
    texts = [call.args["text"] for call in slack.calls_to("response_url")]
    assert len(texts) == 2 and "already answered" in texts[1]


async def test_expired_response_url_falls_back_to_post_ephemeral(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, view = await open_answer_modal(client, quiz, slack)
    slack.response_urls_expired = True
    await client.interact(submitted(view, {"answer": "text=mars"}))
    await quiz.drain()
    assert len(slack.calls_to("response_url")) == 1  # tried first
    [fallback] = slack.calls_to("chat.postEphemeral")
    assert fallback.args["channel"] == "C1GENERAL" and fallback.args["user"] == "U1ALICE"
    assert "points" in fallback.args["text"]


async def test_modal_without_response_url_uses_post_ephemeral(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    round_id, _ = await open_answer_modal(client, quiz, slack)
    await client.interact(submission_payload(round_id, "mars"))  # an older modal's metadata
    await quiz.drain()
    assert slack.calls_to("response_url") == []
    assert len(slack.calls_to("chat.postEphemeral")) == 1


async def test_dispute_and_report_confirmations_reach_a_dm(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    slack.ephemeral_not_in_channel.add("D1ALICE")
    await client.command("/review", "choice", channel_id="D1ALICE", channel_name="directmessage")
    await quiz.drain()
    await client.interact(click_payload(slack, "quiz:1:A", channel_id="D1ALICE"))
    await quiz.drain()
    for what in ("dispute", "report"):
        click = click_payload(slack, f"{what}:1", action_id=f"review:{what}", channel_id="D1ALICE")
        await client.interact(click)
        await quiz.drain()
        view = slack.calls_to("views.open")[-1].args["view"]
        meta = json.loads(view["private_metadata"])
        assert meta == {"round": 1, "channel": "D1ALICE", "response_url": click["response_url"]}
    dispute_view, report_view = (c.args["view"] for c in slack.calls_to("views.open"))
    await client.interact(submitted(dispute_view, {"note": "value=<!channel> unfair"}))
    await quiz.drain()
    await client.interact(submitted(report_view, {"kind": "value=typo", "note": "value=teh"}))
    await quiz.drain()
    texts = [call.args["text"] for call in slack.calls_to("response_url")[-2:]]
    assert "dispute #1" in texts[0] and "report (typo) #2" in texts[1]
    assert slack.calls_to("chat.postEphemeral") == []
    assert [r.kind for r in await ReviewStore(engine.store).reports()] == ["dispute", "typo"]
