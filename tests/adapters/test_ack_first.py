"""AckFirst: work after an ack waits for the acks in progress, then takes one of a few turns."""

from __future__ import annotations

import asyncio
import time

from bot.adapters.ack_first import AckFirst


async def test_work_waits_until_no_acknowledgement_is_in_progress() -> None:
    post_ack = AckFirst(slots=2, max_wait_s=5)
    order: list[str] = []

    async def work() -> None:
        async with post_ack.turn():
            order.append("work")

    with post_ack.acknowledgement():
        waiting = asyncio.create_task(work())
        await asyncio.sleep(0.05)
        assert order == [] and post_ack.acknowledging == 1
        order.append("acked")
    await waiting
    assert order == ["acked", "work"]
    assert post_ack.acknowledging == 0


async def test_a_stream_of_acks_cannot_starve_the_work() -> None:
    post_ack = AckFirst(slots=1, max_wait_s=0.05)
    with post_ack.acknowledgement():
        begun = time.monotonic()
        await asyncio.wait_for(post_ack.take_turn(), 1)
        waited = time.monotonic() - begun
        assert post_ack.acknowledging == 1  # still acknowledging: the turn came by max_wait_s
        assert waited >= 0.04
        post_ack.end_turn()


async def test_at_most_slots_pieces_of_work_at_once() -> None:
    post_ack = AckFirst(slots=3)
    running = peak = 0

    async def work() -> None:
        nonlocal running, peak
        async with post_ack.turn():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(work() for _ in range(10)))
    assert peak == 3


async def test_after_acks_returns_at_once_when_nothing_is_acknowledging() -> None:
    post_ack = AckFirst(max_wait_s=5)
    await asyncio.wait_for(post_ack.after_acks(), 0.1)
