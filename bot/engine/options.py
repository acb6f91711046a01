"""Validation of the options users type: category, difficulty, mode, period, rating, report kind.

Every option is matched the same way (trimmed, any case); an unknown value raises
:class:`~bot.engine.errors.InvalidOptionError`, whose message lists the allowed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from bot.engine.errors import InvalidOptionError
from bot.engine.model import MODES, PERIODS, Mode, Period
from questions.schema import DIFFICULTIES, Difficulty

__all__ = [
    "choose",
    "match",
    "parse_category",
    "parse_difficulty",
    "parse_mode",
    "parse_period",
]

_S = TypeVar("_S", bound=str)


def match(value: str, allowed: Iterable[_S]) -> _S | None:
    """The allowed value equal to ``value`` once trimmed and case-folded, or None."""
    folded = value.strip().casefold()
    return next((candidate for candidate in allowed if candidate == folded), None)


def choose(option: str, value: str, allowed: tuple[_S, ...]) -> _S:
    """The allowed value ``value`` names; :class:`InvalidOptionError` lists them otherwise."""
    found = match(value, allowed)
    if found is None:
        raise InvalidOptionError(option, value, allowed)
    return found


def parse_category(value: str | None, categories: tuple[str, ...]) -> str | None:
    """Validate a category option against the bank's ``categories`` (None or empty: any)."""
    return choose("category", value, categories) if value else None


def parse_difficulty(value: str | None) -> Difficulty | None:
    """Validate a difficulty option (None or empty means any)."""
    return choose("difficulty", value, DIFFICULTIES) if value else None


def parse_mode(value: str | None) -> Mode:
    """Validate a mode option (None or empty means multiple choice)."""
    return choose("mode", value, MODES) if value else "choice"


def parse_period(value: str | None) -> Period:
    """Validate a leaderboard period (None or empty means this week)."""
    return choose("period", value, PERIODS) if value else "week"
