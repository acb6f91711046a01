"""When the daily question is due: pure, DST-safe slot arithmetic and option validation.

A schedule is a local time of day, an IANA timezone and a set of weekdays. A *slot* is one
scheduled post: the local date it belongs to and the instant it happens. Local times are turned
into instants with :mod:`zoneinfo` using ``fold=0``:

- a local time that does not exist (the spring-forward gap, e.g. 02:30 in Europe/Berlin on the
  last Sunday of March) maps to the shifted instant (03:30 local, the same UTC instant as 02:30
  at the old offset);
- a local time that happens twice (the fall-back overlap) maps to its first occurrence.

Every scheduled date therefore has exactly one slot: a DST change neither skips nor doubles a day.
Validation of the admin's options lives here, once, with messages listing the format.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.engine.errors import QuizError
from questions.schema import DIFFICULTIES, Difficulty

__all__ = [
    "ALL_DAYS",
    "DAILY_FORMAT",
    "WEEKDAY_NAMES",
    "ScheduleError",
    "ScheduleSpec",
    "Slot",
    "close_instant",
    "format_days",
    "last_slot",
    "next_slot",
    "parse_days",
    "parse_difficulty",
    "parse_spec",
    "parse_time",
    "parse_timezone",
    "slot_on",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = frozenset(range(1, 8))
"""ISO weekdays, Monday = 1 … Sunday = 7."""

DAILY_FORMAT = (
    "Format: daily channel:#channel time:HH:MM timezone:Area/City [days:mon-fri] "
    "[difficulty:easy|medium|hard] [close:HH:MM] — e.g. time:09:00 timezone:Europe/Berlin "
    "days:mon-fri. Days: mon,tue,wed,thu,fri,sat,sun as a list (mon,wed,fri), a range "
    "(mon-fri) or daily."
)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.hH]([0-5]\d)$")
_DAY_ALIASES = {
    "daily": ALL_DAYS,
    "all": ALL_DAYS,
    "everyday": ALL_DAYS,
    "weekdays": frozenset(range(1, 6)),
    "weekends": frozenset({6, 7}),
}


class ScheduleError(QuizError):
    """An invalid schedule option; the message names the problem and lists the format."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} Nothing was saved. {DAILY_FORMAT}")


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A validated schedule: when to post, where the clock is, which days, what to ask."""

    local_time: time
    timezone: str
    days: frozenset[int] = ALL_DAYS
    difficulty: Difficulty | None = None
    close_time: time | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's timezone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """One scheduled post: its instant (epoch seconds) and the local date it belongs to."""

    at: float
    day: date
    label: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """The slot's date as stored (``YYYY-MM-DD``): at most one post per channel per key.

        A slot posted by hand ("now") carries its own ``label`` so it never takes the key of
        the scheduled slot of that date.
        """
        return self.label or self.day.isoformat()


# -- validation ------------------------------------------------------------------------------


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def parse_time(value: str | None, option: str = "time") -> time:
    """``HH:MM`` (24-hour clock; ``9:00`` and ``09.00`` work too)."""
    match = _TIME.match((value or "").strip())
    if match is None:
        raise ScheduleError(f"Invalid {option} {_shown(value or '')}: use HH:MM, e.g. 09:00.")
    return time(int(match.group(1)), int(match.group(2)))


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA timezone name on this machine, keyed by its case-folded spelling."""
    return {name.casefold(): name for name in available_timezones()}


def parse_timezone(value: str | None) -> str:
    """An IANA timezone name such as ``Europe/Berlin`` (``UTC`` works too), in any case."""
    name = (value or "").strip()
    name = _zone_names().get(name.casefold(), name)
    problem = (
        f"Unknown timezone {_shown(name)}: use an IANA name such as Europe/Berlin, "
        "America/New_York or UTC."
    )
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise ScheduleError(problem)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(problem) from None
    return name


def _weekday(word: str) -> int:
    key = word.strip().casefold()[:3]
    if len(word.strip()) < 3 or key not in WEEKDAY_NAMES:
        raise ScheduleError(f"Unknown day {_shown(word)}.")
    return WEEKDAY_NAMES.index(key) + 1


