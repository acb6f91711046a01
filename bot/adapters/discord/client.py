"""The Discord client: intents, command tree, button routing and the outbox, wired together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.ack_first import AckFirst
from bot.adapters.discord.commands import add_commands, on_tree_error
from bot.adapters.discord.components import (
    BUTTON_KINDS,
    handle_modal_submit,
    handle_unknown,
    reaches_a_button,
)
from bot.adapters.discord.identity import PLATFORM
from bot.adapters.discord.interaction import (
    InFlight,
    handled,
    log_interaction,
    started,
)
from bot.adapters.discord.outbox import GLOBAL_BURST, GLOBAL_PACE, DiscordOutbox
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.pacing import RateLimiter

__all__ = [
    "DRAIN_S",
    "QuizBot",
    "QuizTree",
    "command_name",
    "configure_endpoints",
    "quiz_intents",
]

log = logging.getLogger(__name__)

DRAIN_S = 5.0
"""On shutdown, how long interactions in flight get to finish (answers commit, replies go out);
well inside the app's grace period (:data:`bot.app.SHUTDOWN_GRACE_S`)."""


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py's REST (and webhook) routes and gateway at the configured URLs."""
    Route.BASE = settings.discord_api_base_url.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def quiz_intents() -> discord.Intents:
    """The intents Quizbot needs: guilds only; nothing privileged (no message content)."""
    return discord.Intents(guilds=True)


def command_name(interaction: discord.Interaction[Any]) -> str:
    """The slash command's full name, e.g. ``quiz-admin daily set``, for the event log."""
    command = interaction.command
    if command is not None:
        return command.qualified_name
    return str(dict(interaction.data or {}).get("name", "command"))


class QuizTree(app_commands.CommandTree[Any]):
    """The command tree: refusals and failures answered ephemerally, one event line each.

    discord.py runs a command in three public hooks: :meth:`interaction_check` (start),
    then either the client's ``on_app_command_completion`` or :meth:`on_error` (end).
    """

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Start the clock of the event line; never refuses."""
        started(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        """Answer the user (response or followup), log unexpected failures and the event."""
        outcome = await on_tree_error(interaction, error)
        log_interaction(interaction, command_name(interaction), outcome)


class QuizBot(discord.Client):
    """Quizbot on Discord. ``quiz_engine`` is what interaction handlers call.

    ``options`` go to discord.py's client (the sharded client's ``shard_count`` and
    ``shard_ids``: :class:`~bot.adapters.discord.sharding.ShardedQuizBot`).
    """

    def __init__(
        self, engine: QuizEngine | None, *, posts_per_second: float = GLOBAL_PACE, **options: Any
    ) -> None:
        super().__init__(
            intents=quiz_intents(), allowed_mentions=discord.AllowedMentions.none(), **options
        )
        self.quiz_engine = engine
        self.in_flight = InFlight()  # tasks handling interactions (registered by `started`)
        self.post_ack = AckFirst()  # the work after the defers waits for the defers in progress
        self.outbox = DiscordOutbox(self, RateLimiter(posts_per_second, GLOBAL_BURST))
        self.tree = QuizTree(self)
        add_commands(self.tree, self.outbox)

    async def setup_hook(self) -> None:
        """Register the buttons (dynamic items: their state is their ``custom_id``, so they work
        after a restart) and the outbox for timer reveals."""
        self.add_dynamic_items(*BUTTON_KINDS)
        if self.quiz_engine is not None:
            self.quiz_engine.register_outbox(PLATFORM, self.outbox)

    async def shutdown(self) -> None:
        """Stop taking interactions, then let those in flight finish (at most :data:`DRAIN_S`).

        Call after :meth:`start` returned or was cancelled and before :meth:`close`: the
        gateway connection is closed (Discord sends no more interactions), while the REST
        session stays open for the replies of the interactions still running.
        """
        await self.close_gateway()
        unfinished = await self.in_flight.drain(DRAIN_S)
        if unfinished:
            log.warning("%d Discord interactions were still running at shutdown", unfinished)

    async def close_gateway(self) -> None:
        """Close the gateway connection (at most 1 s), so Discord sends no more events."""
        ws = self.ws
        if ws is not None and ws.open:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code=1000), 1.0)

    async def on_app_command_completion(
        self, interaction: discord.Interaction[Any], command: object
    ) -> None:
        """A slash command finished without error: its event line."""
        log_interaction(interaction, command_name(interaction), "ok")

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Route modal submissions by ``custom_id``, and refuse the presses no button takes.

        discord.py runs this beside its own dispatch: slash commands go to the tree, presses of
        Quizbot's buttons to their dynamic items (:data:`BUTTON_KINDS`). A press none of them
        takes (a forged, stale or garbage id) gets an ephemeral "unknown" here, instead of
        discord.py's silence. Modals are routed here too: discord.py keeps a modal in memory
        under its exact id until its one submission, which a restart loses and which two
        players answering the same round would share. Every handler logs its own event line.
        """
        if interaction.type is discord.InteractionType.modal_submit:
            async with handled(interaction, "modal"):
                await handle_modal_submit(interaction)
        elif interaction.type is discord.InteractionType.component and not reaches_a_button(
            interaction
        ):
            async with handled(interaction, "button:unknown"):
                await handle_unknown(interaction)
