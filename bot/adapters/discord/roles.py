"""Role hierarchy on Discord: Quizbot grants a role only when it is below the bot's own highest
role (Discord refuses the others too), never ``@everyone`` nor a role an integration manages."""

from __future__ import annotations

from typing import Any

import discord

from bot.engine.errors import QuizError

__all__ = ["NEEDS_MANAGE_ROLES", "check_grantable", "grant", "role_names"]

NEEDS_MANAGE_ROLES = (
    "I need the **Manage Roles** permission to grant rewards; give it to my role and try again."
)


async def _bot_top_position(client: discord.Client, guild_id: int) -> int:
    """The position of the bot's highest role in the server (0: only ``@everyone``)."""
    assert client.user is not None
    member: Any = await client.http.get_member(guild_id, client.user.id)
    mine = {int(role_id) for role_id in member.get("roles", [])}
    roles: Any = await client.http.get_roles(guild_id)
    return max((int(r.get("position", 0)) for r in roles if int(r["id"]) in mine), default=0)


async def check_grantable(
    client: discord.Client, guild_id: int, role_id: int, position: int, *, managed: bool
) -> None:
    """:class:`QuizError` unless Quizbot may grant the role (below its own, not managed, not
    ``@everyone``)."""
    if role_id == guild_id:
        raise QuizError("Every member has the everyone role already; pick another role.")
    if managed:
        raise QuizError("An integration manages that role; pick a role members can be given.")
    if position >= await _bot_top_position(client, guild_id):
        raise QuizError(
            "That role is not below my own highest role, and I never touch roles above mine: "
            "move my role above it in Server Settings → Roles, or pick a lower one."
        )


async def grant(client: discord.Client, guild_id: int, user_id: int, role_id: int) -> None:
    """Give the member the role, after checking it is still below the bot's own."""
    roles: Any = await client.http.get_roles(guild_id)
    role = next((r for r in roles if int(r["id"]) == role_id), None)
    if role is None:
        raise QuizError("That role no longer exists.")
    await check_grantable(
        client, guild_id, role_id, int(role.get("position", 0)), managed=bool(role.get("managed"))
    )
    await client.http.add_role(guild_id, user_id, role_id, reason="Quizbot reward")


async def role_names(client: discord.Client, guild_id: int) -> dict[str, str]:
    """The server's role names by id."""
    roles: Any = await client.http.get_roles(guild_id)
    return {str(r["id"]): str(r.get("name", "")) for r in roles}
