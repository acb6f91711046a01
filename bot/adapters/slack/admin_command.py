"""``/quiz-admin`` on Slack: the admin check, then ``close`` here, or the ``daily …`` and
dispute sub-commands (their own modules)."""

from __future__ import annotations

from bot.adapters.slack import blocks
from bot.adapters.slack.admins import NOT_ADMIN
from bot.adapters.slack.daily import is_daily, run_daily_admin
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.disputes import is_dispute_admin, run_dispute_admin
from bot.adapters.slack.listening import Body
from bot.adapters.slack.parsing import parse_admin
from bot.adapters.slack.payloads import command_identity
from bot.adapters.slack.replies import Reply
from bot.adapters.wording import CLOSED_NOT_SHOWN
from bot.engine.errors import QuizError

__all__ = ["on_admin"]


async def on_admin(deps: SlackDeps, body: Body, reply: Reply) -> None:
    """``/quiz-admin close``: close this channel's open round; ``daily …`` and the dispute
    sub-commands go to their modules (admins only)."""
    channel, player = command_identity(body)
    if not await deps.admins.is_admin(player.user_id):
        raise QuizError(NOT_ADMIN)
    text = body.get("text")
    engine = deps.engine
    if is_daily(text):
        await run_daily_admin(engine, channel, text, reply)
        return
    if is_dispute_admin(text):
        await run_dispute_admin(engine, channel.team, text, reply)
        return
    parse_admin(text)
    reveal = await engine.close_channel_round(channel)
    if await engine.publish_reveal(channel, reveal):
        message = f"Closed round #{reveal.round_id}."
    else:
        message = CLOSED_NOT_SHOWN.format(round_id=reveal.round_id)
    await reply(message, blocks.notice_blocks(message))
