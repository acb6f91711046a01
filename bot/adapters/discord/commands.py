"""The slash commands: ``/quiz``, ``/leaderboard``, ``/stats`` and ``/quiz-admin close``.

Each command translates its options, defers (engine calls touch the database), calls the
engine and renders the view it returns. Refusals (:class:`QuizError`) reach the tree's error
handler, which shows them ephemerally.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.components import card_view
from bot.adapters.discord.daily import DIFFICULTY_CHOICES, add_daily_commands
from bot.adapters.discord.disputes import add_dispute_commands
from bot.adapters.discord.identity import (
    SERVERS_ONLY,
    channel_of,
    engine_of,
    member_player,
    player_of,
    team_of,
)
from bot.adapters.discord.interaction import (
    NONE,
    SOMETHING_WRONG,
    defer,
    reply,
    show_untold_settlements,
)
from bot.adapters.discord.interviews import interview_group
from bot.adapters.discord.outbox import DiscordOutbox
from bot.adapters.discord.question_stats import add_question_stats_command
from bot.adapters.discord.rewards import add_reward_commands
from bot.adapters.discord.seasons import add_season_commands
from bot.adapters.discord.team_progress import add_progress_command
from bot.adapters.wording import CLOSED_NOT_SHOWN
from bot.engine.errors import QuizError
from bot.engine.model import MODES, PERIODS, MessageRef, QuestionCard

__all__ = ["INVALID_OPTION", "NEEDS_MANAGE_GUILD", "add_commands", "on_tree_error"]

log = logging.getLogger(__name__)

NEEDS_MANAGE_GUILD = "Only members with the **Manage Server** permission can do that."
INVALID_OPTION = "One of the options is not valid here; please pick it again from the list."
CANNOT_POST = (
    "I could not post the question in this channel ({error}). Give me the View Channel, "
    "Send Messages and Embed Links permissions here and try again."
)

MODE_CHOICES = [
    app_commands.Choice(name="multiple choice" if m == "choice" else "in my own words", value=m)
    for m in MODES
]
PERIOD_CHOICES = [app_commands.Choice(name=p, value=p) for p in PERIODS]
SCOPE_CHOICES = [app_commands.Choice(name=s, value=s) for s in ("server", "channel")]


async def on_tree_error(
    interaction: discord.Interaction[Any], error: app_commands.AppCommandError
) -> str:
    """Show refusals ephemerally; log anything else and apologise. The outcome, for the log."""
    original = getattr(error, "original", error)
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, QuizError):
        original = error.__cause__  # an option refused by its transformer
    outcome = "refused"
    if isinstance(original, QuizError):
        message = original.message
    elif isinstance(error, app_commands.TransformerError):
        message = INVALID_OPTION  # a stale command, or a payload Discord would not send
    elif isinstance(error, app_commands.MissingPermissions):
        message = NEEDS_MANAGE_GUILD
    elif isinstance(error, app_commands.NoPrivateMessage):
        message = SERVERS_ONLY
    elif isinstance(error, app_commands.CheckFailure):
        message = "You cannot use this command here."
    else:
        log.error("command failed", exc_info=original)
        message, outcome = SOMETHING_WRONG, "error"
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.exception("could not report an error to the user")
    return outcome


def add_commands(tree: app_commands.CommandTree[Any], outbox: DiscordOutbox) -> None:
    """Register every Quizbot command on ``tree`` (globally; sync copies them to a guild)."""

    async def category_autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        titles = engine_of(interaction).bank.category_titles
        wanted = current.casefold()
        return [
            app_commands.Choice(name=render.shorten_choice(titles.get(c, c)), value=c)
            for c in engine_of(interaction).bank.categories
            if wanted in c or wanted in titles.get(c, c).casefold()
        ][:25]

    @app_commands.command(name="quiz", description="Post an interview question in this channel")
    @app_commands.guild_only()
    @app_commands.describe(
        category="Topic (leave empty for any)",
        difficulty="Difficulty (leave empty for any)",
        mode="Multiple choice (default) or answer in your own words",
    )
    @app_commands.choices(difficulty=DIFFICULTY_CHOICES, mode=MODE_CHOICES)
    @app_commands.autocomplete(category=category_autocomplete)
    async def quiz(
        interaction: discord.Interaction[Any],
        category: str | None = None,
        difficulty: app_commands.Choice[str] | None = None,
        mode: app_commands.Choice[str] | None = None,
    ) -> None:
        engine = engine_of(interaction)
        channel = channel_of(interaction)
        await defer(interaction)

        async def send(card: QuestionCard) -> MessageRef:
            return await outbox.post(channel, card)

        try:
            card = await engine.post_round(
                channel,
                player_of(interaction),
                send,
                category=category,
                difficulty=difficulty.value if difficulty else None,
                mode=mode.value if mode else None,
            )
        except discord.HTTPException as exc:
            # the engine closed the round: nobody saw it, so it must not block the channel
            raise QuizError(CANNOT_POST.format(error=exc.text or exc.status)) from None
        await reply(interaction, f"Question #{card.round_id} is up — good luck!")

    @app_commands.command(name="leaderboard", description="The top 10 of this server and your rank")
    @app_commands.guild_only()
    @app_commands.describe(
        period="Which period (default: this week)",
        scope="Server or channel",
        season="An ended season's name: its final standings",
    )
    @app_commands.choices(period=PERIOD_CHOICES, scope=SCOPE_CHOICES)
    async def leaderboard(
        interaction: discord.Interaction[Any],
        period: app_commands.Choice[str] | None = None,
        scope: app_commands.Choice[str] | None = None,
        season: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        engine = engine_of(interaction)
        in_channel = scope is not None and scope.value == "channel"
        channel = channel_of(interaction)
        await defer(interaction, ephemeral=False)
        board = await engine.leaderboard(
            channel.team,
            period=period.value if period else None,
            channel_id=channel.channel_id if in_channel else None,
            caller=player_of(interaction),
            season=season,
        )
        where = f"<#{channel.channel_id}>" if in_channel else None
        await reply(interaction, embed=render.leaderboard_embed(board, where), ephemeral=False)

    @app_commands.command(
        name="review", description="A private practice question (spaced repetition)"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        mode="In my own words (default) or multiple choice",
        category="Only this topic (targeted practice; default: any)",
    )
    @app_commands.choices(mode=MODE_CHOICES)
    @app_commands.autocomplete(category=category_autocomplete)
    async def review(
        interaction: discord.Interaction[Any],
        mode: app_commands.Choice[str] | None = None,
        category: str | None = None,
    ) -> None:
        engine = engine_of(interaction)
        player = player_of(interaction)
        await defer(interaction)
        card = await engine.start_review(
            player, mode=mode.value if mode else None, category=category
        )
        await interaction.followup.send(
            embed=render.card_embed(card),
            view=card_view(card),
            ephemeral=True,
            allowed_mentions=NONE,
        )
        await show_untold_settlements(interaction)

    @app_commands.command(name="stats", description="Points, answers and accuracy by topic")
    @app_commands.guild_only()
    @app_commands.describe(member="Whose stats (default: yours)")
    async def stats(
        interaction: discord.Interaction[Any], member: discord.Member | None = None
    ) -> None:
        engine = engine_of(interaction)
        target = member_player(team_of(interaction), member or interaction.user)
        await defer(interaction, ephemeral=False)
        await reply(
            interaction, embed=render.stats_embed(await engine.stats(target)), ephemeral=False
        )

    admin = app_commands.Group(
        name="quiz-admin",
        description="Quizbot administration",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @admin.command(name="close", description="Close this channel's open question and reveal it")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def close(interaction: discord.Interaction[Any]) -> None:
        engine = engine_of(interaction)
        channel = channel_of(interaction)
        await defer(interaction)
        reveal = await engine.close_channel_round(channel)
        if await engine.publish_reveal(channel, reveal):
            await reply(interaction, f"Round #{reveal.round_id} is closed; the answer is revealed.")
        else:
            await reply(interaction, CLOSED_NOT_SHOWN.format(round_id=reveal.round_id))

    add_daily_commands(admin)  # /quiz-admin daily set|off|show|now: bot/adapters/discord/daily.py
    add_dispute_commands(admin)  # /quiz-admin disputes|uphold|…: bot/adapters/discord/disputes.py
    add_question_stats_command(admin)  # /quiz-admin questions: …/discord/question_stats.py
    add_progress_command(admin)  # /quiz-admin progress: bot/adapters/discord/team_progress.py
    add_season_commands(admin)  # /quiz-admin season end: bot/adapters/discord/seasons.py
    add_reward_commands(admin)  # /quiz-admin reward set|off|show: …/discord/rewards.py

    commands: tuple[app_commands.Command[Any, Any, None] | app_commands.Group, ...] = (
        quiz,
        leaderboard,
        stats,
        review,
        interview_group(category_autocomplete),
        admin,
    )
    for command in commands:
        tree.add_command(command)
