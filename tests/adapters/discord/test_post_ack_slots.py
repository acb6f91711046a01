"""A burst of clicks is acknowledged at once; the work after the defers runs a few at a time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.adapters.ack_first import POST_ACK_SLOTS
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import Driver, user
from tests.adapters.discord.test_commands import button_ids
from tests.fakes.discord_api import FakeDiscord

SLOW_S = 0.3


async def test_post_ack_work_is_bounded_while_every_click_is_deferred_at_once(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = await discord.quiz(("category", "alpha"))
    button = button_ids(message)[0]
    running = peak = 0
    tokens: list[str] = []
    deferred: list[int] = []  # how many clicks were deferred when each slow answer went on
    real_answer = engine.answer

    async def slow_answer(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(SLOW_S)
            deferred.append(sum(bool(fake.responses(token)) for token in tokens))
            return await real_answer(*args, **kwargs)
        finally:
            running -= 1

    monkeypatch.setattr(engine, "answer", slow_answer)
    clicks = POST_ACK_SLOTS + 2
    tokens += [
        discord.send(discord.click(message, button, who=user(f"6{n:017d}", f"user {n}")))
        for n in range(clicks)
    ]
    for token in tokens:
        await fake.answered(token)
    assert deferred[0] == clicks  # every click deferred before the first answer went on
    assert peak == POST_ACK_SLOTS
    assert fake.refused() == []
