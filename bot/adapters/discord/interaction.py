"""What every Discord interaction handler shares: replying, refusing, the event log line.

- :func:`reply` answers whether or not the interaction was already deferred, mentions disabled;
  a private reply is followed by the user's settled disputes and reports no DM reached yet;
- :func:`defer` acknowledges an interaction, then waits for a turn for the work after it
  (:class:`~bot.adapters.ack_first.AckFirst`; every handler defers through it);
- :func:`handled` wraps one component or modal handler: a :class:`QuizError` becomes an
  ephemeral refusal, anything else is logged and apologised for (never "interaction failed"),
  and one event line is logged with the duration;
- :func:`started` / :func:`log_interaction` do the same timing for the command tree, whose
  hooks (``interaction_check``, completion, ``on_error``) are separate callbacks;
- :class:`IdButton`: a restart-proof button whose whole state is its ``custom_id``: a
  :class:`discord.ui.DynamicItem`, which discord.py rebuilds from the id of the pressed button;
- :func:`modal_field` reads a submitted text input in either payload shape;
- :class:`InFlight`: the tasks doing interaction work now, so a shutdown can let them finish.
  :func:`started` registers the current task (discord.py runs every command, button and modal
  in a task of its own, which it does not track).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar, Self

import discord

from bot.adapters.ack_first import AckFirst
from bot.adapters.discord.dispute_embeds import settlement_embed
from bot.adapters.discord.identity import PLATFORM, player_of
from bot.adapters.discord.render import shorten_content
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.logging_setup import log_event

__all__ = [
    "NONE",
    "SOMETHING_WRONG",
    "IdButton",
    "InFlight",
    "defer",
    "handled",
    "is_button_press",
    "log_interaction",
    "modal_field",
    "reply",
    "show_untold_settlements",
    "started",
]

log = logging.getLogger(__name__)

NONE = discord.AllowedMentions.none()
NO_ID = re.compile(r"(?!)")
"""The template of :class:`IdButton` itself, which matches no id (only its subclasses route)."""
SOMETHING_WRONG = "Something went wrong on my side; please try again in a moment."
_STARTED = "quizbot_started"


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction whether or not it was already answered (deferred).

    ``content`` has its user and role mentions and ``@everyone`` / ``@here`` escaped: replies
    never mean to mention anyone, and a refusal may echo what the user typed. Channel
    mentions (``<#id>``) and timestamps stay.
    """
    if content is not None:
        content = shorten_content(discord.utils.escape_mentions(content))
    extra: dict[str, Any] = {} if embed is None else {"embed": embed}
    if interaction.response.is_done():
        await interaction.followup.send(
            content or "", ephemeral=ephemeral, allowed_mentions=NONE, **extra
        )
    else:
        await interaction.response.send_message(
            content, ephemeral=ephemeral, allowed_mentions=NONE, **extra
        )
    if ephemeral:
        await show_untold_settlements(interaction)


async def show_untold_settlements(interaction: discord.Interaction[Any]) -> None:
    """After a private reply sent some other way (feedback, a review card): show the user,
    privately, how their disputes or reports were settled when no DM has
    reached them yet (closed DMs): the "next ephemeral reply" of the settling loop."""
    engine = getattr(interaction.client, "quiz_engine", None)
    if not isinstance(engine, QuizEngine) or interaction.guild_id is None:
        return
    try:
        notices = await engine.disputes.untold(player_of(interaction))
    except Exception:
        log.exception("could not read the settlements to show")
        return
    for settlement in notices:
        await interaction.followup.send(
            embed=settlement_embed(settlement), ephemeral=True, allowed_mentions=NONE
        )
        await engine.disputes.shown(settlement)  # only once it is out: else it stays untold


