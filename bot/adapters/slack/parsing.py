"""Parsing slash-command text and button values into plain arguments for the engine.

Only the shape of the text is checked here (which word is which option); whether a category
or period exists is for the engine to say. Anything unparseable raises :class:`UsageError`,
whose message is the command's usage line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.model import CHOICE_LETTERS, MODES, PERIODS
from questions.schema import DIFFICULTIES

__all__ = [
    "USAGE",
    "AdminArgs",
    "ButtonValue",
    "InterviewArgs",
    "LeaderboardArgs",
    "QuizArgs",
    "ReviewArgs",
    "StatsArgs",
    "UsageError",
    "parse_admin",
    "parse_button_value",
    "parse_interview",
    "parse_leaderboard",
    "parse_quiz",
    "parse_review",
    "parse_stats",
]

USAGE = {
    "quiz": "Usage: `/quiz [category] [easy|medium|hard] [open]`, e.g. `/quiz python easy open`.",
    "leaderboard": "Usage: `/leaderboard [week|month|all|season] [channel] [season:NAME]` "
    "(`channel` or a #channel mention limits it to one channel; `season:NAME` shows that "
    "ended season's final standings).",
    "stats": "Usage: `/stats [@user]`.",
    "interview": "Usage: `/interview [5|8|12] [category[,category…]] [easy|medium|hard]`, "
    "`/interview stop` or `/interview history`.",
    "review": "Usage: `/review [open|choice] [category]`, e.g. `/review category:web`.",
    "quiz-admin": "Usage: `/quiz-admin close` closes this channel's open question; "
    "`/quiz-admin daily …` schedules the daily question (`/quiz-admin daily show`); "
    "`/quiz-admin disputes` lists open disputes and reports, settled with "
    "`/quiz-admin uphold ID grade:G [note]`, `reject ID [note]` or `resolve ID [note]`; "
    "`/quiz-admin questions` shows how each question fares, `/quiz-admin progress` each "
    "member; `/quiz-admin season end NAME` archives the season and starts fresh boards.",
}

_MAX_WORD = 40
_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|([^>]{0,80}))?>$")
_CHANNEL_MENTION = re.compile(r"^<#([CGD][A-Z0-9]{1,20})(?:\|([^>]{0,80}))?>$")
_BUTTON_VALUE = re.compile(r"^quiz:([0-9]{1,18}):([A-D]|open)$")


class UsageError(Exception):
    """Command text that does not parse; the message says what to type instead."""

    def __init__(self, command: str, problem: str = "") -> None:
        message = f"{problem} {USAGE[command]}".strip()
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class QuizArgs:
    """``/quiz`` options, as typed (validated by the engine)."""

    category: str | None = None
    difficulty: str | None = None
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class InterviewArgs:
    """``/interview`` options, as typed (validated by the engine); ``action`` is ``start``,
    ``stop`` or ``history``."""

    action: str = "start"
    length: str | None = None
    category: str | None = None
    difficulty: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewArgs:
    """``/review`` options, as typed (validated by the engine)."""

    mode: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class LeaderboardArgs:
    """``/leaderboard`` options; ``channel_id`` None means the whole team."""

    period: str | None = None
    channel_id: str | None = None
    season: str | None = None  # an ended season's name: its final standings


@dataclass(frozen=True, slots=True)
class StatsArgs:
    """``/stats`` target; ``user_id`` None means the caller."""

    user_id: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class AdminArgs:
    """``/quiz-admin`` sub-command."""

    action: str


@dataclass(frozen=True, slots=True)
class ButtonValue:
    """A decoded answer button: the round and the choice letter, or "open" for the modal."""

    round_id: int
    choice: str


def _words(text: str | None) -> list[str]:
    return (text or "").split()


def _quoted(word: str) -> str:
    return repr(word if len(word) <= _MAX_WORD else word[:_MAX_WORD] + "…")


def parse_quiz(text: str | None) -> QuizArgs:
    """``[category] [difficulty] [open|choice]`` in any order."""
    category = difficulty = mode = None
    for word in _words(text):
        folded = word.casefold()
        if folded in ("help", "?"):
            raise UsageError("quiz")
        if folded in DIFFICULTIES and difficulty is None:
            difficulty = folded
        elif folded in MODES and mode is None:
            mode = folded
        elif category is None and folded not in DIFFICULTIES and folded not in MODES:
            category = word
        else:
            raise UsageError("quiz", f"Unexpected {_quoted(word)}.")
    return QuizArgs(category, difficulty, mode)


def parse_interview(text: str | None) -> InterviewArgs:
    """``stop``, ``history``, or ``[5|8|12] [category[,category…]] [difficulty]`` in any
    order."""
    words = _words(text)
    if len(words) == 1 and words[0].casefold() in ("stop", "history"):
        return InterviewArgs(words[0].casefold())
    length = category = difficulty = None
    for word in words:
        folded = word.casefold()
        if folded in ("help", "?", "stop", "history"):
            raise UsageError("interview")
        if folded.isdigit() and length is None:
            length = folded
        elif folded in DIFFICULTIES and difficulty is None:
            difficulty = folded
        elif category is None and not folded.isdigit() and folded not in DIFFICULTIES:
            category = word
        else:
            raise UsageError("interview", f"Unexpected {_quoted(word)}.")
    return InterviewArgs("start", length, category, difficulty)


def parse_review(text: str | None) -> ReviewArgs:
    """``[open|choice] [category]`` in any order (``category:web`` works too)."""
    mode = category = None
    for typed in _words(text):
        word = typed.removeprefix("category:")
        folded = word.casefold()
        if folded in ("help", "?"):
            raise UsageError("review")
        if folded in MODES and mode is None:
            mode = folded
        elif category is None and folded not in MODES:
            category = word
        else:
            raise UsageError("review", f"Unexpected {_quoted(word)}.")
    return ReviewArgs(mode, category)


def parse_leaderboard(text: str | None, current_channel: str) -> LeaderboardArgs:
    """``[week|month|all|season] [channel|here|#channel]`` in any order, then optionally
    ``season:NAME`` (the rest of the text: a name may have spaces)."""
    period: str | None = None
    channel: str | None = None
    before, found, season = (text or "").partition("season:")
    for word in _words(before):
        folded = word.casefold()
        mention = _CHANNEL_MENTION.match(word)
        if folded in PERIODS and period is None:
            period = folded
        elif folded in ("channel", "here") and channel is None:
            channel = current_channel
        elif mention and channel is None:
            channel = mention.group(1)
        else:
            raise UsageError("leaderboard", f"Unexpected {_quoted(word)}.")
    if found and not season.strip():
        raise UsageError("leaderboard", "Name the ended season: `season:NAME`.")
    return LeaderboardArgs(period, channel, season.strip() if found else None)


def parse_stats(text: str | None) -> StatsArgs:
    """Nothing (yourself) or one user mention, ``<@U123|name>`` or ``<@U123>``."""
    words = _words(text)
    if not words:
        return StatsArgs()
    if len(words) == 1:
        mention = _USER_MENTION.match(words[0])
        if mention:
            return StatsArgs(mention.group(1), mention.group(2) or "")
    raise UsageError("stats", "Mention one user with @.")


def parse_admin(text: str | None) -> AdminArgs:
    """``close``; anything else is a usage error."""
    words = _words(text)
    if len(words) == 1 and words[0].casefold() == "close":
        return AdminArgs("close")
    raise UsageError("quiz-admin")


def parse_button_value(value: object) -> ButtonValue:
    """Decode ``quiz:<round>:<A-D|open>``; anything else (forged, stale) is a ValueError."""
    if not isinstance(value, str):
        raise ValueError("button value is not text")
    match = _BUTTON_VALUE.match(value)
    if match is None:
        raise ValueError("malformed button value")
    choice = match.group(2)
    assert choice == "open" or choice in CHOICE_LETTERS
    return ButtonValue(int(match.group(1)), choice)
