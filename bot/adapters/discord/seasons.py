"""``/quiz-admin season end name:…`` on Discord: archive the season's standings, start fresh.

A sub-command group of ``/quiz-admin`` (Manage Server, checked again here); the final standings
are shown by ``/leaderboard season:<name>``.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.identity import engine_of, team_of
from bot.adapters.discord.interaction import defer, reply
from bot.adapters.discord.render import name_text
from bot.adapters.wording import season_ended

__all__ = ["add_season_commands"]


def add_season_commands(admin: app_commands.Group) -> None:
    """Add the ``season`` sub-command group to ``/quiz-admin``."""
    season = app_commands.Group(
        name="season", description="Seasons of the leaderboard", parent=admin
    )

    @season.command(name="end", description="End the season: archive its standings, start fresh")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(name="The ended season's name, e.g. 2026 spring")
    async def end(
        interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 40]
    ) -> None:
        engine, team = engine_of(interaction), team_of(interaction)
        await defer(interaction)
        ended = await engine.seasons.end(team, name)
        await reply(interaction, season_ended(ended, name_text, "/leaderboard"))
