"""bot.pacing.RateLimiter on a fake clock: turns in call order, a batch spread at the rate."""

from __future__ import annotations

import asyncio

import pytest

from bot.pacing import PRUNE_EVERY, RateLimiter


class FakeTime:
    """A clock that moves only when told to, and a sleep that records what it was asked."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.block = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def sleep_until_released(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.block.wait()


def test_a_batch_is_spread_at_the_rate_after_the_burst() -> None:
    time = FakeTime()
    limiter = RateLimiter(10.0, 2.0, clock=time.clock)
    waits = [limiter.reserve("global") for _ in range(6)]
    assert waits == pytest.approx([0.0, 0.0, 0.1, 0.2, 0.3, 0.4])
    assert limiter.backlog("global") == pytest.approx(0.5)


def test_the_bucket_refills_while_nobody_calls() -> None:
    time = FakeTime()
    limiter = RateLimiter(10.0, 2.0, clock=time.clock)
    for _ in range(5):
        limiter.reserve()
    time.now += 1.0  # the five turns ran out at +0.4 s; the burst is back
    assert [limiter.reserve() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])


def test_keys_are_independent() -> None:
    time = FakeTime()
    limiter = RateLimiter(1.0, clock=time.clock)
    assert [limiter.reserve("C1"), limiter.reserve("C2"), limiter.reserve("C1")] == [0, 0, 1]


async def test_callers_are_served_in_the_order_they_asked() -> None:
    time = FakeTime()
    limiter = RateLimiter(4.0, 1.0, clock=time.clock, sleep=time.sleep)
    served: list[int] = []

    async def caller(number: int) -> None:
        await limiter.acquire()
        served.append(number)

    await asyncio.gather(*(caller(n) for n in range(8)))
    assert served == list(range(8))
    # each later caller starts a quarter of a second after the one before it
    assert time.slept == pytest.approx([0.25 * n for n in range(1, 8)])


async def test_a_cancelled_waiter_gives_its_turn_back() -> None:
    time = FakeTime()
    limiter = RateLimiter(1.0, clock=time.clock, sleep=time.sleep_until_released)
    limiter.reserve()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert time.slept == [1.0]
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.reserve() == 1.0  # the cancelled turn, not the one after it


def test_hold_keeps_a_key_waiting_for_as_long_as_the_service_said() -> None:
    time = FakeTime()
    limiter = RateLimiter(50.0, 5.0, clock=time.clock)
    limiter.hold("W1", 2.0)
    assert limiter.reserve("W1") == pytest.approx(2.0)
    assert limiter.reserve("W2") == 0.0


def test_keys_whose_bucket_is_full_again_are_forgotten() -> None:
    time = FakeTime()
    limiter = RateLimiter(1.0, clock=time.clock)
    for channel in range(PRUNE_EVERY - 1):
        limiter.reserve(f"C{channel}")
    assert limiter.keys() == PRUNE_EVERY - 1
    time.now += 5.0
    limiter.reserve("C-new")
    assert limiter.keys() == 1


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1.0), (-1.0, 1.0), (5.0, 0.5)])
def test_a_nonsense_rate_is_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="rate > 0 and burst >= 1"):
        RateLimiter(rate, burst)
