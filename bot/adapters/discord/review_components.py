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
from bot.engine.errors import QuizError
from bot.engine.model import Feedback
from bot.engine.reviews import RATINGS

__all__ = [
    "REVIEW_ITEMS",
    "DisputeButton",
    "RateButton",
    "ReportButton",
    "feedback_view",
    "handle_review_modal",
]

Button = discord.ui.Button[discord.ui.View]
NONE = discord.AllowedMentions.none()
NOTE_FIELD = "note"
KIND_FIELD = "kind"
MODAL_ID = re.compile(r"(?P<what>dispute|report)modal:(?P<round>[0-9]{1,18})")


async def _send(interaction: discord.Interaction[Any], text: str) -> None:
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE)


class RateButton(
    discord.ui.DynamicItem[Button], template=r"rate:(?P<round>[0-9]{1,18}):(?P<rating>[a-z]{3,5})"
):
    """Again / Hard / Good / Easy under a review's feedback."""

    def __init__(self, round_id: int, rating: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=rating.capitalize(),
                style=discord.ButtonStyle.secondary,
                custom_id=f"rate:{round_id}:{rating}",
            )
        )
        self.round_id = round_id
        self.rating = rating

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RateButton:
        """Rebuild the button from its id; never raises."""
        return cls(int(match["round"]), match["rating"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Apply the self-assessment; the reply is ephemeral."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            rated = await engine_of(interaction).rate_review(
                player_of(interaction), self.round_id, self.rating
            )
        except QuizError as exc:
            await _send(interaction, exc.message)
            return
        days = max(round(rated.interval_days), 0)
        await _send(
            interaction,
            f"Rated **{rated.rating.capitalize()}**: next review in {days} day"
            f"{'s' * (days != 1)}, <t:{int(rated.due_at)}:D>. Points keep the automatic grade.",
        )


class _ModalButton(
    discord.ui.DynamicItem[Button], template=r"(?P<what>dispute|report):(?P<round>[0-9]{1,18})"
):
    """ "Dispute grade" / "Report question": open the matching modal."""

    def __init__(self, what: str, round_id: int) -> None:
        label = "Dispute grade" if what == "dispute" else "Report question"
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"{what}:{round_id}"
            )
        )
        self.what = what
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> _ModalButton:
        """Rebuild the button from its id; never raises."""
        return cls(match["what"], int(match["round"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the modal (it must be the first response)."""
        await interaction.response.send_modal(_modal(self.what, self.round_id))


DisputeButton = ReportButton = _ModalButton


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


REVIEW_ITEMS: tuple[type[discord.ui.DynamicItem[Button]], ...] = (RateButton, _ModalButton)


def feedback_view(feedback: Feedback) -> discord.ui.View:
    """Rating buttons (review rounds), then "Dispute grade" and "Report question"."""
    view = discord.ui.View(timeout=None)
    if feedback.kind == "review":
        for rating in RATINGS:
            view.add_item(RateButton(feedback.round_id, rating))
    view.add_item(_ModalButton("dispute", feedback.round_id))
    view.add_item(_ModalButton("report", feedback.round_id))
    return view


def _field(components: list[Any], custom_id: str) -> str | None:
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == custom_id and isinstance(component.get("value"), str):
            return str(component["value"])
        children = list(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            children.append(component["component"])
        found = _field(children, custom_id)
        if found is not None:
            return found
    return None


async def handle_review_modal(interaction: discord.Interaction[Any]) -> bool:
    """Handle a submitted dispute or report modal; False when the id is not one of them."""
    data: dict[str, Any] = dict(interaction.data or {})
    match = MODAL_ID.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return False
    components = list(data.get("components") or [])
    note = _field(components, NOTE_FIELD) or ""
    await interaction.response.defer(ephemeral=True, thinking=True)
    engine, player, round_id = engine_of(interaction), player_of(interaction), int(match["round"])
    try:
        if match["what"] == "dispute":
            filed = await engine.dispute(player, round_id, note)
        else:
            kind = _field(components, KIND_FIELD) or ""
            filed = await engine.report_question(player, round_id, kind, note)
    except QuizError as exc:
        await _send(interaction, exc.message)
        return True
    what = "dispute" if filed.kind == "dispute" else f"report ({filed.kind})"
    await _send(
        interaction, f"Thanks! Your {what} #{filed.report_id} went to the question authors."
    )
    return True
