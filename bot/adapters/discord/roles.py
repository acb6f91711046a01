"""Role hierarchy on Discord: Quizbot grants a role only when it is below the bot's own highest
role (Discord refuses the others too), never ``@everyone`` nor a role an integration manages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord.http import HTTPClient

from bot.engine.errors import QuizError

__all__ = ["NEEDS_MANAGE_ROLES", "ServerRoles"]

NEEDS_MANAGE_ROLES = (
    "I need the **Manage Roles** permission to grant rewards; give it to my role and try again."
)


@dataclass(frozen=True, slots=True)
class ServerRoles:
    """The REST calls roles as rewards need (a server's roles, the bot's own, granting one),
    made as the bot user ``bot_id``."""

    http: HTTPClient
    bot_id: int

    @classmethod
    def of(cls, client: discord.Client) -> ServerRoles:
        """The calls of a logged-in client."""
        if client.user is None:
            raise RuntimeError("roles are read only once the client has logged in")
        return cls(client.http, client.user.id)

    async def _bot_top_position(self, guild_id: int) -> int:
        """The position of the bot's highest role in the server (0: only ``@everyone``)."""
        member: Any = await self.http.get_member(guild_id, self.bot_id)
        mine = {int(role_id) for role_id in member.get("roles", [])}
        roles: Any = await self.http.get_roles(guild_id)
        return max((int(r.get("position", 0)) for r in roles if int(r["id"]) in mine), default=0)

    async def check_grantable(
        self, guild_id: int, role_id: int, position: int, *, managed: bool
    ) -> None:
        """:class:`QuizError` unless Quizbot may grant the role (below its own, not managed,
        not ``@everyone``)."""
        if role_id == guild_id:
            raise QuizError("Every member has the everyone role already; pick another role.")
        if managed:
            raise QuizError("An integration manages that role; pick a role members can be given.")
        if position >= await self._bot_top_position(guild_id):
            raise QuizError(
                "That role is not below my own highest role, and I never touch roles above mine: "
                "move my role above it in Server Settings → Roles, or pick a lower one."
            )

    async def grant(self, guild_id: int, user_id: int, role_id: int) -> None:
        """Give the member the role, after checking it is still below the bot's own."""
        roles: Any = await self.http.get_roles(guild_id)
        role = next((r for r in roles if int(r["id"]) == role_id), None)
        if role is None:
            raise QuizError("That role no longer exists.")
        await self.check_grantable(
            guild_id, role_id, int(role.get("position", 0)), managed=bool(role.get("managed"))
        )
        await self.http.add_role(guild_id, user_id, role_id, reason="Quizbot reward")

    async def names(self, guild_id: int) -> dict[str, str]:
        """The server's role names by id."""
        roles: Any = await self.http.get_roles(guild_id)
        return {str(r["id"]): str(r.get("name", "")) for r in roles}
