"""``/quiz-admin daily …`` on Slack: parse the text, call the engine, reply privately.

``/quiz-admin daily channel:<#C123|quiz> time:09:00 timezone:Europe/Berlin [days:mon-fri]
[difficulty:easy] [close:17:00] [digest:on]``, and
``/quiz-admin daily off|show|now [channel:<#C…>]``.
Only the shape of the text is checked here; the engine validates the values. The manifest sets
``should_escape: true`` for /quiz-admin, so a channel picked from Slack's autocomplete arrives as
``<#C123|quiz>``; a plain ``#quiz`` (typed without picking, or a channel Slack could not
resolve) is refused with a hint to pick it from the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.adapters.slack import blocks
from bot.adapters.slack.replies import Reply
from bot.engine.daily_schedule import DAILY_FORMAT
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel
from bot.safe_text import shorten

__all__ = ["DailyArgs", "is_daily", "parse_daily", "run_daily_admin"]

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{1,20})(?:\|([^>]{0,80}))?>$")
_OPTIONS = ("channel", "time", "timezone", "days", "difficulty", "close", "digest")
_ACTIONS = ("off", "show", "now")
_MAX_SHOWN = 40
USAGE = (
    "Usage: `/quiz-admin daily channel:#channel time:09:00 timezone:Europe/Berlin "
    "[days:mon-fri] [difficulty:easy|medium|hard] [close:HH:MM] [digest:on|off]`, or "
    "`/quiz-admin daily off|show|now [channel:#channel]`."
)


@dataclass(frozen=True, slots=True)
class DailyArgs:
    """The parsed sub-command: ``set`` (with options), ``off``, ``show`` or ``now``."""

    action: str
    channel_id: str | None = None
    channel_name: str = ""
    options: dict[str, str] = field(default_factory=dict)


def is_daily(text: str | None) -> bool:
    """Whether ``/quiz-admin`` text is a ``daily`` sub-command."""
    words = (text or "").split()
    return bool(words) and words[0].casefold() == "daily"


def parse_daily(text: str | None) -> DailyArgs:
    """Parse the words after ``daily``; a malformed word raises :class:`QuizError` (usage)."""
    words = (text or "").split()[1:]
    action = "set"
    channel_id: str | None = None
    channel_name = ""
    options: dict[str, str] = {}
    for word in words:
        key, colon, value = word.partition(":")
        named = colon and key.casefold() == "channel"
        mention = _CHANNEL.match(value if named else word)
        if mention and channel_id is None:
            channel_id, channel_name = mention.group(1), mention.group(2) or ""
        elif word.casefold() in _ACTIONS and action == "set" and not options:
            action = word.casefold()
        elif colon and key.casefold() in _OPTIONS and not named:
            options[key.casefold()] = value
        elif (named or word.startswith("#")) and channel_id is None:
            raise QuizError(_unresolved(value if named else word))
        else:
            raise QuizError(f"Unexpected {_shown(word)}. {USAGE}")
    if action != "set" and options:
        raise QuizError(f"`daily {action}` takes only a channel. {USAGE}")
    return DailyArgs(action, channel_id, channel_name, options)


def _shown(word: str) -> str:
    return repr(word if len(word) <= _MAX_SHOWN else word[:_MAX_SHOWN] + "…")


def _unresolved(name: str) -> str:
    """The refusal for a channel given as plain text instead of a channel link."""
    return (
        f"I cannot tell which channel {_shown(name)} is. Type `#` and pick the channel from "
        "Slack's list, so it arrives as a channel link (for a private channel, invite me "
        f"first with `/invite @Quizbot`). {USAGE}"
    )


async def run_daily_admin(
    engine: QuizEngine, here: Channel, text: str | None, reply: Reply
) -> None:
    """Run a parsed ``daily`` sub-command for an admin in channel ``here``."""
    args = parse_daily(text)
    target = here
    if args.channel_id is not None:
        target = Channel(here.team, args.channel_id, args.channel_name or args.channel_id)
    where = f"<#{target.channel_id}>"
    if args.action == "set":
        schedule = await engine.daily.set_schedule(
            target,
            time_of_day=args.options.get("time"),
            timezone=args.options.get("timezone"),
            days=args.options.get("days"),
            difficulty=args.options.get("difficulty"),
            close=args.options.get("close"),
            digest=args.options.get("digest"),
        )
        message = f"Daily question in {where}: {blocks.escape(schedule.describe())}."
    elif args.action == "off":
        await engine.daily.disable(target)
        message = f"The daily question in {where} is off."
    elif args.action == "show":
        schedules = await engine.daily.schedules(here.team)
        lines = [f"<#{s.channel_id}>: {blocks.escape(s.describe())}" for s in schedules]
        message = "\n".join(lines) or f"No daily question is scheduled. {DAILY_FORMAT}"
    else:
        card = await engine.daily.post_now(target)
        message = f"Daily question #{card.round_id} is up in {where}."
    await reply(shorten(message, blocks.MAX_FALLBACK_CHARS), [blocks.section(message)])
