"""Socket Mode: ``run_slack`` connects to the fake, acknowledges envelopes, closes cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import json
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.adapters.slack import run_slack
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import (
    ACK_DEADLINE_S,
    APP_TOKEN,
    BOT_TOKEN,
    actor,
    answer_buttons,
    click_payload,
    command_form,
    correct_value,
)
from tests.fakes.slack_api import FakeSlack


async def test_socket_mode_acks_envelopes_and_runs_commands(
    engine: QuizEngine, slack: FakeSlack
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
    )
    task = asyncio.create_task(run_slack(engine, settings))
    try:
        await slack.wait_connected()
        form = command_form(slack, "/quiz", "alpha easy")
        # Slack sends the command's form fields as a JSON object
        payload = dict(parse_qsl(urlencode(form), keep_blank_values=True))
        await slack.send_envelope("slash_commands", payload, "env-1")
        ack, took = await slack.wait_ack("env-1")
        assert ack["envelope_id"] == "env-1" and took < ACK_DEADLINE_S
        [post] = await slack.wait_for("chat.postMessage")
        value = correct_value(answer_buttons(post), "Mars")

        await slack.send_envelope("interactive", click_payload(slack, value), "env-2")
        ack, took = await slack.wait_ack("env-2")
        assert ack["envelope_id"] == "env-2" and took < ACK_DEADLINE_S
        [feedback] = await slack.wait_for("response_url")
        assert "Correct" in feedback.args["text"]
        assert feedback.args["response_type"] == "ephemeral"
        assert json.dumps(feedback.args)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert slack.errors == []


async def test_socket_mode_acks_carry_usage_hints_and_modal_errors(
    engine: QuizEngine, slack: FakeSlack
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
    )
    task = asyncio.create_task(run_slack(engine, settings))
    try:
        await slack.wait_connected()
        form = command_form(slack, "/quiz", "alpha easy hard")
        await slack.send_envelope("slash_commands", form, "env-1")
        ack, _ = await slack.wait_ack("env-1")
        assert "Usage: `/quiz" in ack["payload"]["text"]
        report = {
            "type": "view_submission",
            **actor(),
            "view": {
                "id": "V0VIEW",
                "type": "modal",
                "callback_id": "review:report_modal",
                "private_metadata": json.dumps({"round": 1, "channel": "C1GENERAL"}),
                "state": {
                    "values": {"kind": {"value": {"type": "plain_text_input", "value": "bad"}}}
                },
            },
        }
        await slack.send_envelope("interactive", report, "env-2")
        ack, _ = await slack.wait_ack("env-2")
        assert ack["payload"]["response_action"] == "errors"
        assert "typo, wrong, unclear" in ack["payload"]["errors"]["kind"]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert slack.calls_to("response_url") == [] and slack.calls_to("chat.postMessage") == []
    assert slack.errors == []


async def test_run_slack_needs_a_way_in(engine: QuizEngine, slack: FakeSlack) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack.api_url,
    )
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        await run_slack(engine, settings)
