"""``/quiz-admin daily …`` on Slack: the shared parser and dispatcher
(:mod:`bot.adapters.daily_admin`), with Slack's channel links and a private reply.

The manifest sets ``should_escape: true`` for /quiz-admin, so a channel picked from Slack's
autocomplete arrives as ``<#C123|quiz>``; a plain ``#quiz`` (typed without picking, or a channel
Slack could not resolve) is refused with a hint to pick it from the list.
"""

from __future__ import annotations

import re

from bot.adapters.daily_admin import USAGE, is_daily, parse_daily, run_daily
from bot.adapters.slack import blocks
from bot.adapters.slack.replies import Reply
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, Team
from bot.safe_text import shorten

__all__ = ["is_daily", "linked_channel", "run_daily_admin"]

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{1,20})(?:\|([^>]{0,80}))?>$")
_MAX_SHOWN = 40


def linked_channel(team: Team, given: str) -> Channel:
    """The channel a Slack channel link (``<#C123|name>``) names; anything else is refused
    with a hint to pick the channel from Slack's list."""
    link = _CHANNEL.match(given)
    if link is None:
        raise QuizError(
            f"I cannot tell which channel {shorten(given, _MAX_SHOWN)!r} is. Type `#` and pick "
            "the channel from Slack's list, so it arrives as a channel link (for a private "
            f"channel, invite me first with `/invite @Quizbot`). {USAGE}"
        )
    return Channel(team, link.group(1), link.group(2) or link.group(1))


def _mention(channel: Channel) -> str:
    return f"<#{channel.channel_id}>"


async def run_daily_admin(
    engine: QuizEngine, here: Channel, text: str | None, reply: Reply
) -> None:
    """Run a ``daily`` sub-command typed by an admin in channel ``here``; reply privately."""
    request = parse_daily(text)
    done = await run_daily(
        engine, request, here=here, resolve=lambda given: linked_channel(here.team, given)
    )
    message = done.text(_mention, blocks.escape)
    await reply(shorten(message, blocks.MAX_FALLBACK_CHARS), [blocks.section(message)])
