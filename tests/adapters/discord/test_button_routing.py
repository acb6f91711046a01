"""Button presses reach discord.py's dynamic items (state in the custom_id): from a cached guild
too, after a restart, never twice; a press no button takes is refused, never left silent."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord import create_bot
from bot.adapters.discord.client import QuizBot
from bot.adapters.discord.components import UNKNOWN_QUESTION
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import BOB, CHANNEL, GUILD, Driver, user
from tests.adapters.discord.test_commands import button_ids, reply_of
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
    """Presses go to the dynamic items; a stored view would handle each press a second time."""
    message = await discord.quiz(("category", "alpha"))
    button = message["components"][0]["components"][0]["custom_id"]
    await discord.fake.answered(discord.send(discord.click(message, button)))
    assert bot.persistent_views == []
    assert discord.fake.refused() == []


def with_components(message: dict[str, Any], *custom_ids: str) -> dict[str, Any]:
    buttons = [{"type": 2, "style": 2, "label": "x", "custom_id": i} for i in custom_ids]
    return {**message, "components": [{"type": 1, "components": buttons}] if buttons else []}


async def test_a_fresh_client_answers_buttons_of_a_message_an_earlier_one_posted(
    discord: Driver, engine: QuizEngine, settings: Settings, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "alpha"))
    await discord.bot.close()  # the process that posted it is gone
    restarted = create_bot(engine, settings)
    try:
        await restarted.login("fake-token")
        driver = Driver(restarted, fake)
        token = await driver.run(driver.click(message, button_ids(message)[0], who=BOB))
        assert "points" in reply_of(fake, token)["embeds"][0]["title"]
    finally:
        await restarted.close()
    assert await answers(engine) == 1


async def test_a_well_formed_id_the_pressed_message_lacks_is_refused(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    """discord.py drops such a press silently; the client answers it instead."""
    message = await discord.quiz(("category", "alpha"))
    real = button_ids(message)[0]
    for shown in (with_components(message, "quiz:999:B"), with_components(message)):
        token = await discord.run(discord.click(shown, real))
        reply = reply_of(fake, token)
        assert reply["content"] == UNKNOWN_QUESTION and reply["flags"] & 64
    no_message = discord.click(message, real)
    del no_message["message"]
    token = await discord.run(no_message)
    assert reply_of(fake, token)["content"] == UNKNOWN_QUESTION
    assert await answers(engine) == 0
    assert fake.refused() == []


async def test_a_select_menu_with_a_buttons_id_is_refused(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "alpha"))
    real = button_ids(message)[0]
    select = {"type": 3, "custom_id": real, "options": [{"label": "a", "value": "a"}]}
    shown = {**message, "components": [{"type": 1, "components": [select]}]}
    press = discord.payload(
        3, {"custom_id": real, "component_type": 3, "values": ["a"]}, message=shown
    )
    token = await discord.run(press)
    assert reply_of(fake, token)["content"] == UNKNOWN_QUESTION
