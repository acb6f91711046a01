"""Button presses are routed by custom_id: from a cached guild too, and never twice."""

from __future__ import annotations

import pytest

from bot.adapters.discord.client import QuizBot
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import CHANNEL, GUILD, Driver, user
from tests.adapters.discord.test_shutdown import answers, deliver, serve_with_a_question, stop
from tests.fakes.discord_api import FakeDiscord


async def test_clicks_from_a_cached_guild_are_answered(
    engine: QuizEngine, settings: Settings, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.guilds = {GUILD: [CHANNEL]}
    bots: list[QuizBot] = []
    real_setup_hook = QuizBot.setup_hook

    async def setup_hook(self: QuizBot) -> None:
        bots.append(self)
        await real_setup_hook(self)

    monkeypatch.setattr(QuizBot, "setup_hook", setup_hook)
    task, message = await serve_with_a_question(engine, settings, fake)
    [bot] = bots
    guild = bot.get_guild(int(GUILD))
    assert guild is not None and guild.get_channel(int(CHANNEL)) is not None
    button = message["components"][0]["components"][0]["custom_id"]
    driver = Driver(bot, fake)
    for n in range(3):
        click = driver.click(message, button, who=user(f"7{n:017d}", f"user {n}"))
        await fake.answered(await deliver(fake, click))
    assert await answers(engine) == 3
    assert fake.refused() == []
    assert await stop(task) < 3


async def test_question_and_feedback_views_stay_out_of_the_view_store(
    discord: Driver, bot: QuizBot
) -> None:
    """Presses are routed by custom_id; a stored view would handle each press a second time."""
    message = await discord.quiz(("category", "alpha"))
    button = message["components"][0]["components"][0]["custom_id"]
    await discord.fake.answered(discord.send(discord.click(message, button)))
    assert bot.persistent_views == []
    assert discord.fake.refused() == []
