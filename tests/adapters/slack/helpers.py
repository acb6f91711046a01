"""Helpers shared by the Slack adapter tests: signing, payload builders, a Slack-shaped client."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.adapters.slack import SlackQuiz
from tests.fakes.slack_api import TEAM_ID, ApiCall, FakeSlack

__all__ = [
    "ACK_DEADLINE_S",
    "APP_TOKEN",
    "BOT_TOKEN",
    "SECRET",
    "Reply",
    "Sender",
    "SlackClient",
    "ack_text",
    "actor",
    "answer_buttons",
    "click_payload",
    "command_form",
    "correct_value",
    "dumped",
    "ephemeral",
    "response_texts",
    "sign",
    "start_round",
    "submission_payload",
]

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
ACK_DEADLINE_S = 3.0


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{ts}:{body}``."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return "v0=" + digest.hexdigest()


@dataclass
class Reply:
    """The HTTP answer of the app to one signed request."""

    status: int
    text: str
    elapsed: float


class SlackClient:
    """Sends Slack-shaped, signed requests to the app's real HTTP endpoint."""

    def __init__(self, session: aiohttp.ClientSession, url: str, slack: FakeSlack) -> None:
        self.session = session
        self.url = url
        self.slack = slack
        self.deadline_s = ACK_DEADLINE_S  # lowered by tests that make the engine slow

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        """POST a raw body, signed unless ``signature`` is given; checks the ack deadline
        (Slack's 3 s, or :attr:`deadline_s` when a test lowered it)."""
        stamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": signature or sign(body, stamp),
        }
        started = time.monotonic()
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            text = await response.text()
        elapsed = time.monotonic() - started
        assert elapsed < self.deadline_s, f"answered Slack after {elapsed:.2f}s"
        return Reply(response.status, text, elapsed)

    async def command(self, name: str, text: str = "", **fields: str) -> Reply:
        """A slash command as Slack sends it (a form body)."""
        return await self.post(urlencode(command_form(self.slack, name, text, **fields)), FORM)

    async def interact(self, payload: dict[str, Any]) -> Reply:
        """A button click or modal submission (``payload=<json>`` form body)."""
        return await self.post(urlencode({"payload": json.dumps(payload)}), FORM)

    async def event(self, event: dict[str, Any], team_id: str = TEAM_ID) -> Reply:
        """An Events API callback (JSON body)."""
        body = {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": "Ev0001",
            "event_time": int(time.time()),
            "event": event,
        }
        return await self.post(json.dumps(body), "application/json")


FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Sender:
    """Who sends a command, click or modal submission, and from which channel; the payload
    builders take these fields as keyword arguments (``user_id="U9LISTED"``)."""

    team_id: str = TEAM_ID
    user_id: str = "U1ALICE"
    user_name: str = "alice"
    channel_id: str = "C1GENERAL"
    channel_name: str = "general"


def command_form(slack: FakeSlack, name: str, text: str = "", **sender: str) -> dict[str, str]:
    """The form fields of a slash command (``sender``: fields of :class:`Sender`)."""
    who = Sender(**sender)
    return {
        "token": "legacy",
        "team_id": who.team_id,
        "team_domain": "fake",
        "channel_id": who.channel_id,
        "channel_name": who.channel_name,
        "user_id": who.user_id,
        "user_name": who.user_name,
        "command": name,
        "text": text,
        "api_app_id": "A0APP",
        "response_url": slack.response_url(),
        "trigger_id": "1.2.trigger",
    }


def actor(
    team_id: str = TEAM_ID, user_id: str = "U1ALICE", user_name: str = "alice"
) -> dict[str, Any]:
    """The fields every interaction payload carries: team, user, app, token and trigger."""
    return {
        "team": {"id": team_id, "domain": "fake"},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": "1.2.trigger",
    }


def click_payload(
    slack: FakeSlack,
    value: str,
    *,
    action_id: str = "quiz:answer:A",
    message: ApiCall | None = None,
    **sender: str,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a button click; ``message`` is the posted message the
    button sits on (Slack sends it back with the click; an ephemeral message has none);
    ``sender``: fields of :class:`Sender`."""
    who = Sender(**sender)
    payload: dict[str, Any] = {
        "type": "block_actions",
        **actor(who.team_id, who.user_id, who.user_name),
        "channel": {"id": who.channel_id, "name": who.channel_name},
        "container": {"type": "message", "channel_id": who.channel_id, "message_ts": "1.1"},
        "response_url": slack.response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "quiz:1",
                "value": value,
                "action_ts": "1.3",
                "text": {"type": "plain_text", "text": "A"},
            }
        ],
    }
    if message is not None:
        payload["message"] = {
            "type": "message",
            "ts": "1.1",
            "text": message.args.get("text", ""),
            "blocks": message.args.get("blocks", []),
        }
    return payload


def submission_payload(
    round_id: int, text: str, *, response_url: str = "", **sender: str
) -> dict[str, Any]:
    """A ``view_submission`` payload of the answer modal (``response_url``: the one the app
    kept in ``private_metadata`` when it opened the modal; ``sender``: fields of
    :class:`Sender`)."""
    who = Sender(**sender)
    meta: dict[str, Any] = {"round": round_id, "channel": who.channel_id}
    if response_url:
        meta["response_url"] = response_url
    return {
        "type": "view_submission",
        **actor(who.team_id, who.user_id, who.user_name),
        "view": {
            "id": "V0VIEW",
            "type": "modal",
            "callback_id": "quiz:answer_modal",
            "private_metadata": json.dumps(meta),
            "state": {"values": {"answer": {"text": {"type": "plain_text_input", "value": text}}}},
        },
    }


def answer_buttons(post: ApiCall) -> dict[str, str]:
    """Button label -> value of a posted question."""
    return {
        element["text"]["text"]: element["value"]
        for block in post.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


async def start_round(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, text: str = "alpha easy"
) -> tuple[int, dict[str, str], ApiCall]:
    """Run ``/quiz text``; return the round id, its buttons (label -> value) and the post."""
    reply = await client.command("/quiz", text)
    assert reply.status == 200
    await quiz.drain()
    post = slack.calls_to("chat.postMessage")[-1]
    buttons = answer_buttons(post)
    round_id = int(next(iter(buttons.values())).split(":")[1])
    return round_id, buttons, post


def correct_value(buttons: dict[str, str], answer: str) -> str:
    """The value of the button whose label names ``answer``."""
    return next(value for label, value in buttons.items() if answer in label)


def dumped(call: ApiCall) -> str:
    """A recorded call's arguments as one JSON string (for "never contains" checks)."""
    return json.dumps(call.args)


def ack_text(reply: Reply) -> str:
    """The ``text`` of an acknowledgement that carries a message (a slash command's private
    answer, sent by bolt's ``ack(text=…)``)."""
    body = json.loads(reply.text)
    assert isinstance(body, dict) and isinstance(body.get("text"), str), reply
    return str(body["text"])


def response_texts(slack: FakeSlack) -> list[str]:
    """The ``text`` of every response_url post so far."""
    return [str(call.args.get("text", "")) for call in slack.calls_to("response_url")]


def ephemeral(call: ApiCall) -> dict[str, Any]:
    """The arguments of a response_url post, checked to be ephemeral."""
    assert call.args["response_type"] == "ephemeral"
    return call.args
