"""``/quiz-admin reward set|off|show``: roles as rewards on Discord.

``set role:@Role`` with ``champions:True`` (each season's champions get it) or ``points:N``
(members reaching N all-time points get it). Quizbot needs Manage Roles and only takes a role
below its own highest role (:mod:`bot.adapters.discord.roles`); the rules are the engine's
(:mod:`bot.engine.rewards`).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.identity import engine_of, team_of
from bot.adapters.discord.interaction import defer, reply
from bot.adapters.discord.render import name_text
from bot.adapters.discord.roles import NEEDS_MANAGE_ROLES, ServerRoles
from bot.engine.errors import QuizError
from bot.engine.rewards import MAX_THRESHOLD
from storage.reward_store import RewardRow

__all__ = ["add_reward_commands"]


def _rule(rule: RewardRow, names: dict[str, str]) -> str:
    """``@Veteran: 1000 points`` (a role's name, never a mention: replies ping nobody)."""
    when = "each season's champions" if rule.kind == "champions" else f"{rule.threshold} points"
    return f"@{name_text(names.get(rule.role_id, rule.role_id))}: {when}"


def add_reward_commands(admin: app_commands.Group) -> None:
    """Add the ``reward`` sub-command group to ``/quiz-admin``."""
    reward = app_commands.Group(name="reward", description="Roles as rewards", parent=admin)

    @reward.command(name="set", description="Grant a role to season champions or at N points")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        role="The role to grant (below my own highest role)",
        champions="Grant it to each season's champions",
        points="Grant it at this many all-time points",
    )
    async def set_reward(
        interaction: discord.Interaction[Any],
        role: discord.Role,
        champions: bool = False,
        points: app_commands.Range[int, 1, MAX_THRESHOLD] | None = None,
    ) -> None:
        engine, team = engine_of(interaction), team_of(interaction)
        if not interaction.app_permissions.manage_roles:
            raise QuizError(NEEDS_MANAGE_ROLES)
        await defer(interaction)
        guild_id = int(team.team_id)
        await ServerRoles.of(interaction.client).check_grantable(
            guild_id, role.id, role.position, managed=role.managed
        )
        rule = await engine.rewards.set_rule(team, str(role.id), champions=champions, points=points)
        await reply(interaction, f"Reward set: {_rule(rule, {str(role.id): role.name})}.")

    @reward.command(name="off", description="Stop granting a role (members keep it)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(interaction: discord.Interaction[Any], role: discord.Role) -> None:
        engine, team = engine_of(interaction), team_of(interaction)
        await defer(interaction)
        await engine.rewards.remove_rule(team, str(role.id))
        await reply(interaction, f"@{name_text(role.name)} is no longer a reward.")

    @reward.command(name="show", description="The roles granted as rewards")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def show(interaction: discord.Interaction[Any]) -> None:
        engine, team = engine_of(interaction), team_of(interaction)
        await defer(interaction)
        rules = await engine.rewards.rules(team)
        roles = ServerRoles.of(interaction.client)
        names = await roles.names(int(team.team_id)) if rules else {}
        shown = "\n".join(_rule(rule, names) for rule in rules)
        await reply(interaction, shown or "No role is a reward here.")
