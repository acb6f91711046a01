"""``/quiz-admin daily set|off|show|now``: the daily question's admin command, for every adapter.

Typed text (Slack, the console) is split by :func:`parse_daily`; options a platform already
split (Discord's slash command) are checked by :func:`daily_request`. Both refuse with the same
messages (:class:`QuizError`), then :func:`run_daily` calls ``engine.daily`` and returns a
:class:`DailyReply`: lines of plain text and channels, which each renderer turns into its own
channel mentions and escaping. The schedule's values (time, timezone, days…) are validated by
the engine (:mod:`bot.engine.daily_schedule`). Platform-neutral: no chat library here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.engine.daily_schedule import DAILY_FORMAT
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel
from bot.safe_text import shorten

__all__ = [
    "ACTIONS",
    "OPTIONS",
    "USAGE",
    "DailyReply",
    "DailyRequest",
    "daily_request",
    "is_daily",
    "parse_daily",
    "run_daily",
]

ACTIONS = ("set", "off", "show", "now")
"""What ``daily`` does: ``set`` (the default when no action word is typed), ``off``, ``show``,
``now``."""

OPTIONS = ("channel", "time", "timezone", "days", "difficulty", "close", "digest")
"""The ``key:value`` options of ``daily set``; ``off`` and ``now`` take only ``channel``."""

USAGE = (
    "Usage: /quiz-admin daily channel:#channel time:HH:MM timezone:Area/City [days:mon-fri] "
    "[difficulty:easy|medium|hard] [close:HH:MM] [digest:on|off], or "
    "/quiz-admin daily off|now [channel:#channel], or /quiz-admin daily show."
)

_MAX_SHOWN = 40

Part = str | Channel
"""A piece of a reply line: plain text, or a channel the renderer mentions its own way."""


@dataclass(frozen=True, slots=True)
class DailyRequest:
    """A validated ``daily`` command: its action, the channel as the user gave it (None: the
    channel the command was typed in) and the schedule's options (``set`` only)."""

    action: str
    channel: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DailyReply:
    """What the command did, as lines of text and channels (neutral: the renderer mentions
    channels and escapes text for its platform)."""

    lines: tuple[tuple[Part, ...], ...]

    def text(self, mention: Callable[[Channel], str], escape: Callable[[str], str] = str) -> str:
        """The reply as one text: each channel through ``mention``, the rest through
        ``escape``."""
        return "\n".join(
            "".join(mention(part) if isinstance(part, Channel) else escape(part) for part in line)
            for line in self.lines
        )


def is_daily(text: str | None) -> bool:
    """Whether ``/quiz-admin`` text is a ``daily`` sub-command."""
    words = (text or "").split()
    return bool(words) and words[0].casefold() == "daily"


def parse_daily(text: str | None) -> DailyRequest:
    """Parse typed ``/quiz-admin daily …`` text (the ``daily`` word first).

    An action word (``off``, ``show``, ``now``, ``set``) may come first; ``key:value`` options
    and a bare channel (``#name``, or a platform's channel link) in any order.
    """
    words = (text or "").split()
    if not words or words[0].casefold() != "daily":
        raise QuizError(USAGE)
    action: str | None = None
    channel: str | None = None
    options: dict[str, str] = {}
    for position, word in enumerate(words[1:]):
        key, colon, value = word.partition(":")
        key = key.casefold()
        if position == 0 and not colon and word.casefold() in ACTIONS:
            action = word.casefold()
        elif colon and key in OPTIONS and not word.startswith("<"):
            if key in options or (key == "channel" and channel is not None):
                raise QuizError(f"{key} is given twice. {USAGE}")
            if key == "channel":
                channel = value
            else:
                options[key] = value
        elif word.startswith(("#", "<#")) and channel is None:
            channel = word
        else:
            raise QuizError(f"Unexpected {_shown(word)}. {USAGE}")
    return daily_request(action or "set", options, channel=channel)


def daily_request(
    action: str, options: Mapping[str, str | None], *, channel: str | None = None
) -> DailyRequest:
    """Check an action and its already split options (None or empty: not given)."""
    wanted = action.casefold()
    if wanted not in ACTIONS:
        raise QuizError(f"Unknown daily action {_shown(action)}. {USAGE}")
    given = {key.casefold(): value for key, value in options.items() if value}
    unknown = sorted(key for key in given if key not in OPTIONS or key == "channel")
    if unknown:
        raise QuizError(f"Unexpected option {_shown(unknown[0])}. {USAGE}")
    if channel is not None and not channel.strip():
        raise QuizError(f"channel needs a channel after the colon. {USAGE}")
    if wanted == "show" and (given or channel is not None):
        raise QuizError(f"daily show takes no options. {USAGE}")
    if wanted in ("off", "now") and given:
        raise QuizError(f"daily {wanted} takes only a channel. {USAGE}")
    return DailyRequest(wanted, channel, {key: value for key, value in given.items() if value})


async def run_daily(
    engine: QuizEngine,
    request: DailyRequest,
    *,
    here: Channel,
    resolve: Callable[[str], Channel],
) -> DailyReply:
    """Run a validated ``daily`` command typed in ``here``; ``resolve`` turns the channel the
    user gave into a channel of ``here``'s team (raising :class:`QuizError` when it cannot)."""
    target = here if request.channel is None else resolve(request.channel)
    daily = engine.daily
    if request.action == "set":
        options = request.options
        schedule = await daily.set_schedule(
            target,
            time_of_day=options.get("time"),
            timezone=options.get("timezone"),
            days=options.get("days"),
            difficulty=options.get("difficulty"),
            close=options.get("close"),
            digest=options.get("digest"),
        )
        return DailyReply((("Daily question in ", target, f": {schedule.describe()}."),))
    if request.action == "off":
        await daily.disable(target)
        return DailyReply((("The daily question in ", target, " is off."),))
    if request.action == "show":
        schedules = await daily.schedules(here.team)
        if not schedules:
            return DailyReply(((f"No daily question is scheduled. {DAILY_FORMAT}",),))
        return DailyReply(
            tuple(
                (Channel(here.team, s.channel_id, s.channel_name), f": {s.describe()}")
                for s in schedules
            )
        )
    card = await daily.post_now(target)
    return DailyReply(((f"Daily question #{card.round_id} is up in ", target, "."),))


def _shown(word: str) -> str:
    return repr(shorten(word, _MAX_SHOWN))
