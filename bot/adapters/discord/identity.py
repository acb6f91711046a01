"""Translating Discord identities into the engine's Team, Channel and Player."""

from __future__ import annotations

from typing import Any

import discord

from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, Player, Team

__all__ = [
    "PLATFORM",
    "SERVERS_ONLY",
    "channel_of",
    "engine_of",
    "member_player",
    "player_of",
    "team_of",
]

PLATFORM = "discord"
SERVERS_ONLY = "Quizbot works in servers only, not in direct messages."


def engine_of(interaction: discord.Interaction[Any]) -> QuizEngine:
    """The engine of the bot that received ``interaction``."""
    engine = getattr(interaction.client, "quiz_engine", None)
    if not isinstance(engine, QuizEngine):
        raise RuntimeError("interaction received by a client without a quiz engine")
    return engine


def team_of(interaction: discord.Interaction[Any]) -> Team:
    """The server of the interaction; quizzes only run in servers."""
    if interaction.guild_id is None:
        raise QuizError(SERVERS_ONLY)
    return Team(PLATFORM, str(interaction.guild_id))


def channel_of(interaction: discord.Interaction[Any]) -> Channel:
    """The channel the interaction came from."""
    if interaction.channel_id is None:
        raise QuizError("This command needs a channel.")
    name = getattr(interaction.channel, "name", None) or ""
    return Channel(team_of(interaction), str(interaction.channel_id), str(name))


def member_player(team: Team, user: discord.User | discord.Member) -> Player:
    """A server member (or user) as a player of ``team``."""
    return Player(team, str(user.id), user.display_name)


def player_of(interaction: discord.Interaction[Any]) -> Player:
    """The user who caused the interaction."""
    return member_player(team_of(interaction), interaction.user)
