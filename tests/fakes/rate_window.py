"""Rate limits as the fake platforms enforce them: token buckets and fixed windows.

Written apart from ``bot.pacing`` on purpose: the fakes judge the bot's pacing, so they must not
share its arithmetic. Times are seconds on any monotonic clock (the fakes use the event loop's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FixedWindow", "TokenBucket"]


@dataclass
class TokenBucket:
    """``capacity`` tokens, refilled continuously at ``per_second``; one request takes one."""

    capacity: float
    per_second: float
    tokens: float = field(default=-1.0)
    stamp: float = 0.0

    def take(self, now: float) -> float:
        """0.0 when a token was taken; otherwise the seconds until one will be there."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second

    def idle(self, now: float) -> bool:
        """Full again: forgetting the bucket changes nothing."""
        return self.tokens + (now - self.stamp) * self.per_second >= self.capacity


@dataclass
class FixedWindow:
    """Discord's per-route bucket: ``limit`` requests per window of ``period`` seconds, the window
    starting with its first request."""

    limit: int
    period: float
    started: float = field(default=float("-inf"))
    used: int = 0

    def take(self, now: float) -> bool:
        """Count one request; False when the window had none left (nothing is counted then)."""
        if now >= self.started + self.period:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def remaining(self) -> int:
        """Requests left in the current window."""
        return max(0, self.limit - self.used)

    def reset_after(self, now: float) -> float:
        """Seconds until the current window ends."""
        return max(0.0, self.started + self.period - now)
