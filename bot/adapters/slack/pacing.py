"""Pacing Slack Web API calls under Slack's posting limits.

Slack counts per app and workspace, and per method: ``chat.postMessage`` allows about one
message a second per channel besides a workspace-wide limit, ``chat.update`` is Tier 3 (50 a
minute per workspace). slack_sdk's client only reacts (its 429 handler sleeps ``Retry-After``
and tries again); :class:`SlackPacing` makes each call wait its turn first, a little under
those limits, so a minute holding hundreds of daily posts spreads them instead of collecting
429s. A workspace is known by its bot token (one token per workspace).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.pacing import RateLimiter

__all__ = [
    "CHANNEL_BURST",
    "CHANNEL_POSTS_PER_S",
    "METHOD_BURSTS",
    "METHOD_RATES_PER_MINUTE",
    "SlackPacing",
]

CHANNEL_POSTS_PER_S = 1.0
"""chat.postMessage: one message a second per channel…"""
CHANNEL_BURST = 2.0
"""…after a short burst (Slack allows "short bursts")."""
METHOD_RATES_PER_MINUTE: Mapping[str, float] = {
    # Slack does not publish the workspace-wide posting limit ("several hundred a minute"):
    # 285 keeps under 300.
    "chat.postMessage": 285.0,
    "chat.update": 47.0,  # Tier 3: 50 a minute
}
METHOD_BURSTS: Mapping[str, float] = {"chat.postMessage": 10.0, "chat.update": 3.0}
"""Calls of a method a workspace may make at once before the rate applies."""


class SlackPacing:
    """A turn per workspace and method (:data:`METHOD_RATES_PER_MINUTE`), and for posts one per
    channel (:data:`CHANNEL_POSTS_PER_S`); ``scale`` multiplies every rate."""

    def __init__(
        self,
        rates_per_minute: Mapping[str, float] = METHOD_RATES_PER_MINUTE,
        *,
        channel_posts_per_s: float = CHANNEL_POSTS_PER_S,
        scale: float = 1.0,
    ) -> None:
        self._methods = {
            method: RateLimiter(per_minute / 60 * scale, METHOD_BURSTS.get(method, 1.0))
            for method, per_minute in rates_per_minute.items()
        }
        self._channels = RateLimiter(channel_posts_per_s * scale, CHANNEL_BURST)

    async def wait(self, method: str, workspace: str, channel: str) -> None:
        """Wait for the turn of a ``method`` call in ``workspace`` (and ``channel``, for posts);
        methods without a limit here pass at once."""
        if method == "chat.postMessage":
            await self._channels.acquire(channel)
        limiter = self._methods.get(method)
        if limiter is not None:
            await limiter.acquire(workspace)
