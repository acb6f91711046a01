"""Answering a posted question on Slack: the A–D buttons, "Answer in my own words" (which
opens the answer modal) and the modal's submission."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.adapters.slack import blocks
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.listening import Body, guarded
from bot.adapters.slack.parsing import parse_button_value
from bot.adapters.slack.payloads import (
    PayloadError,
    interaction_channel,
    interaction_identity,
    text_field,
    view_value,
)
from bot.adapters.slack.replies import Reply, submission_reply
from bot.engine.errors import QuizError, RoundNotFoundError
from bot.engine.model import Channel, Player, Team

__all__ = ["BROKEN_BUTTON", "on_answer_button", "on_answer_modal"]

log = logging.getLogger(__name__)

BROKEN_BUTTON = "That button is not valid (anymore); start a new question with /quiz."


async def on_answer_button(deps: SlackDeps, body: Body, reply: Reply) -> None:
    """An answer button (A–D), or "Answer in my own words" which opens the modal."""
    team, player = interaction_identity(body)
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    try:
        value = parse_button_value(action.get("value") if isinstance(action, dict) else None)
    except ValueError:
        raise QuizError(BROKEN_BUTTON) from None
    if value.choice == "open":
        await _open_modal(deps, body, team, value.round_id)
        return
    feedback = await deps.engine.answer(player, value.round_id, choice=value.choice)
    await reply(blocks.feedback_text(feedback), blocks.feedback_blocks(feedback))


async def _open_modal(deps: SlackDeps, body: Body, team: Team, round_id: int) -> None:
    """Open the answer modal at once, with the prompt the clicked message carries.

    The trigger_id is valid for 3 seconds, so nothing that may be slow (the engine closes
    due rounds and publishes their reveals before answering) runs before views.open. Only
    when the payload has no prompt (an ephemeral /review card) is it looked up afterwards
    and filled in with views.update, which keeps what the user has typed.
    """
    channel = interaction_channel(body, team)
    trigger_id = text_field(body, "trigger_id")
    if channel is None or not trigger_id:
        raise PayloadError("open button without channel or trigger_id")
    prompt = blocks.prompt_of_message(body.get("message"))
    response_url = text_field(body, "response_url")
    opened = await deps.client.views_open(
        trigger_id=trigger_id,
        view=blocks.answer_modal(
            round_id, channel.channel_id, prompt_mrkdwn=prompt, response_url=response_url
        ),
    )
    if not prompt:
        await _fill_in_prompt(deps, opened.get("view"), channel, round_id, response_url)


async def _fill_in_prompt(
    deps: SlackDeps, view: object, channel: Channel, round_id: int, response_url: str
) -> None:
    """Add the question to an open modal (best effort: the modal works without it)."""
    view_id = text_field(view, "id")
    if not view_id:
        return
    try:
        current = await deps.engine.current_round(channel)
        if current is None or current.round_id != round_id:
            return
        await deps.client.views_update(
            view_id=view_id,
            hash=text_field(view, "hash") or None,
            view=blocks.answer_modal(
                round_id,
                channel.channel_id,
                prompt_mrkdwn=blocks.mrkdwn(current.prompt),
                response_url=response_url,
            ),
        )
    except (SlackApiError, QuizError):
        log.info("could not add the prompt to the answer modal", exc_info=True)


async def on_answer_modal(deps: SlackDeps, body: Body) -> None:
    """The answer modal was submitted: grade the text, reply through the response_url of
    the click that opened it (chat.postEphemeral when there is none or it fails)."""
    _, player = interaction_identity(body)
    view = body.get("view")
    round_id, reply = submission_reply(deps.client, view, player.user_id)
    await guarded(reply, _answer_text(deps, player, round_id, view, reply))


async def _answer_text(
    deps: SlackDeps, player: Player, round_id: int, view: object, reply: Reply
) -> None:
    if round_id <= 0:
        raise RoundNotFoundError()
    feedback = await deps.engine.answer(
        player, round_id, text=view_value(view, blocks.ANSWER_BLOCK_ID, blocks.ANSWER_INPUT_ID)
    )
    await reply(blocks.feedback_text(feedback), blocks.feedback_blocks(feedback))
