"""Parsing console lines into commands: ``/name positional key:value ...``."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from bot.adapters.console.entries import FENCE
from bot.adapters.daily_admin import is_daily
from bot.adapters.settle_text import is_settle

__all__ = ["COMMANDS", "INTERVIEW_ACTIONS", "Command", "CommandError", "parse_line"]

COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (usage, description, allowed key:value options)
    "quiz": (
        "/quiz [category:C] [difficulty:easy|medium|hard] [mode:choice|open]",
        "open a round in this channel",
        ("category", "difficulty", "mode"),
    ),
    "answer": (
        "/answer <A-D or your own words> [round:N]",
        "answer the question last posted in this channel (a bare A, B, C or D works too); "
        "a ``` code block, or lines ending with \\, make one answer",
        ("round",),
    ),
    "close": ("/close", "close this channel's open round and show the reveal", ()),
    "leaderboard": (
        "/leaderboard [week|month|all|season] [#channel|channel] [season:NAME]",
        "the team's top 10 (and anyone tied with the 10th) and your rank; season:NAME shows "
        "that ended season's final standings",
        ("season",),
    ),
    "stats": ("/stats [player]", "points, answers and accuracy by category", ()),
    "review": (
        "/review [mode:open|choice] [category:C]",
        "a private practice question (your most overdue card, else a new one; only of "
        "category C when given); answer it on the next line, or later with round:N",
        ("mode", "category"),
    ),
    "interview": (
        "/interview [length:5|8|12] [category:C[,C...]] [difficulty:easy|medium|hard] | "
        "/interview stop | /interview history",
        "a private mock interview: timed free-text questions, follow-ups, no feedback until "
        "the scorecard; while it runs, a plain line (or a ``` block) answers it",
        ("length", "category", "difficulty"),
    ),
    "rate": (
        "/rate again|hard|good|easy [round:N]",
        "correct how well you knew your last review answer (FSRS uses it)",
        ("round",),
    ),
    "dispute": ("/dispute <why> [round:N]", "dispute the grade of your last answer", ("round",)),
    "report": (
        "/report typo|wrong|unclear [note] [round:N]",
        "report a problem with the last question",
        ("round",),
    ),
    "as": ("/as NAME", "switch to another player", ()),
    "channel": ("/channel NAME", "switch to another channel", ()),
    "team": ("/team NAME", "switch to another team (a separate server or workspace)", ()),
    "quiz-admin": (
        "/quiz-admin daily channel:#C time:HH:MM timezone:Area/City [days:mon-fri] "
        "[difficulty:D] [close:HH:MM] [digest:on|off] | /quiz-admin daily off|show|now "
        "[channel:#C] | "
        "/quiz-admin disputes | /quiz-admin uphold ID grade:G [note] | "
        "/quiz-admin reject|resolve ID [note] | /quiz-admin questions | /quiz-admin progress | "
        "/quiz-admin season end NAME",
        "schedule the daily question of a channel (show, turn off, or post it now); list open "
        "grade disputes and question reports, and settle them (the player is told); how each "
        "question fares; each member's accuracy by category and coverage of the bank; end the "
        "season (its standings archived, fresh boards)",
        (),
    ),
    "help": ("/help", "this list", ()),
    "quit": ("/quit", "leave", ()),
}


INTERVIEW_ACTIONS = ("stop", "history")


class CommandError(Exception):
    """A line that is not a valid command; the message says what to type instead."""


@dataclass(frozen=True)
class Command:
    """A parsed line: the command name, positional words and key:value options."""

    name: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    rest: str = ""

    def for_round(self, round_id: int) -> Command:
        """This command acting on ``round_id`` unless it names its round (``round:N``)."""
        if "round" in self.options:
            return self
        return Command(self.name, self.args, {**self.options, "round": str(round_id)}, self.rest)


_NAME_AND_REST = re.compile(r"/(\S*)\s*(.*)", re.DOTALL)


def parse_line(line: str) -> Command | None:
    """Parse one console entry (a line, or the lines of a multi-line answer); None when blank.

    A bare ``A``-``D``, or a fenced code block, is an answer. ``/answer`` keeps its text as
    typed (``rest``).
    """
    text = line.strip()
    if not text:
        return None
    if (len(text) == 1 and text.upper() in "ABCD") or text.startswith(FENCE):
        return Command("answer", rest=text)
    if not text.startswith("/"):
        raise CommandError(
            "Commands start with '/'. Answer with A-D or /answer <text>; type /help for more."
        )
    found = _NAME_AND_REST.fullmatch(text)  # the name ends at any space, a newline too
    name, rest = found.groups() if found else ("", "")
    name = name.casefold()
    if name not in COMMANDS:
        raise CommandError(f"Unknown command '/{name[:30]}'. Type /help to see every command.")
    allowed = COMMANDS[name][2]
    if name in ("answer", "as", "channel", "team", "rate", "dispute", "report"):
        return _with_rest(name, rest.strip(), allowed)
    if name == "quiz-admin" and is_settle(rest):  # the note is free text
        return Command(name, tuple(rest.split(maxsplit=1)[:1]), rest=rest.strip())
    if name == "quiz-admin" and is_daily(rest):  # bot/adapters/daily_admin.py parses it
        return Command(name, ("daily",), rest=rest.strip())
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    args: list[str] = []
    options: dict[str, str] = {}
    for word in words:
        key, colon, value = word.partition(":")
        if colon and key.isidentifier():
            if key.casefold() not in allowed:
                shown = ", ".join(allowed) if allowed else "none"
                raise CommandError(f"Unknown option '{key[:30]}' for /{name}. Options: {shown}.")
            options[key.casefold()] = value
        else:
            args.append(word)
    if allowed and args and not _takes_words(name, args, options):
        raise CommandError(f"Unexpected '{args[0][:30]}'. Usage: {COMMANDS[name][0]}")
    return Command(name, tuple(args), options, rest.strip())


def _takes_words(name: str, args: list[str], options: dict[str, str]) -> bool:
    """Positional words a command with options accepts: quiz-admin's ``daily off|show|now``,
    leaderboard's ``season``, and ``/interview stop`` or ``/interview history`` (alone)."""
    if name in ("quiz-admin", "leaderboard"):  # words of their own
        return True
    return (
        name == "interview"
        and not options
        and len(args) == 1
        and args[0].casefold() in INTERVIEW_ACTIONS
    )


_OPTION_WORD = re.compile(r"(?:^|\s+)([A-Za-z_]\w*):(\S*)(?!\S)")


def _with_rest(name: str, rest: str, allowed: tuple[str, ...]) -> Command:
    """Commands whose argument is free text; ``round:N`` in any position is taken as an option.

    The option's word is removed from the text (``/report typo round:3 the title`` files a typo
    with the note "the title" against round 3).
    """
    options: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        key = match.group(1).casefold()
        if key not in allowed:
            return match.group(0)
        options[key] = match.group(2)
        return ""

    if allowed:
        rest = _OPTION_WORD.sub(take, rest).strip()
    return Command(name, (), options, rest)
