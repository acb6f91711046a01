"""Graceful shutdown: answers in flight commit (and are answered) before run_discord returns."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from bot.adapters.discord import client as discord_client
from bot.adapters.discord import run_discord
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import BOB, CHANNEL, GUILD, Driver
from tests.fakes.discord_api import FakeDiscord


async def deliver(fake: FakeDiscord, payload: dict[str, Any]) -> str:
    """Send an interaction over the gateway, as Discord does; its token."""
    fake.open_interaction(
        payload["id"], payload["token"], payload["channel_id"], payload["member"]["user"]
    )
    await fake.push("INTERACTION_CREATE", payload)
    return str(payload["token"])


async def answers(engine: QuizEngine) -> int:
    row = await engine.store.fetchone("SELECT COUNT(*) FROM answers")
    assert row is not None
    return int(row[0])


async def serve_with_a_question(
    engine: QuizEngine, settings: Settings, fake: FakeDiscord
) -> tuple[asyncio.Task[None], dict[str, Any]]:
    """run_discord connected to the fake, with a multiple-choice question posted."""
    task = asyncio.create_task(run_discord(engine, settings))
    await asyncio.wait_for(fake.gateway_identified.wait(), 5)
    quiz = Driver.payload(
        2,
        {
            "id": "1",
            "name": "quiz",
            "type": 1,
            "guild_id": GUILD,
            "options": [{"name": "category", "type": 3, "value": "alpha"}],
        },
    )
    await fake.answered(await deliver(fake, quiz))
    [message] = [m for m in fake.messages.values() if m.get("interaction_metadata") is None]
    assert message["channel_id"] == CHANNEL
    return task, message


def slowed(engine: QuizEngine, monkeypatch: pytest.MonkeyPatch, seconds: float) -> asyncio.Event:
    """Make saving an answer take ``seconds``; the event is set when saving begins."""
    entered = asyncio.Event()
    real = engine.store.record_answer

    async def slow_record_answer(**kwargs: Any) -> Any:
        entered.set()
        await asyncio.sleep(seconds)
        return await real(**kwargs)

    monkeypatch.setattr(engine.store, "record_answer", slow_record_answer)
    return entered


async def stop(task: asyncio.Task[None]) -> float:
    """Cancel run_discord as the app's shutdown does; seconds until it returned."""
    begun = time.monotonic()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return time.monotonic() - begun


async def test_shutdown_lets_an_answer_in_flight_commit_and_reply(
    engine: QuizEngine, settings: Settings, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    task, message = await serve_with_a_question(engine, settings, fake)
    entered = slowed(engine, monkeypatch, 0.5)
    custom_id = message["components"][0]["components"][0]["custom_id"]
    click = Driver.payload(
        3, {"custom_id": custom_id, "component_type": 2}, who=BOB, message=message
    )
    token = await deliver(fake, click)
    await asyncio.wait_for(entered.wait(), 5)
    assert await answers(engine) == 0

    await stop(task)

    assert await answers(engine) == 1  # committed before run_discord returned
    reply = fake.original(token)
    assert reply is not None and "points" in reply["embeds"][0]["title"]
    assert fake.gateway_identified.is_set() and all(ws.closed for ws in fake._sockets)


async def test_shutdown_waits_for_work_in_flight_only_so_long(
    engine: QuizEngine, settings: Settings, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord_client, "DRAIN_S", 0.3)
    task, message = await serve_with_a_question(engine, settings, fake)
    entered = slowed(engine, monkeypatch, 30)
    custom_id = message["components"][0]["components"][0]["custom_id"]
    click = Driver.payload(3, {"custom_id": custom_id, "component_type": 2}, message=message)
    await deliver(fake, click)
    await asyncio.wait_for(entered.wait(), 5)

    assert await stop(task) < 3
    [stuck] = [
        t
        for t in asyncio.all_tasks()
        if t is not asyncio.current_task()
        and f"dynamic-item-AnswerButton-{custom_id}" in t.get_name()
    ]  # discord.py's task running the pressed button
    stuck.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await stuck
