"""Slack side of the mock interview: ``/interview``, its "Answer" and "Stop" buttons and the
answer modal.

Every message is ephemeral, in the channel or DM where ``/interview`` was typed: only the
player sees it, and the bot needs no membership there. Button values carry the state:
``ivanswer:<interview>:<step>`` opens the answer modal (``private_metadata`` keeps the
interview, the step, the channel and the click's ``response_url``: the next question goes
there), ``ivstop:<interview>`` ends the interview. No quiz rule lives here: a stale step, an
ended interview or another player's one is refused by the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.adapters.slack import blocks, interview_blocks
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.listening import guarded
from bot.adapters.slack.parsing import parse_interview
from bot.adapters.slack.payloads import (
    PayloadError,
    command_identity,
    interaction_channel,
    interaction_identity,
    modal_step,
    text_field,
    view_value,
)
from bot.adapters.slack.replies import Reply, submission_reply
from bot.engine.errors import QuizError
from bot.engine.model import InterviewPrompt, InterviewStep

__all__ = [
    "ACTION_PATTERN",
    "MODAL_CALLBACK_ID",
    "OPENS_MODAL",
    "on_interview_button",
    "on_interview_command",
    "on_interview_modal",
]

ACTION_PATTERN = re.compile(rf"^{interview_blocks.ACTION_PREFIX}")
MODAL_CALLBACK_ID = "interview:answer_modal"
OPENS_MODAL = r"ivanswer:[0-9]{1,18}:[0-9]{1,3}f?"
_VALUE = re.compile(rf"^(?:{OPENS_MODAL}|ivstop:[0-9]{{1,18}})$")
BROKEN = "That button is not valid (anymore); start an interview with /interview."


async def reply_step(reply: Reply, step: InterviewStep) -> None:
    """Send the next question (with its buttons) or the scorecard."""
    if isinstance(step, InterviewPrompt):
        await reply(interview_blocks.prompt_text(step), interview_blocks.prompt_blocks(step))
    else:
        await reply(interview_blocks.scorecard_text(step), interview_blocks.scorecard_blocks(step))


async def on_interview_command(deps: SlackDeps, body: dict[str, Any], reply: Reply) -> None:
    """``/interview [5|8|12] [category] [difficulty]``, ``/interview stop|history``."""
    _, player = command_identity(body)
    args = parse_interview(body.get("text"))
    engine = deps.engine
    if args.action == "history":
        history = await engine.interview_history(player)
        await reply(
            interview_blocks.history_text(history), interview_blocks.history_blocks(history)
        )
    elif args.action == "stop":
        await reply_step(reply, await engine.stop_interview(player))
    else:
        step = await engine.start_interview(
            player, length=args.length, category=args.category, difficulty=args.difficulty
        )
        await reply_step(reply, step)


async def on_interview_button(deps: SlackDeps, body: dict[str, Any], reply: Reply) -> None:
    """ "Answer" (opens the modal at once: its trigger_id lasts 3 s) or "Stop interview"."""
    team, player = interaction_identity(body)
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    value = action.get("value") if isinstance(action, dict) else None
    if not isinstance(value, str) or not _VALUE.match(value):
        raise QuizError(BROKEN)
    kind, interview, *step = value.split(":")
    if kind == "ivstop":
        await reply_step(
            reply, await deps.engine.stop_interview(player, interview_id=int(interview))
        )
        return
    channel = interaction_channel(body, team)
    trigger_id = text_field(body, "trigger_id")
    if channel is None or not trigger_id:
        raise PayloadError("interview button without channel or trigger_id")
    await deps.client.views_open(
        trigger_id=trigger_id,
        view=blocks.answer_modal(
            int(interview),
            channel.channel_id,
            prompt_mrkdwn=blocks.prompt_of_message(body.get("message")),
            response_url=text_field(body, "response_url"),
            callback_id=MODAL_CALLBACK_ID,
            title=f"Interview #{interview}",
            step=step[0],
        ),
    )


async def on_interview_modal(deps: SlackDeps, body: dict[str, Any]) -> None:
    """The answer modal was submitted: answer the step, send what comes next through the
    click's response_url (chat.postEphemeral when there is none or it fails)."""
    _, player = interaction_identity(body)
    view = body.get("view")
    if not isinstance(view, Mapping):
        raise PayloadError("modal without view")
    interview_id, reply = submission_reply(deps.client, view, player.user_id)

    async def answer() -> None:
        step = modal_step(view)
        if not step:
            raise QuizError(BROKEN)
        text = view_value(view, blocks.ANSWER_BLOCK_ID, blocks.ANSWER_INPUT_ID)
        await reply_step(
            reply,
            await deps.engine.answer_interview(player, text, interview_id=interview_id, step=step),
        )

    await guarded(reply, answer())
