"""``/quiz-admin questions`` on Discord: how the server's questions fare, flagged ones first."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.discord.admin_listing import add_listing
from bot.adapters.discord.render import COLOUR_INFO, MAX_FIELD, MAX_FOOTER, MAX_TITLE, fit
from bot.adapters.wording import QUESTION_STATS_NOTE, plural, question_figures, question_flags
from bot.engine.disputes import LISTED
from bot.engine.engine import QuizEngine
from bot.engine.model import QuestionStats, Team
from bot.safe_text import shorten

__all__ = ["add_question_stats_command", "question_stats_embed"]


def question_stats_embed(found: tuple[QuestionStats, ...], limit: int) -> discord.Embed:
    """The team's questions, flagged ones first (at most ``limit``); question ids are slugs."""
    embed = discord.Embed(title="How the questions fare", colour=COLOUR_INFO)
    if not found:
        embed.description = "No question has been asked in this server yet."
    elif len(found) > limit:
        embed.description = f"The first {limit} of {plural(len(found), 'question')}."
    for stats in found[:limit]:
        embed.add_field(
            name=shorten(f"{stats.question_id}: {question_flags(stats)}", MAX_TITLE),
            value=shorten(question_figures(stats), MAX_FIELD),
            inline=False,
        )
    embed.set_footer(text=shorten(QUESTION_STATS_NOTE, MAX_FOOTER))
    return fit(embed)


async def _questions(engine: QuizEngine, team: Team) -> discord.Embed:
    return question_stats_embed(await engine.analytics.questions(team), LISTED)


def add_question_stats_command(admin: app_commands.Group) -> None:
    """Add ``questions`` to ``/quiz-admin``."""
    add_listing(admin, "questions", "How each question fares: rates, picks, flags", _questions)
