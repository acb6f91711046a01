"""The weekly digest as a Discord embed (names escaped, question text as authored)."""

from __future__ import annotations

import discord

from bot.adapters.discord.render import (
    COLOUR_INFO,
    MAX_FIELD,
    MAX_FOOTER,
    MAX_TITLE,
    authored,
    fit,
    name_text,
)
from bot.adapters.wording import (
    digest_categories,
    digest_missed,
    digest_streaks,
    digest_title,
    digest_top,
)
from bot.engine.model import WeeklyDigest
from bot.safe_text import shorten, visible

__all__ = ["digest_embed"]


def _title(text: str) -> str:
    return authored(text, 80)


def digest_embed(digest: WeeklyDigest) -> discord.Embed:
    """Top five, the most-missed question with its explanation, accuracy by category, streaks."""
    embed = discord.Embed(title=shorten(digest_title(digest), MAX_TITLE), colour=COLOUR_INFO)
    embed.add_field(name="Top five", value=shorten(digest_top(digest, name_text), MAX_FIELD))
    missed = digest.most_missed_prompt
    value = "—"
    if missed is not None:
        explanation = digest.most_missed_explanation or ""
        value = authored(f"{missed}\n\n{explanation}", MAX_FIELD)
    embed.add_field(name=digest_missed(digest), value=value, inline=False)
    embed.add_field(
        name="Accuracy by category",
        value=shorten(digest_categories(digest, _title), MAX_FIELD),
        inline=False,
    )
    embed.set_footer(text=shorten(digest_streaks(digest, visible), MAX_FOOTER))
    return fit(embed)
