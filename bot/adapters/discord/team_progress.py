"""``/quiz-admin progress`` on Discord: each member's accuracy by category and coverage."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.discord.admin_listing import add_listing
from bot.adapters.discord.render import (
    COLOUR_INFO,
    MAX_FIELD,
    MAX_FIELDS,
    MAX_TITLE,
    authored,
    fit,
    name_text,
)
from bot.adapters.progress import progress_bar
from bot.adapters.wording import NO_PROGRESS, category_result, plural, progress_summary
from bot.engine.engine import QuizEngine
from bot.engine.model import Team, TeamProgress
from bot.safe_text import shorten

__all__ = ["add_progress_command", "progress_embed"]


def progress_embed(progress: TeamProgress) -> discord.Embed:
    """A field per member (the first 25 by name): summary, then a bar per category."""
    embed = discord.Embed(title="Team progress", colour=COLOUR_INFO)
    if not progress.members:
        embed.description = NO_PROGRESS
    elif len(progress.members) > MAX_FIELDS:
        embed.description = f"The first {MAX_FIELDS} of {plural(len(progress.members), 'member')}."
    for member in progress.members[:MAX_FIELDS]:
        name = name_text(member.display_name)
        bars = [
            f"{authored(c.title, 60)} {progress_bar(c.accuracy)} {category_result(c)}"
            for c in member.categories
        ]
        embed.add_field(
            name=shorten(name, MAX_TITLE),
            value=shorten("\n".join([progress_summary(member, progress), *bars]), MAX_FIELD),
            inline=False,
        )
    return fit(embed)


async def _progress(engine: QuizEngine, team: Team) -> discord.Embed:
    return progress_embed(await engine.progress.team(team))


def add_progress_command(admin: app_commands.Group) -> None:
    """Add ``progress`` to ``/quiz-admin``."""
    add_listing(admin, "progress", "Each member's accuracy by category and coverage", _progress)
