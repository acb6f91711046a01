"""Pacing calls to a rate-limited service: a token bucket per key, first come first served.

:class:`RateLimiter` lets ``rate`` calls a second through per key, after an initial burst of
``burst``. It keeps one number per key, the theoretical time its next call may start (the
generic cell rate algorithm, a token bucket in disguise): :meth:`RateLimiter.acquire` reserves
the caller's turn at once and sleeps until then, so callers pass in the order they asked, a
large batch is spread at the rate instead of bursting into the service's limit, and no queue
is kept. A caller cancelled while waiting gives its turn back when nobody reserved after it.

Platform-neutral: the adapters say which rates and keys their platform has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable

__all__ = ["RateLimiter"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

PRUNE_EVERY = 1024
"""Reservations between two sweeps of the keys whose bucket is full again (forgotten)."""


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
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1.0) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[Hashable, float] = {}
        self._since_prune = 0

    def reserve(self, key: Hashable = None) -> float:
        """Take the next turn of ``key``; the seconds to wait before using it (0: now)."""
        now = self._clock()
        due = max(self._next.get(key, now), now)
        self._next[key] = due + self._interval
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._prune(now)
        return max(0.0, due - self._tolerance - now)

    async def acquire(self, key: Hashable = None) -> None:
        """Wait for ``key``'s next turn (callers are served in the order they called)."""
        wait = self.reserve(key)
        if wait <= 0:
            return
        reserved_until = self._next[key]
        try:
            await self._sleep(wait)
        except asyncio.CancelledError:
            if self._next.get(key) == reserved_until:  # nobody reserved after us
                self._next[key] = reserved_until - self._interval
            raise

    def backlog(self, key: Hashable = None) -> float:
        """Seconds until a call of ``key`` made now would start (0: it would start at once)."""
        now = self._clock()
        return max(0.0, self._next.get(key, now) - self._tolerance - now)

    def hold(self, key: Hashable, seconds: float) -> None:
        """Let no call of ``key`` start for ``seconds`` (the service said to wait)."""
        now = self._clock()
        self._next[key] = max(self._next.get(key, now), now + seconds + self._tolerance)

    def keys(self) -> int:
        """How many keys are remembered (those whose bucket is not full again)."""
        return len(self._next)

    def _prune(self, now: float) -> None:
        self._since_prune = 0
        for key in [key for key, due in self._next.items() if due <= now]:
            del self._next[key]
