"""Slash commands and App Home over the app's real HTTP endpoint, against the fake Slack API."""

from __future__ import annotations

import json

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from tests.adapters.slack.helpers import (
    SlackClient,
    ack_text,
    click_payload,
    correct_value,
    dumped,
    ephemeral,
    response_texts,
    start_round,
)
from tests.conftest import FakeClock
from tests.fakes.slack_api import TEAM_ID, FakeSlack

GENERAL = Channel(Team("slack", TEAM_ID), "C1GENERAL", "general")


async def test_quiz_posts_question_with_buttons_and_attaches_it(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    round_id, buttons, post = await start_round(client, quiz, slack)
    assert post.args["channel"] == "C1GENERAL"
    assert [label[0] for label in buttons] == ["A", "B", "C", "D"]
    assert all(value.startswith(f"quiz:{round_id}:") for value in buttons.values())
    assert "link_names" not in post.args
    card = await engine.current_round(GENERAL)
    assert card is not None and card.round_id == round_id
    assert slack.errors == []


async def test_timer_close_turns_the_question_into_its_reveal(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    _, buttons, post = await start_round(client, quiz, slack)
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    await quiz.drain()
    assert post.args["channel"] == "C1GENERAL"
    clock.advance(61)
    [reveal] = await engine.close_due_rounds()
    await engine.publications.drain()
    [update] = slack.calls_to("chat.update")
    assert update.args["channel"] == "C1GENERAL"
    assert reveal.message_ref is not None
    assert update.args["ts"] == reveal.message_ref.message_id
    kinds = [block["type"] for block in update.args["blocks"]]
    assert "actions" not in kinds
    assert "Mars" in dumped(update) and "alice" in dumped(update)
    assert slack.errors == []


async def test_quiz_with_unknown_category_replies_privately(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    await client.command("/quiz", "gamma")
    await quiz.drain()
    [response] = slack.calls_to("response_url")
    assert "Unknown category 'gamma'" in ephemeral(response)["text"]
    assert slack.calls_to("chat.postMessage") == []


async def test_quiz_garbage_gets_usage_in_the_acknowledgement(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    reply = await client.command("/quiz", "alpha easy <!channel>")
    await quiz.drain()
    assert reply.status == 200
    assert "Usage: `/quiz" in ack_text(reply) and "&lt;!channel&gt;" in ack_text(reply)
    assert "Usage: `/quiz" in json.loads(reply.text)["blocks"][0]["text"]["text"]
    assert slack.api_calls() == []


async def test_second_quiz_in_channel_is_refused(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    await start_round(client, quiz, slack)
    await client.command("/quiz")
    await quiz.drain()
    assert "already open" in response_texts(slack)[0]
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_quiz_where_bot_cannot_post_closes_the_round(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    slack.not_in_channel.add("C1GENERAL")
    await client.command("/quiz")
    await quiz.drain()
    assert "not_in_channel" in response_texts(slack)[0]
    assert await engine.current_round(GENERAL) is None


async def test_leaderboard_and_stats(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    await quiz.drain()
    commands = [
        ("/leaderboard", text) for text in ("", "all channel", "month <#C1GENERAL|general>")
    ]
    commands += [("/leaderboard", "yesterday"), ("/stats", ""), ("/stats", "<@U1ALICE|alice>")]
    commands += [("/stats", "<@U2NOBODY>"), ("/stats", "bob")]
    acks = []
    for name, text in commands:
        acks.append(await client.command(name, text))
        await quiz.drain()  # replies to requests in flight together may arrive in any order
    responses = slack.calls_to("response_url")
    assert len(responses) == 1 + 6  # the feedback, then one reply per command understood
    boards = [dumped(r) for r in responses[1:4]]
    assert all("alice" in board and "Your rank" in board for board in boards)
    assert "<#C1GENERAL>" in boards[2]
    assert "Usage: `/leaderboard" in ack_text(acks[3])  # the usage hints are the acks' text
    stats = [dumped(r) for r in responses[4:]]
    assert "1 answer," in stats[0] and "1 answer," in stats[1]
    assert "0 answers" in stats[2]
    assert "Seen 1 of 3 questions" in stats[0] and "Seen 0 of 3 questions" in stats[2]
    assert "Usage: `/stats" in ack_text(acks[7])
    assert all(r.args["response_type"] == "ephemeral" for r in responses)
    assert slack.errors == []


async def test_app_home_shows_leaderboard_and_own_stats(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    await quiz.drain()
    reply = await client.event({"type": "app_home_opened", "user": "U1ALICE", "tab": "home"})
    assert reply.status == 200
    [publish] = await slack.wait_for("views.publish")
    await quiz.drain()
    assert publish.args["user_id"] == "U1ALICE"
    assert publish.args["view"]["type"] == "home"
    assert "Leaderboard" in dumped(publish) and "Stats for" in dumped(publish)
    assert slack.errors == []


async def test_non_admin_cannot_close(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await start_round(client, quiz, slack)
    await client.command("/quiz-admin", "close", user_id="U5MALLORY", user_name="mallory")
    await quiz.drain()
    assert "Only workspace admins" in response_texts(slack)[0]
    assert [c.args["user"] for c in slack.calls_to("users.info")] == ["U5MALLORY"]
    assert await engine.current_round(GENERAL) is not None
    assert slack.calls_to("chat.update") == []


async def test_listed_admin_closes_and_reveal_replaces_question(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    _, _, post = await start_round(client, quiz, slack)
    await client.command("/quiz-admin", "close", user_id="U9LISTED")
    await quiz.drain()
    assert slack.calls_to("users.info") == []
    [update] = slack.calls_to("chat.update")
    assert update.args["ts"] == "1764000000.000001"
    assert update.args["channel"] == post.args["channel"]
    assert all(block["type"] != "actions" for block in update.args["blocks"])
    assert "Closed round" in response_texts(slack)[0]
    assert await engine.current_round(GENERAL) is None


async def test_admin_close_posts_the_reveal_when_the_question_was_deleted(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    await start_round(client, quiz, slack)
    slack.deleted_messages.add("1764000000.000001")
    await client.command("/quiz-admin", "close", user_id="U9LISTED")
    await quiz.drain()
    [_, reveal] = slack.calls_to("chat.postMessage")  # the question, then the reveal anew
    assert all(block["type"] != "actions" for block in reveal.args["blocks"])
    assert "Closed round" in response_texts(slack)[0]
    assert await engine.current_round(GENERAL) is None


async def test_workspace_admin_may_close_and_usage_for_other_words(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    slack.users["U7OWNER"] = {"is_admin": False, "is_owner": True}
    await start_round(client, quiz, slack)
    await client.command("/quiz-admin", "reboot", user_id="U7OWNER")
    await quiz.drain()
    assert "Usage: `/quiz-admin close`" in response_texts(slack)[0]
    await client.command("/quiz-admin", "close", user_id="U7OWNER")
    await quiz.drain()
    assert len(slack.calls_to("chat.update")) == 1
    assert await engine.current_round(GENERAL) is None


async def test_user_name_with_channel_ping_is_escaped_in_reveal(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    value = correct_value(buttons, "Mars")
    await client.interact(
        click_payload(slack, value, user_id="U3EVE", user_name="<!channel> & <@U1ALICE>")
    )
    await quiz.drain()
    await client.command("/quiz-admin", "close", user_id="U9LISTED")
    await quiz.drain()
    [update] = slack.calls_to("chat.update")
    text = dumped(update)
    assert "&lt;!channel&gt; &amp; &lt;@U1ALICE&gt;" in text
    assert "<!channel>" not in text and "<@U1ALICE>" not in text


async def test_app_home_names_a_never_played_user_from_users_info(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    slack.users["U4NEW"] = {"name": "newbie", "profile": {"display_name": "New *Person*"}}
    for _ in range(2):
        await client.event({"type": "app_home_opened", "user": "U4NEW", "tab": "home"})
        await quiz.drain()
    for user in ("U5MUTE", "U5MUTE"):
        slack.users[user] = {"profile": {"display_name": ""}}
        await client.event({"type": "app_home_opened", "user": user, "tab": "home"})
        await quiz.drain()
    first, second, mute, _ = (json.dumps(c.args["view"]) for c in slack.calls_to("views.publish"))
    assert "New *\\u200bPerson*\\u200b" in first  # the name, its formatting made inert
    assert first == second
    assert "U4NEW" not in first and "U5MUTE" not in mute
    assert "Stats for* you" in mute
    assert [c.args["user"] for c in slack.calls_to("users.info")] == ["U4NEW", "U5MUTE"]
    assert slack.errors == []


async def test_app_home_of_a_player_uses_their_stored_name(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    await quiz.drain()
    await client.event({"type": "app_home_opened", "user": "U1ALICE", "tab": "home"})
    await quiz.drain()
    [publish] = slack.calls_to("views.publish")
    assert "Stats for* alice" in dumped(publish)
    assert slack.calls_to("users.info") == []
