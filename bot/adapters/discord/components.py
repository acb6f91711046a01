"""Buttons and the free-text modal. All state lives in the ``custom_id``, so a restart loses none.

- ``quiz:<round>:<A-D>``: answer a multiple-choice round (:class:`AnswerButton`).
- ``quizopen:<round>``: open the free-text modal of an open round (:class:`OpenAnswerButton`).
- ``quizmodal:<round>``: the modal's id; its submission is handled by :func:`handle_modal_submit`.
- the review buttons and modals (:mod:`~bot.adapters.discord.review_components`) and the
  interview's (:mod:`~bot.adapters.discord.interviews`) work the same way.

Every button is a :class:`discord.ui.DynamicItem` (:data:`BUTTON_KINDS`, registered by the
client): discord.py matches a press's id against each template and rebuilds the button from it.
Modal submissions are routed by the client's ``on_interaction`` (discord.py matches modals by
their exact id, in memory only). A press no button takes, and any other modal id (forged, stale,
garbage), gets an ephemeral "unknown" reply from :func:`handle_unknown` instead of a failed
interaction.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.adapters.discord import render
from bot.adapters.discord.answer_modal import ANSWER_FIELD, AnswerModal
from bot.adapters.discord.identity import engine_of, player_of
from bot.adapters.discord.interaction import (
    NONE,
    IdButton,
    defer,
    is_button_press,
    modal_field,
    show_untold_settlements,
)
from bot.adapters.discord.interviews import INTERVIEW_ITEMS, handle_interview_modal
from bot.adapters.discord.review_components import (
    REVIEW_ITEMS,
    feedback_view,
    handle_review_modal,
)
from bot.adapters.wording import open_answer_label
from bot.engine.model import CHOICE_LETTERS, QuestionCard, Reveal
from bot.safe_text import shorten

__all__ = [
    "ANSWER_FIELD",
    "BUTTON_KINDS",
    "MODAL_ID",
    "UNKNOWN_QUESTION",
    "AnswerButton",
    "AnswerModal",
    "OpenAnswerButton",
    "button_for",
    "card_view",
    "handle_modal_submit",
    "handle_unknown",
    "reaches_a_button",
    "reveal_view",
    "submit_answer",
]

log = logging.getLogger(__name__)

UNKNOWN_QUESTION = "This question is closed or unknown."
MODAL_ID = re.compile(r"quizmodal:(?P<round>[0-9]{1,18})")
OPEN_LABEL = "Answer in my own words"


class AnswerButton(IdButton, template=r"quiz:(?P<round>[0-9]{1,18}):(?P<choice>[A-D])"):
    """One of the A-D buttons of a multiple-choice round: answers with its letter."""

    command = "button:answer"

    def __init__(self, round_id: int, letter: str, text: str = "") -> None:
        label = shorten(f"{letter}) {text}", render.MAX_LABEL) if text else letter
        super().__init__(f"quiz:{round_id}:{letter}", label)
        self.round_id = round_id
        self.letter = letter

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AnswerButton:
        """The button of ``quiz:<round>:<letter>``."""
        return cls(int(match["round"]), match["choice"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """Answer the round with this letter; the feedback is ephemeral."""
        await submit_answer(interaction, self.round_id, choice=self.letter)


class OpenAnswerButton(IdButton, template=r"quizopen:(?P<round>[0-9]{1,18})"):
    """The "Answer in my own words" button of an open round: it opens :class:`AnswerModal`."""

    command = "button:open"

    def __init__(self, round_id: int, label: str = OPEN_LABEL) -> None:
        super().__init__(f"quizopen:{round_id}", label, discord.ButtonStyle.primary)
        self.round_id = round_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> OpenAnswerButton:
        """The button of ``quizopen:<round>``."""
        return cls(int(match["round"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """Show the modal (a modal must be the first response, so no defer here)."""
        await interaction.response.send_modal(AnswerModal(f"quizmodal:{self.round_id}"))


BUTTON_KINDS: tuple[type[IdButton], ...] = (
    AnswerButton,
    OpenAnswerButton,
    *REVIEW_ITEMS,
    *INTERVIEW_ITEMS,
)
"""Every button Quizbot renders: the dynamic items the client registers (``add_dynamic_items``)."""


def button_for(custom_id: str) -> IdButton | None:
    """The button a ``custom_id`` encodes (as discord.py rebuilds it); None for any other id."""
    for kind in BUTTON_KINDS:
        match = kind.__discord_ui_compiled_template__.fullmatch(custom_id)
        if match is not None:
            return kind.from_match(match)
    return None


def reaches_a_button(interaction: discord.Interaction[Any]) -> bool:
    """Whether one of :data:`BUTTON_KINDS` runs for this press (through discord.py's view store).

    One does when the press is a button's, a template matches its ``custom_id`` in full and
    the message it came from holds a button of that id (discord.py drops the press silently
    otherwise); everything else is the client's to refuse (:func:`handle_unknown`).
    """
    custom_id = dict(interaction.data or {}).get("custom_id")
    if not isinstance(custom_id, str) or button_for(custom_id) is None:
        return False
    message = interaction.message
    if message is None or not is_button_press(interaction):
        return False  # IdButton.interaction_check refuses what is not a button press
    for row in message.components:
        for child in getattr(row, "children", (row,)):
            if isinstance(child, discord.Button) and child.custom_id == custom_id:
                return True
    return False


def card_view(card: QuestionCard) -> discord.ui.View:
    """The buttons under a question: A-D, or the free-text button."""
    view = discord.ui.View(timeout=None)
    if card.choices:
        for letter, text in zip(CHOICE_LETTERS, card.choices, strict=False):
            label = text if card.code is None else ""  # outputs are shown in the embed
            view.add_item(AnswerButton(card.round_id, letter, label))
    else:
        view.add_item(OpenAnswerButton(card.round_id, open_answer_label(card)))
    return view


def reveal_view(reveal: Reveal) -> discord.ui.View:
    """The question's buttons, disabled, with each option's count and share of the answers;
    the correct one is green."""
    view = discord.ui.View(timeout=None)
    if reveal.tallies:
        total = sum(tally.count for tally in reveal.tallies)
        for tally in reveal.tallies:
            counts = f" · {tally.count} ({render.share(tally.count, total)})"
            view.add_item(
                discord.ui.Button(
                    label=shorten(f"{tally.letter}) {tally.text}", render.MAX_LABEL - len(counts))
                    + counts,
                    style=discord.ButtonStyle.success
                    if tally.correct
                    else discord.ButtonStyle.secondary,
                    custom_id=f"quiz:{reveal.round_id}:{tally.letter}",
                    disabled=True,
                )
            )
    else:
        view.add_item(
            discord.ui.Button(
                label=OPEN_LABEL, custom_id=f"quizopen:{reveal.round_id}", disabled=True
            )
        )
    view.stop()  # nothing to listen for: keep it out of the view store
    return view


async def submit_answer(
    interaction: discord.Interaction[Any],
    round_id: int,
    *,
    choice: str | None = None,
    text: str | None = None,
) -> None:
    """Defer ephemerally, answer through the engine and send the feedback.

    A refusal (:class:`QuizError`) propagates to :func:`handled`, which shows it privately.
    """
    await defer(interaction)
    player = player_of(interaction)
    feedback = await engine_of(interaction).answer(player, round_id, choice=choice, text=text)
    await interaction.followup.send(
        embed=render.feedback_embed(feedback),
        view=feedback_view(feedback),
        ephemeral=True,
        allowed_mentions=NONE,
    )
    await show_untold_settlements(interaction)


async def handle_modal_submit(interaction: discord.Interaction[Any]) -> None:
    """Answer a round from a submitted ``quizmodal:<round>``, or file a dispute / report."""
    if await handle_review_modal(interaction) or await handle_interview_modal(interaction):
        return
    data: dict[str, Any] = dict(interaction.data or {})
    match = MODAL_ID.fullmatch(str(data.get("custom_id", "")))
    text = modal_field(data.get("components"), ANSWER_FIELD)
    if match is None or text is None:
        await handle_unknown(interaction)
        return
    await submit_answer(interaction, int(match["round"]), text=text)


async def handle_unknown(interaction: discord.Interaction[Any]) -> None:
    """Reply to a component or modal nobody handles (forged, stale or garbage id)."""
    log.info("unknown component id on interaction %s", interaction.id)
    if not interaction.response.is_done():
        await interaction.response.send_message(
            UNKNOWN_QUESTION, ephemeral=True, allowed_mentions=NONE
        )
