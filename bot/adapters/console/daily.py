"""``/quiz-admin daily …`` in the console: everyone is the admin of their own local team.

The typed text is parsed, checked and run by :mod:`bot.adapters.daily_admin` (the same words
and refusals as on Discord and Slack); this module only names channels the console's way.
"""

from __future__ import annotations

from bot.adapters.console.names import valid_channel
from bot.adapters.daily_admin import parse_daily, run_daily
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel
from bot.safe_text import visible

__all__ = ["daily_command"]


async def daily_command(engine: QuizEngine, here: Channel, text: str) -> str:
    """Set, show, turn off or post now the daily question of a channel (``text``: the words
    after ``/quiz-admin``)."""

    def resolve(name: str) -> Channel:
        channel_name = valid_channel(name)
        return Channel(here.team, channel_name, channel_name)

    reply = await run_daily(engine, parse_daily(text), here=here, resolve=resolve)
    return reply.text(_mention)


def _mention(channel: Channel) -> str:
    return f"#{visible(channel.name or channel.channel_id)}"
