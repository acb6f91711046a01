"""The weekly digest: last week's figures, claimed once per channel and week."""

from __future__ import annotations

import pytest

from bot.engine.digest import last_week
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, Team
from tests.analytics_data import DAY, answer_easy_question
from tests.conftest import FakeClock

TEAM = Team("console", "local")
GENERAL = Channel(TEAM, "general", "general")


def test_last_week_is_the_iso_week_before() -> None:
    start, end, week = last_week(1_764_000_000.0)  # Monday 2025-11-24 16:00 UTC
    assert (start, end - start, week) == (1_763_337_600.0, 7 * DAY, "w2025-47")


async def test_digest_of_last_week_once_and_only_when_opted_in(
    engine: QuizEngine, clock: FakeClock
) -> None:
    clock.advance(-3 * DAY)
    await answer_easy_question(engine, TEAM, "general")
    clock.advance(3 * DAY)
    assert await engine.digests.claim(GENERAL) is None  # not opted in
    schedule = await engine.daily.set_schedule(
        GENERAL, time_of_day="09:00", timezone="UTC", digest="ON"
    )
    assert schedule.digest and "weekly digest" in schedule.describe()
    digest = await engine.digests.claim(GENERAL)
    assert digest is not None
    assert [row.display_name for row in digest.top][:2] == ["player 1", "player 2"]
    assert len(digest.top) == 5
    assert digest.most_missed_prompt == engine.bank.get("alpha-easy").prompt
    assert digest.most_missed_explanation == engine.bank.get("alpha-easy").explanation
    assert (digest.most_missed_correct, digest.most_missed_answers) == (11, 12)
    assert [(c.title, c.answers, c.correct) for c in digest.categories] == [
        ("Alpha basics", 12, 11)
    ]
    assert await engine.digests.claim(GENERAL) is None  # claimed once
    with pytest.raises(QuizError, match="Allowed: on, off"):
        await engine.daily.set_schedule(
            GENERAL, time_of_day="10:00", timezone="UTC", digest="maybe"
        )
    [kept] = await engine.daily.schedules(TEAM)
    assert kept.local_time == "09:00" and kept.digest  # the refused change saved nothing
