"""One event log line per interaction; failures answered, never "interaction failed"."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.adapters.discord import render
from bot.adapters.discord.interaction import SOMETHING_WRONG
from bot.engine.engine import QuizEngine
from bot.engine.model import CategoryStats, Channel, Stats, Team
from bot.logging_setup import EVENT_LOGGER
from tests.adapters.discord.conftest import CHANNEL, GUILD, Driver
from tests.adapters.discord.test_commands import button_ids, reply_of
from tests.fakes.discord_api import FakeDiscord


def events(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == EVENT_LOGGER]


async def test_each_interaction_logs_one_event_line_without_its_token(
    discord: Driver, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # discord.py's DEBUG lines carry webhook URLs; run.py keeps
    # its loggers at WARNING (bot.logging_setup.configure_logging)
    message = await discord.quiz(("category", "alpha"))
    ids = button_ids(message)
    tokens = [
        await discord.run(discord.click(message, ids[0])),
        await discord.run(discord.click(message, ids[1])),  # refused: already answered
        await discord.run(discord.click(message, "quiz:not-a-round")),  # unknown id
        await discord.run(discord.submit("quizmodal:999999", "words")),  # unknown round
        await discord.run(discord.slash("leaderboard")),
    ]
    lines = events(caplog)
    assert [(r.command, r.outcome) for r in lines] == [  # type: ignore[attr-defined]
        ("quiz", "ok"),
        ("button:answer", "ok"),
        ("button:answer", "refused"),
        ("button:unknown", "ok"),
        ("modal", "refused"),
        ("leaderboard", "ok"),
    ]
    for record in lines:
        fields: dict[str, Any] = vars(record)
        assert fields["adapter"] == "discord" and fields["team"] == GUILD
        assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0
        assert record.levelno == logging.INFO
    for token in tokens:
        assert token.startswith("tok-")
        assert all(token not in str(value) for r in lines for value in vars(r).values())
        assert token not in caplog.text


async def test_unexpected_failure_behind_a_button_is_answered_and_logged(
    discord: Driver,
    fake: FakeDiscord,
    engine: QuizEngine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO)
    message = await discord.quiz(("category", "alpha"))

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(engine, "answer", broken)
    token = await discord.run(discord.click(message, button_ids(message)[0]))
    assert reply_of(fake, token)["content"] == SOMETHING_WRONG
    [*_, last] = events(caplog)
    assert (last.command, last.outcome, last.levelno) == (  # type: ignore[attr-defined]
        "button:answer",
        "error",
        logging.WARNING,
    )


async def test_quiz_in_a_channel_the_bot_cannot_post_in_leaves_no_round_open(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    fake.forbidden_channels.add(CHANNEL)
    token = await discord.run(discord.slash("quiz"))
    assert "could not post the question" in reply_of(fake, token)["content"]
    channel = Channel(Team("discord", GUILD), CHANNEL, "general")
    assert await engine.current_round(channel) is None
    fake.forbidden_channels.clear()
    message = await discord.quiz()  # not refused with "a question is already open"
    assert button_ids(message)


def test_stats_with_many_categories_and_a_streak_fit_discords_embed_limits() -> None:
    categories = tuple(
        CategoryStats(f"c{i}", f"Category number {i} " + "x" * 200, 4, 2) for i in range(30)
    )
    stats = Stats("u", "Alice", 10, 120, 60, 1, categories, None, 0, 0, 3, 5)
    embed = render.stats_embed(stats)
    assert len(embed.fields) <= 25 and len(embed) <= 6000
    assert embed.fields[-1].name == "Daily streak"
    few = Stats("u", "Alice", 10, 100, 50, 1, categories[:25], None, 0, 0, 3, 5)
    assert [f.name for f in render.stats_embed(few).fields][-1] == "Daily streak"
