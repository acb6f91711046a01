"""Buttons, the answer modal and request verification over the app's real HTTP endpoint."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from tests.adapters.slack.helpers import (
    FORM,
    SlackClient,
    click_payload,
    command_form,
    correct_value,
    dumped,
    ephemeral,
    response_texts,
    sign,
    start_round,
    submission_payload,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack

TEAM = Team("slack", TEAM_ID)
ALICE = Player(TEAM, "U1ALICE", "alice")
GENERAL = Channel(TEAM, "C1GENERAL", "general")


async def test_button_answer_gets_ephemeral_feedback(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    reply = await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    assert reply.status == 200
    await quiz.drain()
    [feedback] = slack.calls_to("response_url")
    args = ephemeral(feedback)
    assert args["replace_original"] is False
    assert "Correct" in args["text"]
    assert (await engine.stats(ALICE)).correct == 1
    assert slack.errors == []


async def test_second_answer_is_refused(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    await quiz.drain()
    await client.interact(click_payload(slack, correct_value(buttons, "Venus")))
    await quiz.drain()
    texts = response_texts(slack)
    assert "already answered" in texts[1]
    stats = await engine.stats(ALICE)
    assert (stats.answers, stats.correct) == (1, 1)


async def test_round_of_another_workspace_is_unknown(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    round_id, _, _ = await start_round(client, quiz, slack)
    before = len(slack.api_calls())
    forged = click_payload(slack, f"quiz:{round_id}:A", team_id="T9EVIL", user_id="U9EVIL")
    await client.interact(forged)
    await quiz.drain()
    assert "unknown here" in response_texts(slack)[0]
    assert len(slack.api_calls()) == before + 1  # only the ephemeral reply
    card = await engine.current_round(GENERAL)
    assert card is not None and card.answer_count == 0
    assert (await engine.stats(Player(Team("slack", "T9EVIL"), "U9EVIL", "x"))).answers == 0


async def test_garbage_button_value_is_refused(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await start_round(client, quiz, slack)
    for value in ("quiz:abc:A", "quiz:1:E", "' OR 1=1 --", "quiz:99999999999999999999:A"):
        await client.interact(click_payload(slack, value))
    await quiz.drain()
    texts = response_texts(slack)
    assert len(texts) == 4 and all("not valid" in text for text in texts)
    card = await engine.current_round(GENERAL)
    assert card is not None and card.answer_count == 0


async def test_open_mode_modal_and_escaped_free_text(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    round_id, buttons, post = await start_round(client, quiz, slack, "alpha easy open")
    [(label, value)] = buttons.items()
    assert label == "Answer in my own words"
    click = click_payload(slack, value, action_id="quiz:open", message=post)
    await client.interact(click)
    await quiz.drain()
    [opened] = slack.calls_to("views.open")
    view = opened.args["view"]
    assert opened.args["trigger_id"] == "1.2.trigger"
    meta = json.loads(view["private_metadata"])
    assert meta == {
        "round": round_id,
        "channel": "C1GENERAL",
        "response_url": click["response_url"],
    }
    assert "red planet" in dumped(opened)  # the prompt, taken from the clicked message
    assert slack.calls_to("views.update") == []
    [field] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert field["multiline"] is True and field["max_length"] <= 3000
    text = "<!channel> <!here> Mars, because of iron oxide & rust"
    reply = await client.interact(
        submission_payload(round_id, text, response_url=meta["response_url"])
    )
    assert reply.status == 200
    await quiz.drain()
    assert slack.calls_to("chat.postEphemeral") == []
    [feedback] = slack.calls_to("response_url")
    assert ephemeral(feedback)["replace_original"] is False
    shown = dumped(feedback)
    assert "&lt;!channel&gt; &lt;!here&gt;" in shown and "&amp; rust" in shown
    assert "<!channel>" not in shown and "<!here>" not in shown
    assert (await engine.stats(ALICE)).answers == 1
    assert slack.errors == []


async def test_modal_refusals_are_ephemeral(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    round_id, _, _ = await start_round(client, quiz, slack, "alpha easy open")
    for payload in (
        submission_payload(round_id, "mars"),
        submission_payload(round_id, "mars again"),
        submission_payload(round_id, "x", team_id="T9EVIL"),
    ):
        await client.interact(payload)
        await quiz.drain()  # one at a time, so the replies come in this order
    texts = [c.args["text"] for c in slack.calls_to("chat.postEphemeral")]
    assert "already answered" in texts[1]
    assert "unknown here" in texts[2]
    assert (await engine.stats(ALICE)).answers == 1


async def test_forged_signature_and_stale_timestamp_are_rejected(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    now = int(time.time())
    stale_stamp = now - 6 * 60
    for body in (
        urlencode(command_form(slack, "/quiz")),
        urlencode({"payload": json.dumps(click_payload(slack, "quiz:1:A"))}),
    ):
        forged = await client.post(body, FORM, signature=sign(body, now, secret="not-the-secret"))
        stale = await client.post(
            body, FORM, timestamp=stale_stamp, signature=sign(body, stale_stamp)
        )
        garbage = await client.post(
            body, FORM, timestamp=now, signature=sign(body, now).replace("v0=", "v1=")
        )
        await quiz.drain()
        assert (forged.status, stale.status, garbage.status) == (401, 401, 401)
    assert slack.api_calls() == []
    assert await engine.current_round(GENERAL) is None


async def test_rate_limited_post_is_retried_not_dropped(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    slack.rate_limit("chat.postMessage")
    await client.command("/quiz")
    await quiz.drain()
    first, second = slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert slack.calls_to("response_url") == []
    reveal = await engine.close_channel_round(GENERAL)
    assert reveal.message_ref is not None  # attached to the message the retried post created
    assert reveal.message_ref.message_id == "1764000000.000001"


async def test_modal_with_broken_metadata_is_ignored(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    payload = submission_payload(1, "mars")
    payload["view"]["private_metadata"] = "{not json"
    reply = await client.interact(payload)
    await quiz.drain()
    assert reply.status == 200
    assert slack.api_calls() == []
    assert "ignored a modal submission with missing fields" in caplog.text
    assert "Slack listener failed" not in caplog.text and "bolt failed" not in caplog.text


async def test_command_without_a_listener_is_refused_by_bolt_and_logged(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await client.command("/not-ours", "secret words")
    await quiz.drain()
    assert reply.status == 404
    assert "Unhandled request" in caplog.text and "secret words" not in caplog.text
    assert slack.api_calls() == []


async def test_signed_garbage_payload_is_refused_logged_and_changes_nothing(
    client: SlackClient,
    quiz: SlackQuiz,
    slack: FakeSlack,
    engine: QuizEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reply = await client.post(urlencode({"payload": "{not json"}), FORM)
    await quiz.drain()
    assert (reply.status, reply.text) == (400, "JSON not valid")
    assert "refused a Slack request: 400 JSON not valid" in caplog.text
    assert "Traceback" not in caplog.text
    assert slack.api_calls() == []
    assert await engine.current_round(GENERAL) is None
