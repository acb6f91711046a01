"""Embeds of settling reports: the open reports an admin lists, what the player is told.

User text (names, answers, reasons, the admin's note) goes through :func:`render.user_text`;
question prompts through :func:`render.authored`.
"""

from __future__ import annotations

import discord

from bot.adapters.discord.render import (
    COLOUR_INFO,
    COLOUR_RIGHT,
    MAX_FIELD,
    MAX_FOOTER,
    MAX_TITLE,
    authored,
    fit,
    name_text,
    user_text,
)
from bot.adapters.wording import (
    NO_OPEN_REPORTS,
    NOTE_FROM_ADMIN,
    report_heading,
    reports_more,
    settlement_title,
    settlement_told,
)
from bot.engine.model import ReportItem, Settlement
from bot.safe_text import shorten

__all__ = ["reports_embed", "settlement_embed"]

_PART = 300


def reports_embed(items: tuple[ReportItem, ...], limit: int) -> discord.Embed:
    """The open grade disputes and question reports, oldest first (at most ``limit``)."""
    embed = discord.Embed(title="Open disputes and reports", colour=COLOUR_INFO)
    if not items:
        embed.description = NO_OPEN_REPORTS
    for item in items[:limit]:
        lines = [
            f"**Q:** {authored(item.prompt, _PART)}",
            f"**By:** {name_text(item.player_name)}",
        ]
        if item.answer is not None:
            lines.append(f"**Answer:** {user_text(item.answer, _PART)}")
        if item.reason:
            lines.append(f"**Reason:** {user_text(item.reason, _PART)}")
        embed.add_field(
            name=shorten(report_heading(item), MAX_TITLE),
            value=shorten("\n".join(lines), MAX_FIELD),
            inline=False,
        )
    more = reports_more(min(limit, len(items)), len(items))
    if more:
        embed.set_footer(text=shorten(more, MAX_FOOTER))
    return fit(embed)


def settlement_embed(settlement: Settlement) -> discord.Embed:
    """What the player is told privately (a DM)."""
    embed = discord.Embed(
        title=shorten(settlement_title(settlement), MAX_TITLE),
        description=settlement_told(settlement),
        colour=COLOUR_RIGHT if settlement.outcome == "upheld" else COLOUR_INFO,
    )
    embed.add_field(name="Question", value=authored(settlement.prompt, MAX_FIELD), inline=False)
    if settlement.note:
        embed.add_field(
            name=NOTE_FROM_ADMIN, value=user_text(settlement.note, MAX_FIELD), inline=False
        )
    return fit(embed)
