"""Hostile text through the real app over loopback: every posted payload is inert.

Pings (``<!channel>``, ``<!here>``, ``<!everyone>``, ``<@U…>``, ``<#C…>``) are escaped wherever
text lands, whoever wrote it. Slack formatting (``*bold*``, ``_italic_``, ``~strike~``, code and
code fences, ``>`` quotes) typed by users (display names, answers) is broken up with a
zero-width space so it shows as typed. Question-pack text keeps its markdown on purpose (the
built-in packs format code with backticks), but its pings are escaped just the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.adapters.slack import SlackQuiz
from bot.adapters.slack.blocks import ZWSP
from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank
from questions.schema import Pack
from tests.adapters.slack.helpers import (
    Reply,
    SlackClient,
    ack_text,
    click_payload,
    correct_value,
    start_round,
    submission_payload,
)
from tests.adapters.slack.test_blocks import mrkdwn_texts
from tests.fakes.slack_api import ApiCall, FakeSlack

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS", "<#C0EVIL", "<https://evil")
NAME = "*boss* _x_ ~y~ `c` <!channel> <!here> <@U0BOSS> <#C0EVIL>"
ANSWER = (
    "```\nrm -rf /\n``` *bold* _it_ ~s~ `x` <!everyone> <@U0BOSS|boss> <#C0EVIL|evil> "
    "<https://evil.example|click me>\n> quoted"
)
MARKUP = ("*boss*", "_x_", "~y~", "`c`", "```", "*bold*", "_it_", "~s~", "`x`", "\n&gt; quoted")


def parsed_texts(value: Any, *, top: bool = True) -> list[str]:
    """Every text Slack parses as mrkdwn in a payload: the ``text`` fallback of a message and
    each ``mrkdwn`` object (``plain_text`` is never parsed for formatting or mentions)."""
    found: list[str] = []
    if isinstance(value, dict):
        if top and isinstance(value.get("text"), str):
            found.append(value["text"])
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            found.append(value["text"])
        for key, item in value.items():
            if key != "text" or not isinstance(item, str):
                found += parsed_texts(item, top=False)
    elif isinstance(value, list):
        for item in value:
            found += parsed_texts(item, top=False)
    return found


def all_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in all_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in all_strings(item)]
    return [value] if isinstance(value, str) else []


def assert_inert(calls: list[ApiCall], *, user_markup: tuple[str, ...] = MARKUP) -> None:
    """No ping and no user formatting in any text Slack parses in ``calls`` (a header or a
    button label is ``plain_text``: shown as written, never parsed)."""
    assert calls
    for call in calls:
        texts = parsed_texts(call.args)
        assert texts, call.method
        for text in texts:
            for ping in PINGS:
                assert ping not in text, (call.method, text)
            for markup in user_markup:
                assert markup not in text, (call.method, text)


def acknowledgement(reply: Reply) -> ApiCall:
    """An acknowledgement that carries a message, as a call to check like the others."""
    return ApiCall("ack", json.loads(reply.text), 0.0)


def outgoing(slack: FakeSlack) -> list[ApiCall]:
    """Everything the app sent that a user can see."""
    seen = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
    return [c for c in slack.calls if c.method in seen or c.method.startswith("views.")]


async def test_hostile_display_name_in_reveal_leaderboard_and_stats(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    await client.interact(
        click_payload(slack, correct_value(buttons, "Mars"), user_id="U3EVE", user_name=NAME)
    )
    await quiz.drain()
    await client.command("/quiz-admin", "close", user_id="U9LISTED")
    await client.command("/leaderboard", "all")
    await client.command("/stats", user_id="U3EVE", user_name=NAME)
    usage = await client.command("/stats", "<@U3EVE|*boss* _x_ ~y~ `c`>")
    await quiz.drain()
    [update] = slack.calls_to("chat.update")
    assert f"*{ZWSP}boss*{ZWSP}" in " ".join(all_strings(update.args))  # shown, not bold
    assert len(slack.calls_to("response_url")) == 1 + 1 + 1 + 1
    assert "Usage: `/stats" in ack_text(usage)  # the mention split in words: refused in the ack
    assert_inert([*outgoing(slack), acknowledgement(usage)])
    assert slack.errors == []


async def test_hostile_answer_in_feedback(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    round_id, _, _ = await start_round(client, quiz, slack, "alpha easy open")
    await client.interact(submission_payload(round_id, ANSWER))
    await quiz.drain()
    [feedback] = slack.calls_to("chat.postEphemeral")
    shown = str(feedback.args["blocks"])
    assert "rm -rf" in shown and "&lt;!everyone&gt;" in shown
    assert_inert(outgoing(slack))
    assert slack.errors == []


async def test_refusal_quoting_hostile_input_is_escaped(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack
) -> None:
    for name, text in (
        ("/quiz", "<!channel>"),  # /quiz is sent unescaped (should_escape: false)
        ("/quiz", "<@U0BOSS>"),
    ):
        await client.command(name, text)
        await quiz.drain()  # one at a time, so the replies come in this order
    usage = await client.command("/leaderboard", "<!here>")  # refused in the ack
    responses = slack.calls_to("response_url")
    assert len(responses) == 2
    assert "&lt;!channel&gt;" in responses[0].args["text"]
    assert "&lt;!here&gt;" in ack_text(usage) and "Usage" in ack_text(usage)
    assert_inert([*responses, acknowledgement(usage)], user_markup=())
    assert slack.calls_to("chat.postMessage") == []


HOSTILE_PROMPT = "Which *planet* <!channel> <@U0BOSS> <#C0EVIL> <https://evil|x> ```boom"
HOSTILE_CHOICE = "<!here> Mars ```"


def hostile_pack() -> Pack:
    return Pack.model_validate(
        {
            "category": "evil",
            "title": "Evil <!everyone> pack",
            "questions": [
                {
                    "id": "evil-one",
                    "difficulty": "easy",
                    "rarity": "common",
                    "prompt": HOSTILE_PROMPT,
                    "answer": "Mars <!channel> is red.",
                    "explanation": "Rust <@U0BOSS>. <#C0EVIL>",
                    "choices": [
                        {"text": HOSTILE_CHOICE, "correct": True},
                        {"text": "Venus <!everyone>", "why_wrong": "Venus is pale <!here>."},
                        {"text": "Jupiter"},
                        {"text": "Mercury"},
                    ],
                    "key_points": [{"label": "Names Mars <!here>", "phrases": ["mars"]}],
                    "misconceptions": [
                        {"phrases": ["venus"], "correction": "Not Venus <!channel>."}
                    ],
                    "samples": [
                        {"label": label, "text": text, "expected": [low, high]}
                        for label, text, low, high in (
                            ("full", "Mars", 0.8, 1.0),
                            ("paraphrase", "it is Mars", 0.8, 1.0),
                            ("partial", "the fourth one, Mars maybe", 0.0, 1.0),
                            ("wrong", "Venus", 0.0, 0.2),
                        )
                    ],
                }
            ],
        }
    )


class TestHostileQuestionPack:
    """A custom pack whose texts carry pings and a stray code fence."""

    @pytest.fixture
    def bank(self) -> QuestionBank:
        return QuestionBank([hostile_pack()])

    async def test_card_feedback_and_reveal_are_inert(
        self, client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
    ) -> None:
        _, buttons, post = await start_round(client, quiz, slack, "evil easy")
        assert "&lt;!channel&gt;" in str(post.args["blocks"])
        await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
        await client.interact(
            click_payload(slack, correct_value(buttons, "Venus"), user_id="U2BOB", user_name=NAME)
        )
        await quiz.drain()
        reasons = [
            text
            for call in slack.calls_to("response_url")
            for text in mrkdwn_texts(call.args.get("blocks", []))
            if "Why your choice is wrong" in text
        ]
        assert reasons == ["*Why your choice is wrong:* Venus is pale &lt;!here&gt;."]
        await client.command("/quiz-admin", "close", user_id="U9LISTED")
        await quiz.drain()
        round_id, _, _ = await start_round(client, quiz, slack, "evil easy open")
        await client.interact(submission_payload(round_id, "venus " + ANSWER))
        await quiz.drain()
        assert len(slack.calls_to("chat.update")) == 1
        assert len(slack.calls_to("chat.postEphemeral")) == 1
        # pings from the pack are escaped everywhere; its markdown is the author's to use
        assert_inert(outgoing(slack), user_markup=("*boss*", "*bold*", "\n&gt; quoted"))
        assert slack.errors == []
