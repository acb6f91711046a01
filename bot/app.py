"""The composition root: build the store, bank and engine, then run the adapters on one loop."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TextIO

from bot.adapters.console import ConsoleSession, run_console
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.round_timer import run_round_timer
from questions.loader import load_bank
from storage.store import Store

__all__ = ["build_engine", "run", "run_console_app"]


@asynccontextmanager
async def build_engine(settings: Settings, *, seed: int | None = None) -> AsyncIterator[QuizEngine]:
    """Open the store and load the bank; yield the engine; close the store on exit."""
    bank = load_bank(settings.quizbot_questions_dir)
    store = await Store.open(settings.quizbot_database)
    try:
        yield QuizEngine(
            store, bank, rng=random.Random(seed), round_seconds=settings.quizbot_round_seconds
        )
    finally:
        await store.close()


async def run_console_app(
    settings: Settings,
    *,
    seed: int | None = None,
    player: str = "you",
    channel: str = "general",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Run the console adapter until end of input."""
    async with build_engine(settings, seed=seed) as engine:
        interactive = stdin.isatty()
        timer = asyncio.create_task(run_round_timer(engine)) if interactive else None
        try:
            session = ConsoleSession(engine, player_name=player, channel_name=channel)
            return await run_console(session, stdin=stdin, stdout=stdout, interactive=interactive)
        finally:
            if timer is not None:
                timer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await timer


async def run(settings: Settings) -> int:
    """Run every adapter whose credentials are set; the console when none are."""
    if not (settings.discord_enabled or settings.slack_enabled):
        print(
            "No DISCORD_TOKEN or SLACK_BOT_TOKEN set: starting the console. "
            "See the README to connect Discord or Slack.",
            file=sys.stderr,
        )
        return await run_console_app(settings)
    raise NotImplementedError("platform adapters are not available in this build")
