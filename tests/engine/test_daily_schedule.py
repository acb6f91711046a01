"""Daily schedule arithmetic: DST changes neither skip nor double a day; options are validated."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.daily_schedule import (
    ALL_DAYS,
    ScheduleError,
    ScheduleSpec,
    close_instant,
    format_days,
    last_slot,
    next_slot,
    parse_days,
    parse_spec,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def slots(spec: ScheduleSpec, start: float, count: int) -> list[tuple[date, float]]:
    found, moment = [], start
    for _ in range(count):
        slot = next_slot(spec, moment)
        found.append((slot.day, slot.at))
        moment = slot.at
    return found


def test_berlin_nine_oclock_across_spring_forward() -> None:
    spec = ScheduleSpec(time(9, 0), BERLIN)
    got = slots(spec, utc(2026, 3, 27, 12), 3)
    assert got == [
        (date(2026, 3, 28), utc(2026, 3, 28, 8)),  # CET, UTC+1
        (date(2026, 3, 29), utc(2026, 3, 29, 7)),  # CEST from 02:00 that morning
        (date(2026, 3, 30), utc(2026, 3, 30, 7)),
    ]


def test_nonexistent_local_time_maps_to_the_shifted_instant() -> None:
    spec = ScheduleSpec(time(2, 30), BERLIN)
    got = slots(spec, utc(2026, 3, 28, 0), 3)
    assert [day for day, _ in got] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    # 02:30 does not exist on the 29th: the slot is 03:30 CEST (01:30 UTC), once.
    assert got[1][1] == utc(2026, 3, 29, 1, 30)
    assert datetime.fromtimestamp(got[1][1], ZoneInfo(BERLIN)).strftime("%H:%M") == "03:30"
    assert got[2][1] == utc(2026, 3, 30, 0, 30)


def test_ambiguous_local_time_is_its_first_occurrence_once() -> None:
    spec = ScheduleSpec(time(2, 30), BERLIN)
    got = slots(spec, utc(2026, 10, 24, 12), 2)
    assert got == [
        (date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # 02:30 CEST, not 02:30 CET an hour later
        (date(2026, 10, 26), utc(2026, 10, 26, 1, 30)),
    ]


def test_new_york_spring_and_fall() -> None:
    spring = ScheduleSpec(time(2, 30), NEW_YORK)
    assert next_slot(spring, utc(2026, 3, 8, 0)).at == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    fall = ScheduleSpec(time(1, 30), NEW_YORK)
    got = slots(fall, utc(2026, 10, 31, 12), 2)
    assert got == [
        (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),  # first 01:30 (EDT)
        (date(2026, 11, 2), utc(2026, 11, 2, 6, 30)),  # EST
    ]
    nine = ScheduleSpec(time(9, 0), NEW_YORK)
    assert [at for _, at in slots(nine, utc(2026, 10, 31, 0), 2)] == [
        utc(2026, 10, 31, 13),
        utc(2026, 11, 1, 14),
    ]


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from([BERLIN, NEW_YORK, "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 59]),
)
def test_every_day_has_exactly_one_slot_all_year(zone: str, hour: int, minute: int) -> None:
    spec = ScheduleSpec(time(hour, minute), zone)
    got = slots(spec, utc(2026, 1, 1), 366)
    days = [day for day, _ in got]
    assert days == [days[0] + timedelta(days=i) for i in range(366)]
    instants = [at for _, at in got]
    assert instants == sorted(set(instants))


def test_days_filter_and_last_slot() -> None:
    spec = ScheduleSpec(time(9, 0), BERLIN, parse_days("mon-fri"))
    friday_after = utc(2026, 5, 15, 10)
    assert next_slot(spec, friday_after).day == date(2026, 5, 18)  # Monday
    assert last_slot(spec, utc(2026, 5, 17, 12)).day == date(2026, 5, 15)  # Sunday → Friday
    at_slot = utc(2026, 5, 15, 7)
    assert last_slot(spec, at_slot).at == at_slot
    assert next_slot(spec, at_slot).day == date(2026, 5, 18)


def test_parse_days_variants() -> None:
    assert parse_days(None) == ALL_DAYS
    assert parse_days("mon,wed,fri") == {1, 3, 5}
    assert parse_days("fri-mon") == {5, 6, 7, 1}
    assert parse_days("Weekdays") == {1, 2, 3, 4, 5}
    assert format_days(parse_days("mon-fri")) == "mon-fri"
    assert format_days(parse_days("mon,wed,fri")) == "mon,wed,fri"
    assert format_days(ALL_DAYS) == "daily"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"time_of_day": "25:00", "timezone": BERLIN}, "use HH:MM"),
        ({"time_of_day": "9am", "timezone": BERLIN}, "use HH:MM"),
        ({"time_of_day": "09:00", "timezone": "Mars/Olympus"}, "IANA name such as Europe/Berlin"),
        ({"time_of_day": "09:00", "timezone": "../../etc/passwd"}, "Unknown timezone"),
        ({"time_of_day": "09:00", "timezone": BERLIN, "days": "funday"}, "Unknown day"),
        ({"time_of_day": "09:00", "timezone": BERLIN, "difficulty": "insane"}, "easy, medium"),
        ({"time_of_day": "09:00", "timezone": None}, "Missing timezone"),
    ],
)
def test_invalid_options_name_the_problem_and_list_the_format(
    options: dict[str, str | None], expected: str
) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_spec(**options)  # type: ignore[arg-type]
    assert expected in raised.value.message
    assert "Nothing was saved" in raised.value.message
    assert "time:HH:MM timezone:Area/City" in raised.value.message


def test_close_time_closes_before_the_next_slot() -> None:
    spec = parse_spec(time_of_day="09:00", timezone=BERLIN, close="17:30")
    slot = next_slot(spec, utc(2026, 6, 1, 0))
    assert close_instant(spec, slot) == utc(2026, 6, 1, 15, 30)
    plain = parse_spec(time_of_day="9:00", timezone=BERLIN, days="mon-fri")
    friday = next_slot(plain, utc(2026, 6, 5, 0))
    assert close_instant(plain, friday) == utc(2026, 6, 8, 7)  # Monday's slot


@pytest.mark.parametrize("typed", ["europe/berlin", "EUROPE/BERLIN", " Europe/berlin "])
def test_a_timezone_in_any_case_is_its_iana_name(typed: str) -> None:
    assert parse_spec(time_of_day="09:00", timezone=typed).timezone == BERLIN
