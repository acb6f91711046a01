"""Roles as rewards on Discord: configured by admins, granted below the bot's own role only."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from tests.adapters.discord.conftest import CHANNEL, GUILD, MANAGE_GUILD, Driver
from tests.adapters.discord.test_commands import reply_of
from tests.analytics_data import answer_easy_question
from tests.fakes.discord_api import BOT_ID, FakeDiscord

TEAM = Team("discord", GUILD)
ADMIN = str(MANAGE_GUILD)
MANAGE_ROLES = 0x10000000
BOT_ROLE, CHAMPION, VETERAN, MODERATOR = (f"77700000000000000{n}" for n in range(1, 5))


def role(role_id: str, name: str, position: int, *, managed: bool = False) -> dict[str, Any]:
    return {
        "id": role_id,
        "name": name,
        "position": position,
        "managed": managed,
        "permissions": "0",
        "hoist": False,
        "mentionable": False,
        "flags": 0,
        "colors": {"primary_color": 0},
    }


@pytest.fixture
def roles(fake: FakeDiscord) -> dict[str, dict[str, Any]]:
    known = {
        GUILD: role(GUILD, "@everyone", 0),
        CHAMPION: role(CHAMPION, "Champion", 2),
        VETERAN: role(VETERAN, "Veteran", 3),
        BOT_ROLE: role(BOT_ROLE, "Quizbot", 5, managed=True),
        MODERATOR: role(MODERATOR, "Moderator", 9),
    }
    fake.roles[GUILD] = list(known.values())
    fake.member_roles[str(BOT_ID)] = [BOT_ROLE]
    return known


def reward(
    discord: Driver,
    roles: dict[str, dict[str, Any]],
    action: str,
    role_id: str | None = None,
    *,
    can_manage_roles: bool = True,
    **values: Any,
) -> dict[str, Any]:
    options: list[dict[str, Any]] = []
    resolved: dict[str, Any] = {}
    if role_id is not None:
        options.append({"name": "role", "type": 8, "value": role_id})
        resolved = {"roles": {role_id: roles[role_id]}}
    types = {bool: 5, int: 4}
    options += [{"name": k, "type": types[type(v)], "value": v} for k, v in values.items()]
    data = [
        {"name": "reward", "type": 2, "options": [{"name": action, "type": 1, "options": options}]}
    ]
    payload: dict[str, Any] = discord.slash(
        "quiz-admin", data, permissions=ADMIN, resolved=resolved
    )
    payload["app_permissions"] = str(84992 | (MANAGE_ROLES if can_manage_roles else 0))
    return payload


async def test_points_and_champions_roles_are_granted(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, roles: dict[str, dict[str, Any]]
) -> None:
    done = await discord.run(reward(discord, roles, "set", VETERAN, points=100))
    assert reply_of(fake, done)["content"] == "Reward set: @Veteran: 100 points."
    await discord.run(reward(discord, roles, "set", CHAMPION, champions=True))
    shown = await discord.run(reward(discord, roles, "show"))
    assert reply_of(fake, shown)["content"] == (
        "@Champion: each season's champions\n@Veteran: 100 points"
    )

    await answer_easy_question(engine, TEAM, CHANNEL)  # 11 players right at once: 100 points
    veterans = {user for _, user, role_id in fake.granted if role_id == VETERAN}
    assert len(veterans) == 11 and "900000000000000000" not in veterans  # player 0 missed
    await engine.close_channel_round(Channel(TEAM, CHANNEL))
    await answer_easy_question(engine, TEAM, CHANNEL)
    assert len([g for g in fake.granted if g[2] == VETERAN]) == 11  # nobody twice

    ended = await engine.seasons.end(TEAM, "autumn")
    champions = {user for _, user, role_id in fake.granted if role_id == CHAMPION}
    assert champions == set(ended.champion_ids) and len(champions) == 11


@pytest.mark.parametrize(
    ("action", "role_id", "values", "can_manage_roles", "message"),
    [
        ("set", MODERATOR, {"champions": True}, True, "not below my own highest role"),
        ("set", BOT_ROLE, {"champions": True}, True, "An integration manages that role"),
        ("set", GUILD, {"champions": True}, True, "the everyone role already"),
        ("set", CHAMPION, {"champions": True}, False, "Manage Roles"),
        ("set", CHAMPION, {"champions": True, "points": 5}, True, "champions, or a points"),
        ("set", CHAMPION, {}, True, "champions, or a points"),
        ("off", CHAMPION, {}, True, "not a reward here"),
    ],
)
async def test_bad_rewards_are_refused_and_change_nothing(
    discord: Driver,
    fake: FakeDiscord,
    engine: QuizEngine,
    roles: dict[str, dict[str, Any]],
    action: str,
    role_id: str,
    values: dict[str, Any],
    can_manage_roles: bool,
    message: str,
) -> None:
    refused = await discord.run(
        reward(discord, roles, action, role_id, can_manage_roles=can_manage_roles, **values)
    )
    assert message in reply_of(fake, refused)["content"]
    assert await engine.rewards.rules(TEAM) == ()


async def test_a_role_moved_above_the_bot_is_not_granted(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, roles: dict[str, dict[str, Any]]
) -> None:
    await discord.run(reward(discord, roles, "set", VETERAN, points=100))
    roles[VETERAN]["position"] = 7  # moved above Quizbot's role after it was set
    fake.roles[GUILD] = list(roles.values())
    await answer_easy_question(engine, TEAM, CHANNEL)
    assert fake.granted == []


async def test_only_server_managers_set_rewards(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, roles: dict[str, dict[str, Any]]
) -> None:
    payload = reward(discord, roles, "set", VETERAN, points=100)
    payload["member"]["permissions"] = "3072"
    refused = await discord.run(payload)
    assert "Manage Server" in reply_of(fake, refused)["content"]
    assert await engine.rewards.rules(TEAM) == ()
