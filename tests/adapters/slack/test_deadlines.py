"""Slack's 3-second deadlines hold while the engine is slow.

Slack waits 3 s for the acknowledgement and a ``trigger_id`` expires 3 s after the click. The
tests lower that deadline to :data:`DEADLINE_S` and make the engine take :data:`SLOW_S` (past
it): the ack and views.open must still arrive in time, and the slow work must still complete.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.adapters.slack import SlackQuiz
from bot.engine.engine import QuizEngine
from bot.engine.model import Player, Reveal, Team
from tests.adapters.slack.helpers import (
    SlackClient,
    click_payload,
    correct_value,
    ephemeral,
    response_texts,
    start_round,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack

DEADLINE_S = 0.8
SLOW_S = 1.6
ALICE = Player(Team("slack", TEAM_ID), "U1ALICE", "alice")


def slowed(work: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``work`` that first sleeps past the lowered deadline."""

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(SLOW_S)
        return await work(*args, **kwargs)

    return slow


@pytest.fixture
def slow_closing(engine: QuizEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing due rounds (which every engine read runs first, and which may publish reveals
    over the network) takes longer than the lowered deadline."""

    async def close_due_rounds() -> list[Reveal]:
        await asyncio.sleep(SLOW_S)
        return []

    monkeypatch.setattr(engine._closer, "close_due_rounds", close_due_rounds)


async def test_open_button_opens_the_modal_before_slow_engine_work(
    client: SlackClient,
    quiz: SlackQuiz,
    slack: FakeSlack,
    engine: QuizEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, buttons, post = await start_round(client, quiz, slack, "alpha easy open")
    monkeypatch.setattr(engine._closer, "close_due_rounds", slowed(engine._closer.close_due_rounds))
    client.deadline_s = DEADLINE_S
    clicked = time.monotonic()
    await client.interact(
        click_payload(slack, buttons["Answer in my own words"], action_id="quiz:open", message=post)
    )
    [opened] = await slack.wait_for("views.open", wait_s=SLOW_S * 3)
    assert opened.at - clicked < DEADLINE_S
    assert "red planet" in str(opened.args["view"])
    await quiz.drain()
    assert slack.errors == []


async def test_open_button_on_an_ephemeral_review_card_opens_before_engine_work(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    """A /review card is ephemeral: its click carries no message, so the modal opens with a
    generic title and no engine lookup happens before views.open."""
    await client.command("/review", "open")
    await quiz.drain()
    card = ephemeral(slack.calls_to("response_url")[-1])
    [value] = [e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    calls: list[str] = []
    real_current = engine.current_round

    async def current_round(*args: Any, **kwargs: Any) -> Any:
        calls.append("engine")
        await asyncio.sleep(SLOW_S)
        return await real_current(*args, **kwargs)

    engine.current_round = current_round  # type: ignore[method-assign]
    client.deadline_s = DEADLINE_S
    clicked = time.monotonic()
    await client.interact(click_payload(slack, value, action_id="quiz:open"))
    [opened] = await slack.wait_for("views.open", wait_s=SLOW_S * 3)
    assert opened.at - clicked < DEADLINE_S
    assert opened.args["view"]["title"]["text"].startswith("Question #")
    await quiz.drain()
    assert slack.errors == []


async def test_dispute_button_opens_its_modal_in_time(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, slow_closing: None
) -> None:
    client.deadline_s = DEADLINE_S
    clicked = time.monotonic()
    await client.interact(click_payload(slack, "dispute:1", action_id="review:dispute"))
    [opened] = await slack.wait_for("views.open", wait_s=SLOW_S * 3)
    assert opened.at - clicked < DEADLINE_S
    await quiz.drain()


async def test_ack_arrives_in_time_while_the_engine_is_slow_and_the_work_completes(
    client: SlackClient,
    quiz: SlackQuiz,
    slack: FakeSlack,
    engine: QuizEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "start_round", slowed(engine.start_round))
    monkeypatch.setattr(engine, "answer", slowed(engine.answer))
    client.deadline_s = DEADLINE_S  # SlackClient.post asserts each ack came within it
    reply = await client.command("/quiz", "alpha easy")
    assert reply.status == 200 and reply.elapsed < DEADLINE_S
    [post] = await slack.wait_for("chat.postMessage", wait_s=SLOW_S * 3)
    await quiz.drain()
    buttons = {
        e["text"]["text"]: e["value"]
        for b in post.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    reply = await client.interact(click_payload(slack, correct_value(buttons, "Mars")))
    assert reply.status == 200 and reply.elapsed < DEADLINE_S
    await quiz.drain()
    assert "Correct" in response_texts(slack)[-1]
    assert (await engine.stats(ALICE)).correct == 1
