"""``/quiz-admin disputes|uphold|reject|resolve``: settling reports on Discord.

Sub-commands of ``/quiz-admin``, so they inherit its gate (``default_permissions
(manage_guild)``) and each checks ``has_permissions`` again. The engine validates the report,
the grade and the note (:mod:`bot.engine.disputes`); the player is told by a DM
(:meth:`DiscordOutbox.tell <bot.adapters.discord.outbox.DiscordOutbox.tell>`).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.admin_listing import add_listing
from bot.adapters.discord.dispute_embeds import reports_embed
from bot.adapters.discord.identity import engine_of, team_of
from bot.adapters.discord.interaction import defer, reply
from bot.adapters.discord.render import name_text
from bot.adapters.wording import settled_for_admin
from bot.engine.disputes import LISTED
from bot.engine.engine import QuizEngine
from bot.engine.model import Team

__all__ = ["add_dispute_commands"]

_REPORT = "The report's number (see /quiz-admin disputes)"
_NOTE = "A note for the player (optional)"


async def _settle(
    interaction: discord.Interaction[Any],
    report: int,
    action: str,
    *,
    grade: str | None = None,
    note: str = "",
) -> None:
    engine, team = engine_of(interaction), team_of(interaction)
    await defer(interaction)
    settled = await engine.disputes.settle(team, report, action, grade=grade, note=note)
    name = name_text(settled.player_name)
    await reply(interaction, settled_for_admin(settled, name))


async def _disputes(engine: QuizEngine, team: Team) -> discord.Embed:
    return reports_embed(await engine.disputes.open_reports(team), LISTED)


def add_dispute_commands(admin: app_commands.Group) -> None:
    """Add ``disputes``, ``uphold``, ``reject`` and ``resolve`` to ``/quiz-admin``."""

    add_listing(admin, "disputes", "Open grade disputes and question reports", _disputes)

    @admin.command(name="uphold", description="Uphold a grade dispute with a corrected grade")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(report=_REPORT, grade="The corrected grade, 0 to 1: 0.8", note=_NOTE)
    async def uphold(
        interaction: discord.Interaction[Any],
        report: app_commands.Range[int, 1],
        grade: app_commands.Range[str, 1, 10],
        note: app_commands.Range[str, 0, 1000] = "",
    ) -> None:
        await _settle(interaction, report, "uphold", grade=grade, note=note)

    for action, description in (
        ("reject", "Reject a grade dispute: the grade stands"),
        ("resolve", "Resolve a question report (typo, wrong, unclear)"),
    ):
        admin.add_command(_without_grade(action, description))


def _without_grade(action: str, description: str) -> app_commands.Command[Any, Any, None]:
    """``/quiz-admin reject`` or ``resolve``: a report's number and an optional note."""

    @app_commands.command(name=action, description=description)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(report=_REPORT, note=_NOTE)
    async def settle(
        interaction: discord.Interaction[Any],
        report: app_commands.Range[int, 1],
        note: app_commands.Range[str, 0, 1000] = "",
    ) -> None:
        await _settle(interaction, report, action, note=note)

    return settle
