"""Slack side of spaced repetition: ``/review``, rating buttons, dispute / report modals.

Button values carry the state: ``rate:<round>:<rating>``, ``dispute:<round>``,
``report:<round>`` (action ids start with ``review:``). The modals keep the round, the channel and
the click's ``response_url`` in ``private_metadata``; the confirmation goes through that URL
(chat.postEphemeral, the fallback, fails where the bot is no member). No quiz rule lives here:
everything goes through the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.adapters.slack import blocks
from bot.adapters.slack.blocks import Block
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.listening import AckErrors, guarded
from bot.adapters.slack.parsing import parse_review
from bot.adapters.slack.payloads import (
    PayloadError,
    command_identity,
    interaction_channel,
    interaction_identity,
    text_field,
    view_value,
)
from bot.adapters.slack.replies import Reply, submission_reply
from bot.adapters.wording import days, filed_thanks
from bot.engine import options
from bot.engine.errors import QuizError
from bot.engine.reviews import RATINGS, REPORT_KINDS

__all__ = [
    "ACTION_PATTERN",
    "DISPUTE_CALLBACK_ID",
    "REPORT_CALLBACK_ID",
    "on_review_button",
    "on_review_command",
    "on_review_modal",
    "report_kind_errors",
]

ACTION_PATTERN = re.compile(r"^review:")
DISPUTE_CALLBACK_ID = "review:dispute_modal"
REPORT_CALLBACK_ID = "review:report_modal"
NOTE_BLOCK, KIND_BLOCK, INPUT_ID = "note", "kind", "value"
_VALUE = re.compile(rf"^(rate|dispute|report):([0-9]{{1,18}})(?::({'|'.join(RATINGS)}))?$")
BROKEN = "That button is not valid (anymore)."


async def on_review_command(deps: SlackDeps, body: dict[str, Any], reply: Reply) -> None:
    """``/review [choice] [category]``: a private practice question, as an ephemeral
    message."""
    _, player = command_identity(body)
    args = parse_review(body.get("text"))
    card = await deps.engine.start_review(player, mode=args.mode, category=args.category)
    await reply(blocks.card_text(card), blocks.card_blocks(card))


async def on_review_button(deps: SlackDeps, body: dict[str, Any], reply: Reply) -> None:
    """A rating button (applied at once), or dispute / report (opens a modal)."""
    team, player = interaction_identity(body)
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    value = action.get("value") if isinstance(action, dict) else None
    match = _VALUE.match(value) if isinstance(value, str) else None
    if match is None or (match.group(1) == "rate") != bool(match.group(3)):
        raise QuizError(BROKEN)
    what, round_id = match.group(1), int(match.group(2))
    if what == "rate":
        rated = await deps.engine.rate_review(player, round_id, match.group(3))
        text = (
            f"Rated *{rated.rating.capitalize()}*: next review in {days(rated.interval_days)}. "
            "Points keep the automatic grade."
        )
        await reply(text, blocks.notice_blocks(text))
        return
    channel = interaction_channel(body, team)
    trigger_id = text_field(body, "trigger_id")
    if channel is None or not trigger_id:
        raise PayloadError("review button without channel or trigger_id")
    response_url = text_field(body, "response_url")
    await deps.client.views_open(
        trigger_id=trigger_id, view=_modal(what, round_id, channel.channel_id, response_url)
    )


def _input(block_id: str, label: str, *, optional: bool, multiline: bool) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": blocks.plain(label, 2000),
        "element": {
            "type": "plain_text_input",
            "action_id": INPUT_ID,
            "multiline": multiline,
            "max_length": 1000,
        },
    }


def _modal(what: str, round_id: int, channel_id: str, response_url: str) -> dict[str, Any]:
    inputs: list[Block] = []
    if what == "report":
        inputs.append(_input(KIND_BLOCK, "typo, wrong or unclear", optional=False, multiline=False))
        inputs.append(
            _input(NOTE_BLOCK, "What is wrong? (optional)", optional=True, multiline=True)
        )
    else:
        inputs.append(_input(NOTE_BLOCK, "Why is the grade wrong?", optional=False, multiline=True))
    return {
        "type": "modal",
        "callback_id": DISPUTE_CALLBACK_ID if what == "dispute" else REPORT_CALLBACK_ID,
        "private_metadata": blocks.modal_private_metadata(round_id, channel_id, response_url),
        "title": blocks.plain("Dispute grade" if what == "dispute" else "Report question", 24),
        "submit": blocks.plain("Send", 24),
        "close": blocks.plain("Cancel", 24),
        "blocks": inputs,
    }


def report_kind_errors(body: dict[str, Any]) -> AckErrors | None:
    """The report modal's field error when its kind is none of the engine's report kinds
    (the modal stays open and says which are); None for anything else."""
    view = body.get("view")
    if not isinstance(view, Mapping) or view.get("callback_id") != REPORT_CALLBACK_ID:
        return None
    try:
        options.choose("report", view_value(view, KIND_BLOCK, INPUT_ID), REPORT_KINDS)
    except QuizError as exc:
        return AckErrors({KIND_BLOCK: exc.message})
    return None


async def on_review_modal(deps: SlackDeps, body: dict[str, Any]) -> None:
    """A dispute or report modal was submitted: file it, confirm through the click's
    response_url (chat.postEphemeral when there is none or it fails)."""
    _, player = interaction_identity(body)
    view = body.get("view")
    if not isinstance(view, Mapping):
        raise PayloadError("modal without view")
    round_id, reply = submission_reply(deps.client, view, player.user_id)

    async def file() -> None:
        note = view_value(view, NOTE_BLOCK, INPUT_ID)
        if view.get("callback_id") == DISPUTE_CALLBACK_ID:
            filed = await deps.engine.dispute(player, round_id, note)
        else:
            kind = view_value(view, KIND_BLOCK, INPUT_ID)
            filed = await deps.engine.report_question(player, round_id, kind, note)
        text = filed_thanks(filed.kind, filed.report_id)
        await reply(text, blocks.notice_blocks(text))

    await guarded(reply, file())
