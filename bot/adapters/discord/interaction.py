"""What every Discord interaction handler shares: replying, refusing, the event log line.

- :func:`reply` answers whether or not the interaction was already deferred, mentions disabled;
- :func:`handled` wraps one component or modal handler: a :class:`QuizError` becomes an
  ephemeral refusal, anything else is logged and apologised for (never "interaction failed"),
  and one event line is logged with the duration;
- :func:`started` / :func:`log_interaction` do the same timing for the command tree, whose
  hooks (``interaction_check``, completion, ``on_error``) are separate callbacks;
- :class:`IdButton`: a restart-proof button whose whole state is its ``custom_id``;
- :func:`modal_field` reads a submitted text input in either payload shape.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

import discord

from bot.adapters.discord.render import shorten_content
from bot.engine.errors import QuizError
from bot.logging_setup import log_event

__all__ = [
    "NONE",
    "SOMETHING_WRONG",
    "Button",
    "IdButton",
    "handled",
    "log_interaction",
    "modal_field",
    "reply",
    "started",
]

log = logging.getLogger(__name__)

ADAPTER = "discord"
NONE = discord.AllowedMentions.none()
SOMETHING_WRONG = "Something went wrong on my side; please try again in a moment."
_STARTED = "quizbot_started"

Button = discord.ui.Button[discord.ui.View]


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction whether or not it was already answered (deferred)."""
    if content is not None:
        content = shorten_content(content)
    extra: dict[str, Any] = {} if embed is None else {"embed": embed}
    if interaction.response.is_done():
        await interaction.followup.send(
            content or "", ephemeral=ephemeral, allowed_mentions=NONE, **extra
        )
    else:
        await interaction.response.send_message(
            content, ephemeral=ephemeral, allowed_mentions=NONE, **extra
        )


def started(interaction: discord.Interaction[Any]) -> None:
    """Note when handling of ``interaction`` began (for :func:`log_interaction`)."""
    interaction.extras.setdefault(_STARTED, time.monotonic())


def log_interaction(interaction: discord.Interaction[Any], command: str, outcome: str) -> None:
    """The one event line of a handled interaction: team, command, duration and outcome.

    Never logs the interaction token (it lets anyone answer in the bot's name for 15 minutes).
    """
    begun = interaction.extras.get(_STARTED)
    duration = None if begun is None else (time.monotonic() - float(begun)) * 1000
    log_event(
        ADAPTER,
        None if interaction.guild_id is None else str(interaction.guild_id),
        command,
        duration,
        level=logging.WARNING if outcome == "error" else logging.INFO,
        outcome=outcome,
        interaction=str(interaction.id),
    )


@asynccontextmanager
async def handled(interaction: discord.Interaction[Any], command: str) -> AsyncIterator[None]:
    """Run one component or modal handler: refusals shown, failures apologised, one log line."""
    started(interaction)
    outcome = "ok"
    try:
        yield
    except QuizError as exc:
        outcome = "refused"
        await _answer_safely(interaction, exc.message)
    except Exception:
        outcome = "error"
        log.exception("interaction %s (%s) failed", interaction.id, command)
        await _answer_safely(interaction, SOMETHING_WRONG)
    finally:
        log_interaction(interaction, command, outcome)


async def _answer_safely(interaction: discord.Interaction[Any], message: str) -> None:
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.exception("could not report a refusal or failure to the user")


class IdButton(discord.ui.DynamicItem[Button], template=r"(?!)"):
    """A button rebuilt from its ``custom_id`` (after a restart too); subclasses set a template.

    A subclass implements :meth:`from_match` (the id's regex match → the button) and
    :meth:`handle`; :meth:`callback` runs ``handle`` inside :func:`handled` under ``command``.
    """

    command = "button"  #: the event log's name for a press

    def __init__(
        self,
        custom_id: str,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """The button encoded by a ``custom_id`` that matched the template."""
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        """Rebuild the button from its id; never raises (the template only matches valid ids)."""
        return cls.from_match(match)

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """What a press does."""
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Run :meth:`handle`, with refusals shown, failures answered and one event logged."""
        async with handled(interaction, self.command):
            await self.handle(interaction)


def modal_field(components: list[Any], custom_id: str) -> str | None:
    """A submitted text input's value, in the classic (action row) or label payload shape."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == custom_id and isinstance(component.get("value"), str):
            return str(component["value"])
        children = list(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            children.append(component["component"])
        found = modal_field(children, custom_id)
        if found is not None:
            return found
    return None
