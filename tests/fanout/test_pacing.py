"""bot.pacing.RateLimiter on a fake clock: turns in call order, a batch spread at the rate, no
burst after a stall."""

from __future__ import annotations

import asyncio

import pytest

from bot.pacing import PRUNE_EVERY, RateLimiter


class FakeTime:
    """A clock that moves only when slept on (plus any ``stall`` added to the next sleep)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.stall = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await asyncio.sleep(0)  # whoever was let through runs at the time it was let through
        self.now += seconds + self.stall
        self.stall = 0.0


async def served(limiter: RateLimiter, time: FakeTime, callers: int, key: str = "k") -> list[float]:
    """Start ``callers`` acquires in order; the fake time each one was let through, in the
    order they were let through (numbers checked to be in call order)."""
    order: list[int] = []
    at: list[float] = []

    async def caller(number: int) -> None:
        await limiter.acquire(key)
        order.append(number)
        at.append(time.now)

    await asyncio.gather(*(caller(n) for n in range(callers)))
    assert order == list(range(callers))
    return at


async def test_a_batch_is_spread_at_the_rate_after_the_burst_in_call_order() -> None:
    time = FakeTime()
    limiter = RateLimiter(10.0, 2.0, clock=time.clock, sleep=time.sleep)
    at = await served(limiter, time, 6)
    assert [t - 100.0 for t in at] == pytest.approx([0.0, 0.0, 0.1, 0.2, 0.3, 0.4])


async def test_after_a_stall_no_more_than_the_burst_goes_at_once() -> None:
    time = FakeTime()
    limiter = RateLimiter(10.0, 2.0, clock=time.clock, sleep=time.sleep)
    time.stall = 1.0  # the first wait oversleeps by a second (a busy event loop)
    at = await served(limiter, time, 8)
    # two at once at the start, then the stall: ten tokens' worth of time passed, but the
    # bucket holds two, so two go at once and the rest follow at the rate
    assert [round(t - 100.0, 3) for t in at] == [0.0, 0.0, 1.1, 1.1, 1.2, 1.3, 1.4, 1.5]


async def test_the_bucket_refills_while_nobody_calls() -> None:
    time = FakeTime()
    limiter = RateLimiter(10.0, 2.0, clock=time.clock, sleep=time.sleep)
    await served(limiter, time, 5)
    time.now += 1.0
    start = time.now
    at = await served(limiter, time, 3)
    assert [t - start for t in at] == pytest.approx([0.0, 0.0, 0.1])


async def test_keys_are_independent() -> None:
    time = FakeTime()
    limiter = RateLimiter(1.0, clock=time.clock, sleep=time.sleep)
    await limiter.acquire("C1")
    await limiter.acquire("C2")  # another key: no wait
    assert time.slept == []
    await limiter.acquire("C1")
    assert time.slept == [pytest.approx(1.0)]


async def test_a_cancelled_waiter_takes_no_turn() -> None:
    time = FakeTime()
    gate = asyncio.Event()

    async def sleep_until_opened(seconds: float) -> None:
        await gate.wait()
        time.now += seconds

    limiter = RateLimiter(1.0, clock=time.clock, sleep=sleep_until_opened)
    await limiter.acquire()
    cancelled = asyncio.create_task(limiter.acquire())
    later = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert limiter.waiting() == 2
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert limiter.waiting() == 1
    gate.set()
    await later
    assert time.now == 101.0  # one second after the first call: the cancelled turn was skipped


async def test_keys_whose_bucket_is_full_again_are_forgotten() -> None:
    time = FakeTime()
    limiter = RateLimiter(1.0, clock=time.clock, sleep=time.sleep)
    for channel in range(PRUNE_EVERY - 1):
        await limiter.acquire(f"C{channel}")
    assert limiter.keys() == PRUNE_EVERY - 1
    time.now += 5.0
    await limiter.acquire("C-new")
    assert limiter.keys() == 1


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1.0), (-1.0, 1.0), (5.0, 0.5)])
def test_a_nonsense_rate_is_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="rate > 0 and burst >= 1"):
        RateLimiter(rate, burst)
