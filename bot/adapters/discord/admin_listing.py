"""A ``/quiz-admin`` sub-command that shows one private embed about the server (a listing)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.identity import engine_of, team_of
from bot.adapters.discord.interaction import defer, reply
from bot.engine.engine import QuizEngine
from bot.engine.model import Team

__all__ = ["Listing", "add_listing"]

Listing = Callable[[QuizEngine, Team], Awaitable[discord.Embed]]
"""Reads what to show of a team and renders it."""


def add_listing(admin: app_commands.Group, name: str, description: str, listing: Listing) -> None:
    """Add ``/quiz-admin <name>`` (Manage Server), answered privately with ``listing``'s embed."""

    @app_commands.command(name=name, description=description)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def show(interaction: discord.Interaction[Any]) -> None:
        engine, team = engine_of(interaction), team_of(interaction)
        await defer(interaction)
        await reply(interaction, embed=await listing(engine, team))

    admin.add_command(show)
