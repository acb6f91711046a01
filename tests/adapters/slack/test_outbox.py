"""SlackOutbox's classification of failed Web API calls, against the fake Slack API."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.adapters.slack import SlackOutbox, make_client
from bot.engine.model import Channel, MessageRef, QuestionCard, Team
from tests.adapters.slack.helpers import BOT_TOKEN
from tests.fakes.slack_api import TEAM_ID, FakeSlack

CARD = QuestionCard(
    round_id=1,
    kind="daily",
    mode="choice",
    question_id="q",
    category="alpha",
    category_title="Alpha",
    difficulty="easy",
    prompt="Red?",
    choices=("Mars", "Venus", "Jupiter", "Mercury"),
    closes_at=1_764_000_000.0,
    time_limit_s=60,
)


async def test_message_gone_and_channel_gone(slack: FakeSlack) -> None:
    outbox = SlackOutbox(make_client(BOT_TOKEN, slack.api_url))
    ref = await outbox.post(Channel(Team("slack", TEAM_ID), "C1GENERAL", "general"), CARD)
    await outbox.edit(ref, CARD)  # still there: fine
    slack.deleted_messages.add(ref.message_id)
    with pytest.raises(SlackApiError) as deleted:
        await outbox.edit(ref, CARD)
    assert SlackOutbox.message_gone(deleted.value)
    assert not SlackOutbox.channel_gone(deleted.value)
    slack.not_in_channel.add("C2OTHER")
    with pytest.raises(SlackApiError) as kicked:
        await outbox.edit(MessageRef("C2OTHER", "1.1"), CARD)
    assert SlackOutbox.channel_gone(kicked.value)
    assert not SlackOutbox.message_gone(kicked.value)
    assert not SlackOutbox.message_gone(RuntimeError("message_not_found"))
    response = deleted.value.response
    response.data = {"ok": False, "error": "cant_update_message"}  # type: ignore[misc]
    assert SlackOutbox.message_gone(SlackApiError("x", response))
