"""``/interview start|stop|history`` on Discord: a private mock interview in ephemeral messages.

Discord cannot have both a bare command and sub-commands under one name, so the interview is
``/interview start [length] [category] [difficulty]``, ``/interview stop`` and
``/interview history``. Every message is ephemeral (only the player sees it). State lives in
the ``custom_id``, so a press works after a restart:

- ``ivanswer:<interview>:<step>`` opens the ``ivmodal:<interview>:<step>`` answer modal;
- ``ivstop:<interview>`` ends the interview early.

A stale button (an answered step, an ended interview, another player's interview) is refused
by the engine with one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.answer_modal import ANSWER_FIELD, AnswerModal
from bot.adapters.discord.daily import DIFFICULTY_CHOICES
from bot.adapters.discord.identity import engine_of, player_of
from bot.adapters.discord.interaction import NONE, IdButton, defer, modal_field
from bot.adapters.discord.interview_render import (
    history_embed,
    prompt_embed,
    scorecard_messages,
)
from bot.engine.interviews import LENGTHS
from bot.engine.model import InterviewPrompt, InterviewStep

__all__ = [
    "INTERVIEW_ITEMS",
    "AnswerInterviewButton",
    "StopInterviewButton",
    "handle_interview_modal",
    "interview_group",
    "send_step",
]

Autocomplete = Callable[
    [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]
LENGTH_CHOICES = [app_commands.Choice(name=f"{n} questions", value=n) for n in LENGTHS]
MODAL_ID = re.compile(r"ivmodal:(?P<interview>[0-9]{1,18}):(?P<step>[0-9]{1,3}f?)")


class AnswerInterviewButton(
    IdButton, template=r"ivanswer:(?P<interview>[0-9]{1,18}):(?P<step>[0-9]{1,3}f?)"
):
    """ "Answer" under an interview question: opens the answer modal for that step."""

    command = "button:interview-answer"

    def __init__(self, interview_id: int, step: str) -> None:
        super().__init__(f"ivanswer:{interview_id}:{step}", "Answer", discord.ButtonStyle.primary)
        self.interview_id = interview_id
        self.step = step

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AnswerInterviewButton:
        """The button of ``ivanswer:<interview>:<step>``."""
        return cls(int(match["interview"]), match["step"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """Show the modal (it must be the first response)."""
        modal = AnswerModal(f"ivmodal:{self.interview_id}:{self.step}")
        await interaction.response.send_modal(modal)


class StopInterviewButton(IdButton, template=r"ivstop:(?P<interview>[0-9]{1,18})"):
    """ "Stop interview": ends it now and shows the scorecard."""

    command = "button:interview-stop"

    def __init__(self, interview_id: int) -> None:
        super().__init__(f"ivstop:{interview_id}", "Stop interview")
        self.interview_id = interview_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> StopInterviewButton:
        """The button of ``ivstop:<interview>``."""
        return cls(int(match["interview"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """End the interview; the scorecard is ephemeral."""
        await defer(interaction)
        card = await engine_of(interaction).stop_interview(
            player_of(interaction), interview_id=self.interview_id
        )
        await send_step(interaction, card)


INTERVIEW_ITEMS: tuple[type[IdButton], ...] = (AnswerInterviewButton, StopInterviewButton)


def _prompt_view(prompt: InterviewPrompt) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerInterviewButton(prompt.interview_id, prompt.step))
    view.add_item(StopInterviewButton(prompt.interview_id))
    return view


async def send_step(interaction: discord.Interaction[Any], step: InterviewStep) -> None:
    """Send the next question (with its buttons) or the scorecard, ephemerally."""
    if isinstance(step, InterviewPrompt):
        await interaction.followup.send(
            embed=prompt_embed(step), view=_prompt_view(step), ephemeral=True, allowed_mentions=NONE
        )
        return
    for embeds in scorecard_messages(step):
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NONE)


async def handle_interview_modal(interaction: discord.Interaction[Any]) -> bool:
    """Answer an interview step from a submitted ``ivmodal``; False for any other modal."""
    data: dict[str, Any] = dict(interaction.data or {})
    match = MODAL_ID.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return False
    text = modal_field(data.get("components"), ANSWER_FIELD) or ""
    await defer(interaction)
    step = await engine_of(interaction).answer_interview(
        player_of(interaction), text, interview_id=int(match["interview"]), step=match["step"]
    )
    await send_step(interaction, step)
    return True


def interview_group(category_autocomplete: Autocomplete) -> app_commands.Group:
    """The ``/interview`` command group."""
    group = app_commands.Group(
        name="interview",
        description="A private mock interview: timed questions, follow-ups and a scorecard",
        guild_only=True,
    )

    @group.command(name="start", description="Start (or resume) a private mock interview")
    @app_commands.describe(
        length="How many questions (default 8)",
        category="Topic, or several separated by commas (default: all)",
        difficulty="The first question's difficulty (default: the easiest)",
    )
    @app_commands.choices(length=LENGTH_CHOICES, difficulty=DIFFICULTY_CHOICES)
    @app_commands.autocomplete(category=category_autocomplete)
    async def start(
        interaction: discord.Interaction[Any],
        length: app_commands.Choice[str] | None = None,
        category: str | None = None,
        difficulty: app_commands.Choice[str] | None = None,
    ) -> None:
        engine = engine_of(interaction)
        await defer(interaction)
        step = await engine.start_interview(
            player_of(interaction),
            length=length.value if length else None,
            category=category,
            difficulty=difficulty.value if difficulty else None,
        )
        await send_step(interaction, step)

    @group.command(name="stop", description="End your interview now and see the scorecard")
    async def stop(interaction: discord.Interaction[Any]) -> None:
        engine = engine_of(interaction)
        await defer(interaction)
        await send_step(interaction, await engine.stop_interview(player_of(interaction)))

    @group.command(name="history", description="Your past interviews and their scores")
    async def history(interaction: discord.Interaction[Any]) -> None:
        engine = engine_of(interaction)
        await defer(interaction)
        found = await engine.interview_history(player_of(interaction))
        await interaction.followup.send(
            embed=history_embed(found), ephemeral=True, allowed_mentions=NONE
        )

    return group
