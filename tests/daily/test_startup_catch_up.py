"""A slot missed while the bot was down is posted once the platform's adapter has started.

Through ``bot.app.run``, the real startup order: the daily service starts *before* any adapter,
and an adapter registers its outbox only once it runs. Starting must not wait for the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import run
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal, Team
from questions.loader import QuestionBank
from storage.store import Store
from tests.ops.support import make_settings

TEAM = Team("discord", "G1")
CHANNEL = Channel(TEAM, "C1", "quiz")


@pytest.fixture(autouse=True)
def _no_platform_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from what the test passes."""
    for key in list(os.environ):
        if key.startswith(("DISCORD_", "SLACK_", "QUIZBOT_")):
            monkeypatch.delenv(key)


class Outbox:
    """Records what the daily service posts."""

    def __init__(self) -> None:
        self.posts: list[QuestionCard | Reveal] = []
        self.posted = asyncio.Event()

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        self.posts.append(view)
        self.posted.set()
        return MessageRef(channel.channel_id, f"m{len(self.posts)}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """Count edits are not under test here."""


class Adapter:
    """Like the real adapters: registers its outbox once it runs, then serves until cancelled."""

    def __init__(self) -> None:
        self.outbox = Outbox()
        self.started = asyncio.Event()

    async def __call__(self, engine: QuizEngine, settings: Settings) -> None:
        engine.register_outbox("discord", self.outbox)
        self.started.set()
        await asyncio.Event().wait()


async def test_a_slot_missed_by_an_hour_is_posted_once_after_the_adapter_starts(
    tmp_path: Path, bank: QuestionBank
) -> None:
    database = tmp_path / "q.db"
    missed = datetime.fromtimestamp(time.time() - 3600, UTC)  # the slot was an hour ago
    store = await Store.open(database)
    try:
        await QuizEngine(store, bank).daily.set_schedule(
            CHANNEL, time_of_day=f"{missed:%H:%M}", timezone="UTC"
        )
    finally:
        await store.close()

    adapter = Adapter()
    began = time.monotonic()
    task = asyncio.create_task(run(make_settings(database, discord_token="d"),
                                   adapters={"discord": adapter}))  # fmt: skip
    try:
        await asyncio.wait_for(adapter.started.wait(), 5)  # startup is not blocked
        assert time.monotonic() - began < 5
        await asyncio.wait_for(adapter.outbox.posted.wait(), 5)
        await asyncio.sleep(0.3)  # time for a second post, which must not come
    finally:
        if adapter.started.is_set():  # run's signal handlers are installed
            os.kill(os.getpid(), signal.SIGTERM)
        else:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
    assert task.result() == 0
    [card] = adapter.outbox.posts
    assert isinstance(card, QuestionCard) and card.kind == "daily"
