"""Buttons and modals under the feedback: rate a review, dispute a grade, report a question.

State lives in the ``custom_id``, as for the answer buttons:

- ``rate:<round>:<again|hard|good|easy>``: the self-assessment of a review answer;
- ``dispute:<round>`` opens the ``disputemodal:<round>`` modal (why the grade is wrong);
- ``report:<round>`` opens the ``reportmodal:<round>`` modal (typo / wrong / unclear + note).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.adapters.discord.identity import engine_of, player_of
from bot.adapters.discord.interaction import IdButton, defer, modal_field, reply
from bot.adapters.wording import days, filed_thanks
from bot.engine.model import Feedback
from bot.engine.reviews import RATINGS

__all__ = [
    "REVIEW_ITEMS",
    "ModalButton",
    "RateButton",
    "feedback_view",
    "handle_review_modal",
]

NOTE_FIELD = "note"
KIND_FIELD = "kind"
MODAL_ID = re.compile(r"(?P<what>dispute|report)modal:(?P<round>[0-9]{1,18})")


class RateButton(IdButton, template=r"rate:(?P<round>[0-9]{1,18}):(?P<rating>[a-z]{3,5})"):
    """Again / Hard / Good / Easy under a review's feedback."""

    command = "button:rate"

    def __init__(self, round_id: int, rating: str) -> None:
        super().__init__(f"rate:{round_id}:{rating}", rating.capitalize())
        self.round_id = round_id
        self.rating = rating

    @classmethod
    def from_match(cls, match: re.Match[str]) -> RateButton:
        """The button of ``rate:<round>:<rating>``."""
        return cls(int(match["round"]), match["rating"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """Apply the self-assessment; the reply is ephemeral."""
        await defer(interaction)
        rated = await engine_of(interaction).rate_review(
            player_of(interaction), self.round_id, self.rating
        )
        await reply(
            interaction,
            f"Rated **{rated.rating.capitalize()}**: next review in {days(rated.interval_days)}, "
            f"<t:{int(rated.due_at)}:D>. Points keep the automatic grade.",
        )


class ModalButton(IdButton, template=r"(?P<what>dispute|report):(?P<round>[0-9]{1,18})"):
    """ "Dispute grade" / "Report question": open the matching modal."""

    def __init__(self, what: str, round_id: int) -> None:
        label = "Dispute grade" if what == "dispute" else "Report question"
        super().__init__(f"{what}:{round_id}", label)
        self.what = what
        self.round_id = round_id

    @property
    def event_name(self) -> str:
        """``button:dispute`` or ``button:report``."""
        return f"button:{self.what}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ModalButton:
        """The button of ``dispute:<round>`` or ``report:<round>``."""
        return cls(match["what"], int(match["round"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """Show the modal (it must be the first response)."""
        await interaction.response.send_modal(_modal(self.what, self.round_id))


def _modal(what: str, round_id: int) -> discord.ui.Modal:
    title = "Dispute the grade" if what == "dispute" else "Report the question"
    modal = discord.ui.Modal(title=title, custom_id=f"{what}modal:{round_id}", timeout=None)
    if what == "report":
        modal.add_item(
            discord.ui.TextInput(
                label="typo, wrong or unclear",
                custom_id=KIND_FIELD,
                max_length=10,
                required=True,
                placeholder="typo",
            )
        )
    modal.add_item(
        discord.ui.TextInput(
            label="Why is the grade wrong?" if what == "dispute" else "What is wrong? (optional)",
            style=discord.TextStyle.paragraph,
            custom_id=NOTE_FIELD,
            max_length=1000,
            required=what == "dispute",
        )
    )
    modal.stop()  # routed by custom_id in handle_review_modal, like the answer modal
    return modal


REVIEW_ITEMS: tuple[type[IdButton], ...] = (RateButton, ModalButton)


def feedback_view(feedback: Feedback) -> discord.ui.View:
    """Rating buttons (review rounds), then "Dispute grade" and "Report question"."""
    view = discord.ui.View(timeout=None)
    if feedback.kind == "review":
        for rating in RATINGS:
            view.add_item(RateButton(feedback.round_id, rating))
    view.add_item(ModalButton("dispute", feedback.round_id))
    view.add_item(ModalButton("report", feedback.round_id))
    return view


async def handle_review_modal(interaction: discord.Interaction[Any]) -> bool:
    """Handle a submitted dispute or report modal; False when the id is not one of them.

    A refusal (:class:`~bot.engine.errors.QuizError`) propagates to the caller's
    :func:`~bot.adapters.discord.interaction.handled`.
    """
    data: dict[str, Any] = dict(interaction.data or {})
    match = MODAL_ID.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return False
    components = data.get("components")
    note = modal_field(components, NOTE_FIELD) or ""
    await defer(interaction)
    engine, player, round_id = engine_of(interaction), player_of(interaction), int(match["round"])
    if match["what"] == "dispute":
        filed = await engine.dispute(player, round_id, note)
    else:
        kind = modal_field(components, KIND_FIELD) or ""
        filed = await engine.report_question(player, round_id, kind, note)
    await reply(interaction, filed_thanks(filed.kind, filed.report_id))
    return True
