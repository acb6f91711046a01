"""``/quiz-admin daily …`` in the console: everyone is the admin of their own local team."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapters.console.commands import Command, CommandError
from bot.adapters.console.names import valid_channel
from bot.engine.daily_schedule import DAILY_FORMAT
from bot.engine.model import Channel
from bot.safe_text import visible

if TYPE_CHECKING:
    from bot.adapters.console.adapter import ConsoleSession

__all__ = ["USAGE", "daily_command"]

USAGE = (
    "Usage: /quiz-admin daily channel:#C time:HH:MM timezone:Area/City [days:mon-fri] "
    "[difficulty:D] [close:HH:MM] [digest:on|off], or /quiz-admin daily off|show|now "
    "[channel:#C]."
)


def _channel(session: ConsoleSession, command: Command) -> Channel:
    name = valid_channel(command.options.get("channel") or session.channel_name)
    return Channel(session.team, name, name)


async def daily_command(session: ConsoleSession, command: Command) -> str:
    """Set, show, turn off or post now the daily question of a channel."""
    words = [word.casefold() for word in command.args]
    if not words or words[0] != "daily" or len(words) > 2:
        raise CommandError(USAGE)
    action = words[1] if len(words) == 2 else "set"
    daily = session.engine.daily
    channel = _channel(session, command)
    if action == "set":
        schedule = await daily.set_schedule(
            channel,
            time_of_day=command.options.get("time"),
            timezone=command.options.get("timezone"),
            days=command.options.get("days"),
            difficulty=command.options.get("difficulty"),
            close=command.options.get("close"),
            digest=command.options.get("digest"),
        )
        return f"Daily question in #{visible(channel.name)}: {schedule.describe()}."
    if action == "off":
        await daily.disable(channel)
        return f"The daily question in #{visible(channel.name)} is off."
    if action == "show":
        schedules = await daily.schedules(session.team)
        if not schedules:
            return f"No daily question is scheduled. {DAILY_FORMAT}"
        return "\n".join(f"#{visible(s.channel_name)}: {s.describe()}" for s in schedules)
    if action == "now":
        card = await daily.post_now(channel)
        return f"Posted daily question #{card.round_id} in #{visible(channel.name)}."
    raise CommandError(USAGE)
