"""A burst of clicks is acknowledged at once; the work after the acks runs a few at a time,
while a click that opens a modal never waits for a slot."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.adapters.ack_first import POST_ACK_SLOTS
from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import SlackClient, click_payload, start_round
from tests.fakes.slack_api import FakeSlack

SLOW_S = 0.5


async def test_post_ack_work_is_bounded_while_every_click_is_acknowledged_at_once(
    client: SlackClient,
    quiz: SlackQuiz,
    slack: FakeSlack,
    engine: QuizEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, buttons, _ = await start_round(client, quiz, slack)
    value = next(iter(buttons.values()))
    running = peak = 0
    real_answer = engine.answer

    async def slow_answer(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(SLOW_S)
            return await real_answer(*args, **kwargs)
        finally:
            running -= 1

    monkeypatch.setattr(engine, "answer", slow_answer)
    client.deadline_s = SLOW_S  # SlackClient.post asserts each ack came within it
    clicks = [
        client.interact(click_payload(slack, value, user_id=f"U{n:08d}", user_name=f"u{n}"))
        for n in range(POST_ACK_SLOTS + 2)
    ]
    replies = await asyncio.gather(*clicks)
    assert all(reply.status == 200 for reply in replies)

    clicked = time.monotonic()  # every slot is taken by a slow answer now
    await client.interact(click_payload(slack, "dispute:1", action_id="review:dispute"))
    [opened] = await slack.wait_for("views.open", wait_s=SLOW_S * 4)
    assert opened.at - clicked < SLOW_S

    await quiz.drain()
    assert peak == POST_ACK_SLOTS
    assert len(slack.calls_to("response_url")) == POST_ACK_SLOTS + 2
    assert slack.errors == []
