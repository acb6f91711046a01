"""/quiz-admin daily refuses a channel option naming a channel of another server."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord.daily import OTHER_SERVER
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from tests.adapters.discord.conftest import CHANNEL, GUILD, MANAGE_GUILD, OTHER_GUILD, Driver
from tests.adapters.discord.test_commands import reply_of
from tests.adapters.discord.test_daily import daily_set
from tests.fakes.discord_api import FakeDiscord, _guild_create

FOREIGN = "555555555555555555"  # a text channel of OTHER_GUILD


def resolved(channel_id: str, guild_id: str | None) -> dict[str, Any]:
    channel: dict[str, Any] = {"id": channel_id, "name": "elsewhere", "type": 0}
    channel["permissions"] = "84992"
    if guild_id is not None:
        channel["guild_id"] = guild_id
    return {"channels": {channel_id: channel}}


def with_channel(options: list[dict[str, Any]], channel_id: str) -> list[dict[str, Any]]:
    """``daily_set``'s options with the ``channel`` option naming ``channel_id``."""
    [group] = options
    [sub] = group["options"]
    sub["options"][0]["value"] = channel_id
    return options


async def daily_set_in(discord: Driver, channel_id: str, guild_id: str | None) -> str:
    return await discord.run(
        discord.slash(
            "quiz-admin",
            with_channel(daily_set(time="09:00", timezone="Europe/Berlin"), channel_id),
            resolved=resolved(channel_id, guild_id),
            permissions=str(MANAGE_GUILD),
        )
    )


async def test_daily_set_refuses_a_channel_the_payload_puts_in_another_server(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    token = await daily_set_in(discord, FOREIGN, OTHER_GUILD)
    assert reply_of(fake, token)["content"] == OTHER_SERVER
    assert await engine.daily.db.active_schedules() == []


async def test_daily_set_refuses_a_channel_the_bot_knows_in_another_server(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    # The bot's cache, as the gateway fills it: FOREIGN is a channel of OTHER_GUILD.
    discord.bot._connection.parse_guild_create(_guild_create(OTHER_GUILD, [FOREIGN]))
    token = await daily_set_in(discord, FOREIGN, None)  # the payload names no server
    assert reply_of(fake, token)["content"] == OTHER_SERVER
    assert await engine.daily.db.active_schedules() == []


@pytest.mark.parametrize("named", [GUILD, None])
async def test_daily_set_accepts_a_channel_of_this_server(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, named: str | None
) -> None:
    token = await daily_set_in(discord, CHANNEL, named)
    assert "Daily question in <#" in reply_of(fake, token)["content"]
    [schedule] = await engine.daily.schedules(Team("discord", GUILD))
    assert schedule.channel_id == CHANNEL
