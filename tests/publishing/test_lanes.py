"""Each platform is published on its own, and a daily slot's work is queued so that no channel's
question waits behind every other channel's reveal."""

from __future__ import annotations

import asyncio

from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, QuestionCard, Team
from bot.publisher import Publisher
from tests.conftest import FakeClock
from tests.publishing.support import TEAM, PlatformOutbox, closed_quiz_round

GUILD = Team("discord", "G1")


async def test_a_slow_platform_does_not_hold_back_another(
    engine: QuizEngine, clock: FakeClock
) -> None:
    slow = PlatformOutbox(hold=True)  # every call waits until released
    fast = PlatformOutbox()
    engine.register_outbox("console", slow)
    engine.register_outbox("discord", fast)
    engine.publications.concurrency = 2
    slow_rounds = [
        await closed_quiz_round(engine, Channel(TEAM, f"slow-{n}", f"slow-{n}")) for n in range(4)
    ]
    fast_rounds = [
        await closed_quiz_round(engine, Channel(GUILD, f"fast-{n}", f"fast-{n}"))
        for n in range(100)  # more than one claim holds
    ]
    all_fast = asyncio.Event()
    publisher = Publisher(engine.publications, tick_s=0.05)
    publisher.start()
    try:
        for _ in range(2_000):
            if len(fast.reveals()) == len(fast_rounds):
                all_fast.set()
                break
            await asyncio.sleep(0.01)
        assert all_fast.is_set(), "the fast platform waited for the slow one"
        assert sorted(fast.reveals()) == sorted(fast_rounds)
        assert slow.holding.is_set() and len(slow.calls) == 2  # held: two channels at a time
        slow.release()
        for _ in range(2_000):
            if len(slow.reveals()) == len(slow_rounds):
                break
            await asyncio.sleep(0.01)
        assert sorted(slow.reveals()) == sorted(slow_rounds)
    finally:
        await publisher.stop()


async def test_each_channel_gets_its_reveal_then_its_question_without_waiting_for_all_reveals(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    rooms = [Channel(TEAM, f"room-{n}", f"room-{n}") for n in range(5)]
    for room in rooms:
        await engine.daily.set_schedule(room, time_of_day="09:00", timezone="UTC")
    schedules = await engine.daily.db.active_schedules()
    for schedule in schedules:  # yesterday's questions, posted
        assert await engine.daily.run_slot(schedule, last_slot(spec_of(schedule), clock())) == (
            "queued"
        )
    assert await engine.publications.drain() == len(rooms)
    yesterday = {
        (await engine.daily.db.open_rounds(s.team_pk, s.channel_id))[0]: s.channel_id
        for s in schedules
    }

    clock.advance(86_400)  # today's slot: as the catch-up does, first every due round closes
    for round_id in await engine.daily.db.due_rounds(clock()):
        clock.advance(0.001)  # the time each close takes
        assert await engine.daily.close(round_id)
    for schedule in schedules:  # then each channel's slot runs
        clock.advance(0.001)
        assert await engine.daily.run_slot(schedule, last_slot(spec_of(schedule), clock())) == (
            "queued"
        )
    today = {
        (await engine.daily.db.open_rounds(s.team_pk, s.channel_id))[0]: s.channel_id
        for s in schedules
    }
    engine.publications.concurrency = 1  # one call at a time: the order is the claims'
    handled = 0
    while claimed := await engine.publications.run_once(limit=2):  # claims smaller than all
        handled += claimed
    assert handled == 2 * len(rooms)

    published = [
        (
            "question" if isinstance(view, QuestionCard) else "reveal",
            today.get(view.round_id) or yesterday[view.round_id],
        )
        for _, view in outbox.calls[len(rooms) :]
    ]
    expected = []
    for room in rooms:
        expected += [("reveal", room.channel_id), ("question", room.channel_id)]
    assert published == expected
