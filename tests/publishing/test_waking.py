"""A running worker publishes what the engine queues as soon as it is queued, not at its next
tick: the use cases that queue (closing a round, running a daily slot) wake every lane."""

from __future__ import annotations

import asyncio

from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Reveal
from bot.publisher import Publisher
from tests.conftest import FakeClock
from tests.publishing.support import TEAM, PlatformOutbox

ROOMS = 24
A_TICK_NOBODY_WAITS_FOR_S = 3600.0


async def test_reveals_queued_one_by_one_are_published_while_the_lane_would_sleep(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    rooms = [Channel(TEAM, f"room-{n}", f"room-{n}") for n in range(ROOMS)]
    for room in rooms:
        await engine.daily.set_schedule(room, time_of_day="09:00", timezone="UTC")
    for schedule in await engine.daily.db.active_schedules():  # yesterday's questions, posted
        assert await engine.daily.run_slot(schedule, last_slot(spec_of(schedule), clock())) == (
            "queued"
        )
    assert await engine.publications.drain() == ROOMS
    posted = len(outbox.calls)

    clock.advance(86_400)  # today's slot: every round is due to close, as in a catch-up
    first, *others = await engine.daily.db.due_rounds(clock())
    assert len(others) == ROOMS - 1
    assert await engine.daily.close(first)
    outbox.hold = True  # the first reveal's edit is held until released
    publisher = Publisher(engine.publications, tick_s=A_TICK_NOBODY_WAITS_FOR_S)
    publisher.start()
    try:
        await asyncio.wait_for(outbox.holding.wait(), 10)
        # The lane claimed the first reveal and sleeps: nothing of its own ends (the edit is
        # held) and its tick is an hour away. Only being woken makes it claim what comes next.
        assert len(outbox.calls) == posted + 1
        called_before: list[int] = []
        for round_id in others:
            called_before.append(len(outbox.calls) - posted)
            assert await engine.daily.close(round_id)  # queues the reveal (and wakes the worker)
        assert called_before[-1] > 1, "nothing queued after the lane slept was published"

        outbox.release()
        for _ in range(1_000):
            if len(outbox.calls) >= posted + ROOMS:
                break
            await asyncio.sleep(0.01)
        revealed = [view.round_id for _, view in outbox.calls[posted:]]
        assert all(isinstance(view, Reveal) for _, view in outbox.calls[posted:])
        assert sorted(revealed) == sorted([first, *others])  # each once
    finally:
        await publisher.stop()