async def defer(interaction: discord.Interaction[Any], *, ephemeral: bool = True) -> None:
    """Acknowledge ``interaction`` ("thinking…"), then wait for a turn for the work after it.

    The client's :class:`~bot.adapters.ack_first.AckFirst` (``interaction.client.post_ack``)
    counts the defer as an acknowledgement in progress; the turn is held until the current task
    ends: discord.py runs each interaction's handler in a task of its own, so the engine call,
    the reply and any refusal or apology run inside it.
    """
    post_ack = getattr(interaction.client, "post_ack", None)
    if not isinstance(post_ack, AckFirst):
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        return
    with post_ack.acknowledgement():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    task = asyncio.current_task()
    if task is not None:
        await post_ack.take_turn()
        task.add_done_callback(lambda _: post_ack.end_turn())


class InFlight:
    """The tasks handling an interaction right now; :meth:`drain` waits for them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def add_current(self) -> None:
        """Count the running task as in-flight work until it is done."""
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self, grace_s: float) -> int:
        """Wait (at most ``grace_s`` seconds) for the work in flight; how many are unfinished.

        The loop first runs a few times, so that tasks discord.py created for interactions
        that arrived just before reach the point where they register.
        """
        for _ in range(3):
            await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)
        return len(self._tasks)


def started(interaction: discord.Interaction[Any]) -> None:
    """Note when handling of ``interaction`` began (for :func:`log_interaction`), and count
    the current task as in-flight work of the client (see :class:`InFlight`)."""
    interaction.extras.setdefault(_STARTED, time.monotonic())
    in_flight = getattr(interaction.client, "in_flight", None)
    if isinstance(in_flight, InFlight):
        in_flight.add_current()


def log_interaction(interaction: discord.Interaction[Any], command: str, outcome: str) -> None:
    """The one event line of a handled interaction: team, command, duration and outcome.

    Never logs the interaction token (it lets anyone answer in the bot's name for 15 minutes).
    """
    begun = interaction.extras.get(_STARTED)
    duration = None if begun is None else (time.monotonic() - float(begun)) * 1000
    log_event(
        PLATFORM,
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


class IdButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NO_ID):
    """A button whose whole state is its ``custom_id``, so a press is understood after a restart
    and by whichever process receives it: a :class:`discord.ui.DynamicItem`.

    Subclasses pass their ``template`` (a regex the whole ``custom_id`` must match) and implement
    :meth:`from_match` and :meth:`handle`; the client registers them with
    ``add_dynamic_items``, and discord.py rebuilds the pressed button from its id
    (:meth:`from_custom_id`) and calls :meth:`callback`.
    """

    command: ClassVar[str] = "button"  #: the event log's name for a press

    def __init__(
        self,
        custom_id: str,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """The button encoded by a ``custom_id`` that the template matched in full."""
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        """discord.py's rebuild of a pressed button: everything is in ``match``."""
        return cls.from_match(match)

    @property
    def label(self) -> str | None:
        """The label of the button shown."""
        return self.item.label

    @property
    def event_name(self) -> str:
        """The event log's name for a press of this button."""
        return self.command

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """What a press does."""
        raise NotImplementedError

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only a button press runs a button (a forged select menu with a button's id does
        not; the client refuses it)."""
        return is_button_press(interaction)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Run :meth:`handle`, with refusals shown, failures answered and one event logged."""
        async with handled(interaction, self.event_name):
            await self.handle(interaction)


def is_button_press(interaction: discord.Interaction[Any]) -> bool:
    """Whether ``interaction`` is the press of a button (not of a select menu)."""
    data: dict[str, Any] = dict(interaction.data or {})
    return data.get("component_type") == discord.ComponentType.button.value


def modal_field(components: Any, custom_id: str) -> str | None:
    """A submitted text input's value, in the classic (action row) or label payload shape.

    Anything malformed (not a list, a component that is not an object…) is skipped.
    """
    if not isinstance(components, list):
        return None
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == custom_id and isinstance(component.get("value"), str):
            return str(component["value"])
        nested = component.get("components")
        children = list(nested) if isinstance(nested, list) else []
        if isinstance(component.get("component"), dict):
            children.append(component["component"])
        found = modal_field(children, custom_id)
        if found is not None:
            return found
    return None