def parse_days(value: str | None) -> frozenset[int]:
    """``mon-fri``, ``mon,wed,fri``, ``sat-sun``, ``daily`` (the default), ``weekdays``."""
    text = (value or "").strip().casefold()
    if not text:
        return ALL_DAYS
    if text in _DAY_ALIASES:
        return _DAY_ALIASES[text]
    days: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if dash:
            start, end = _weekday(first), _weekday(last)
            span = (end - start) % 7
            days.update((start - 1 + step) % 7 + 1 for step in range(span + 1))
        else:
            days.add(_weekday(first))
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    """The days as typed: ``daily``, ``mon-fri`` or ``mon,wed,fri``."""
    if days == ALL_DAYS:
        return "daily"
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{WEEKDAY_NAMES[ordered[0] - 1]}-{WEEKDAY_NAMES[ordered[-1] - 1]}"
    return ",".join(WEEKDAY_NAMES[d - 1] for d in ordered)


def parse_difficulty(value: str | None) -> Difficulty | None:
    """``easy``, ``medium`` or ``hard``; empty means any."""
    if not value or not value.strip():
        return None
    for difficulty in DIFFICULTIES:
        if value.strip().casefold() == difficulty:
            return difficulty
    raise ScheduleError(f"Unknown difficulty {_shown(value)}: use easy, medium or hard.")


def parse_spec(
    *,
    time_of_day: str | None,
    timezone: str | None,
    days: str | None = None,
    difficulty: str | None = None,
    close: str | None = None,
) -> ScheduleSpec:
    """Validate every option at once; :class:`ScheduleError` names the first bad one."""
    if not time_of_day or not timezone:
        missing = " and ".join(
            name for name, given in (("time", time_of_day), ("timezone", timezone)) if not given
        )
        raise ScheduleError(f"Missing {missing}.")
    spec = ScheduleSpec(
        local_time=parse_time(time_of_day),
        timezone=parse_timezone(timezone),
        days=parse_days(days),
        difficulty=parse_difficulty(difficulty),
        close_time=parse_time(close, "close time") if close else None,
    )
    if spec.close_time == spec.local_time:
        raise ScheduleError("The close time must differ from the post time.")
    return spec


# -- slots -----------------------------------------------------------------------------------


def _instant(day: date, at: time, zone: ZoneInfo) -> float:
    """The UTC instant of a local wall time: gap → shifted instant, overlap → first one."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC).timestamp()


def slot_on(spec: ScheduleSpec, day: date) -> Slot | None:
    """The slot of ``day`` (a local date), or None when the schedule skips that weekday."""
    if day.isoweekday() not in spec.days:
        return None
    return Slot(_instant(day, spec.local_time, spec.zone), day)


def _local_date(instant: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(instant, zone).date()


def next_slot(spec: ScheduleSpec, after: float) -> Slot:
    """The first slot strictly after the instant ``after``."""
    start = _local_date(after, spec.zone) - timedelta(days=1)
    for offset in range(10):
        slot = slot_on(spec, start + timedelta(days=offset))
        if slot is not None and slot.at > after:
            return slot
    raise AssertionError("a schedule has at least one weekday")  # pragma: no cover


def last_slot(spec: ScheduleSpec, at_or_before: float) -> Slot:
    """The latest slot at or before the instant ``at_or_before``."""
    start = _local_date(at_or_before, spec.zone) + timedelta(days=1)
    for offset in range(10):
        slot = slot_on(spec, start - timedelta(days=offset))
        if slot is not None and slot.at <= at_or_before:
            return slot
    raise AssertionError("a schedule has at least one weekday")  # pragma: no cover


def close_instant(spec: ScheduleSpec, slot: Slot) -> float:
    """When the round posted at ``slot`` closes: the next slot, or the close time before it."""
    following = next_slot(spec, slot.at)
    if spec.close_time is None:
        return following.at
    for offset in range(8):
        day = slot.day + timedelta(days=offset)
        candidate = _instant(day, spec.close_time, spec.zone)
        if candidate > slot.at:
            return min(candidate, following.at)
    return following.at  # pragma: no cover
