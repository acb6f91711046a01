"""Pacing calls to a rate-limited service: a token bucket per key, first come first served.

:class:`RateLimiter` lets ``rate`` calls a second through per key, after a burst of ``burst``.
A caller that finds the key's bucket empty (or others already waiting) joins the key's queue,
and one pump per busy key lets the queue through as tokens come back: callers pass in the
order they asked, and a large batch is spread at the rate instead of bursting into the
service's limit. The bucket never holds more than ``burst`` tokens, so even when the event
loop stalls for a while, what was waiting meanwhile goes out at most ``burst`` at once, then
at the rate. A caller cancelled while waiting takes no token.

Platform-neutral: the adapters say which rates and keys their platform has.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

__all__ = ["RateLimiter"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

PRUNE_EVERY = 1024
"""Calls between two sweeps that forget idle keys whose bucket is full again."""
_ROUNDING = 1e-9
"""Tokens short of a whole one that still count as one (float time is not exact)."""


class _Lane:
    """One key's bucket and queue."""

    __slots__ = ("pump", "stamp", "tokens", "waiters")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp
        self.waiters: deque[asyncio.Future[None]] = deque()
        self.pump: asyncio.Task[None] | None = None


class RateLimiter:
    """At most ``rate`` calls a second per key, after a burst of ``burst`` calls."""

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not rate > 0 or not burst >= 1:
            raise ValueError(f"a rate limiter needs rate > 0 and burst >= 1 (got {rate}, {burst})")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lanes: dict[Hashable, _Lane] = {}
        self._since_prune = 0

    async def acquire(self, key: Hashable = None) -> None:
        """Wait for ``key``'s next turn (callers are served in the order they called)."""
        lane = self._lane(key)
        if not lane.waiters and lane.tokens >= 1 - _ROUNDING:
            lane.tokens -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane.waiters.append(turn)
        if lane.pump is None:
            lane.pump = asyncio.create_task(self._pump(lane), name="pacing")
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # given a token it will not use
                lane.tokens = min(self.burst, lane.tokens + 1)
            raise

    def waiting(self, key: Hashable = None) -> int:
        """How many callers wait for a turn of ``key``."""
        lane = self._lanes.get(key)
        return sum(not turn.done() for turn in lane.waiters) if lane else 0

    def keys(self) -> int:
        """How many keys are remembered (those busy or whose bucket is not full again)."""
        return len(self._lanes)

    def _lane(self, key: Hashable) -> _Lane:
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._prune()
        now = self._clock()
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(self.burst, now)
        self._refill(lane, now)
        return lane

    def _refill(self, lane: _Lane, now: float) -> None:
        lane.tokens = min(self.burst, lane.tokens + (now - lane.stamp) * self.rate)
        lane.stamp = now

    async def _pump(self, lane: _Lane) -> None:
        """Let the lane's waiters through, one per token, in order."""
        try:
            while lane.waiters:
                self._refill(lane, self._clock())
                if lane.tokens < 1 - _ROUNDING:
                    await self._sleep((1 - lane.tokens) / self.rate)
                    continue
                turn = lane.waiters.popleft()
                if not turn.done():  # a cancelled waiter takes no token
                    lane.tokens -= 1
                    turn.set_result(None)
        finally:
            lane.pump = None

    def _prune(self) -> None:
        self._since_prune = 0
        now = self._clock()
        for key, lane in list(self._lanes.items()):
            self._refill(lane, now)
            if lane.pump is None and not lane.waiters and lane.tokens >= self.burst:
                del self._lanes[key]
