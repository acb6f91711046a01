"""/review, rating buttons and the dispute / report modals over Slack's real HTTP endpoint."""

from __future__ import annotations

import json
from typing import Any

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from storage.review_store import ReviewStore
from tests.adapters.slack.helpers import (
    SlackClient,
    actor,
    click_payload,
    ephemeral,
    response_texts,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack


def review_modal(
    callback_id: str, values: dict[str, str], team_id: str = TEAM_ID
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        **actor(team_id),
        "view": {
            "id": "V0VIEW",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps({"round": 1, "channel": "C1GENERAL"}),
            "state": {
                "values": {
                    k: {"value": {"type": "plain_text_input", "value": v}}
                    for k, v in values.items()
                }
            },
        },
    }


async def test_review_rate_dispute_report(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await client.command("/review", "choice")
    await quiz.drain()
    [card] = slack.calls_to("response_url")
    args = ephemeral(card)
    buttons = [e for b in args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == [f"quiz:1:{x}" for x in "ABCD"]
    assert slack.calls_to("chat.postMessage") == []  # private: nothing posted in the channel
    await client.interact(click_payload(slack, "quiz:1:A"))
    await quiz.drain()
    feedback = ephemeral(slack.calls_to("response_url")[-1])
    values = [
        e["value"] for b in feedback["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert values == [
        "rate:1:again",
        "rate:1:hard",
        "rate:1:good",
        "rate:1:easy",
        "dispute:1",
        "report:1",
    ]

    await client.interact(click_payload(slack, "rate:1:easy", action_id="review:rate:easy"))
    await quiz.drain()
    assert "Rated *Easy*" in response_texts(slack)[-1]
    await client.interact(click_payload(slack, "dispute:1", action_id="review:dispute"))
    await quiz.drain()
    [opened] = slack.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == "review:dispute_modal"
    for callback_id, fields, team_id in (
        ("review:dispute_modal", {"note": "<!channel> unfair"}, TEAM_ID),
        ("review:report_modal", {"kind": "typo", "note": "teh"}, TEAM_ID),
        ("review:report_modal", {"kind": "typo"}, "T9EVIL"),
    ):
        await client.interact(review_modal(callback_id, fields, team_id=team_id))
        await quiz.drain()  # one at a time, so the replies come in this order
    texts = [c.args["text"] for c in slack.calls_to("chat.postEphemeral")]
    assert "dispute #1" in texts[0] and "report (typo) #2" in texts[1]
    assert "unknown" in texts[2]
    rows = await ReviewStore(engine.store).reports()
    assert [r.kind for r in rows] == ["dispute", "typo"] and rows[0].note == "<!channel> unfair"
    assert slack.errors == []


async def test_forged_review_button_is_refused(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    for value in ("rate:1:perfect", "rate:1", "dispute:x", "report:1:good"):
        await client.interact(click_payload(slack, value, action_id="review:rate:good"))
    await quiz.drain()
    texts = response_texts(slack)
    assert len(texts) == 4 and all("not valid" in text for text in texts)


async def test_another_users_review_is_unknown(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    """Alice presses a forged answer button, and rates, Bob's private review."""
    bob = {"user_id": "U2BOB", "user_name": "bob"}
    await client.command("/review", "choice", **bob)
    await quiz.drain()
    await client.interact(click_payload(slack, "quiz:1:A"))
    await quiz.drain()
    assert "unknown" in response_texts(slack)[-1]
    assert await engine.store.answer_count(1) == 0
    await client.interact(click_payload(slack, "quiz:1:A", **bob))
    await quiz.drain()  # one at a time, so the replies come in this order
    await client.interact(click_payload(slack, "rate:1:easy", action_id="review:rate:easy"))
    await quiz.drain()
    assert "unknown" in response_texts(slack)[-1]
    assert await engine.store.answer_count(1) == 1


async def test_report_of_an_unknown_kind_keeps_the_modal_open_with_the_error(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await client.command("/review", "choice")
    await quiz.drain()
    reply = await client.interact(review_modal("review:report_modal", {"kind": "spelling"}))
    await quiz.drain()
    assert reply.status == 200
    answer = json.loads(reply.text)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"kind"}
    assert "typo, wrong, unclear" in answer["errors"]["kind"]
    assert await ReviewStore(engine.store).reports() == []  # nothing filed
    assert slack.calls_to("chat.postEphemeral") == []  # the modal says it, nothing else
    reply = await client.interact(review_modal("review:report_modal", {"kind": "Typo"}))
    await quiz.drain()
    assert (reply.status, reply.text) == (200, "")  # accepted: the modal closes
    assert [r.kind for r in await ReviewStore(engine.store).reports()] == ["typo"]
