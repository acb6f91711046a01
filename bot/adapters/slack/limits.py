"""How much the HTTP endpoint accepts: body sizes, bytes held at once, and time to send.

Slack's requests are small (a click or a command: a few kilobytes) and arrive at once. A client
that sends large bodies, many of them, or slowly must not take the memory, the connections or
the acknowledgements the real requests need (see :mod:`bot.adapters.slack.endpoint`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["BudgetFull", "ByteBudget", "HttpLimits"]

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class HttpLimits:
    """The endpoint's limits (the defaults are what ``quizbot`` runs with)."""

    max_body_bytes: int = MIB
    """A larger body is refused (413) without being read."""
    small_body_bytes: int = 64 * KIB
    """Bodies up to this size (every request Slack sends) hold bytes of :attr:`small_bodies_bytes`,
    larger ones of :attr:`large_bodies_bytes`, so large bodies cannot crowd out Slack's."""
    small_bodies_bytes: int = 16 * MIB
    """Declared bytes of small bodies held at once; beyond, a request is refused (503)."""
    large_bodies_bytes: int = 8 * MIB
    """Declared bytes of large bodies held at once; beyond, a request is refused (503)."""
    head_timeout_s: float = 10.0
    """A connection that has not sent a whole request head within this time is closed (slow
    headers; an idle kept-alive connection too)."""
    body_timeout_s: float = 10.0
    """A body not received within this time after its head is refused (408)."""
    linger_s: float = 1.0
    """After a refusal, the rest of the body is read and dropped for at most this long."""


class BudgetFull(Exception):
    """A :class:`ByteBudget` cannot hold that many more bytes now."""


class ByteBudget:
    """Bytes that may be held at once, shared by the requests in flight."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.held = 0
        self.peak = 0

    def hold(self, size: int) -> contextlib.AbstractContextManager[None]:
        """Take ``size`` bytes now (:class:`BudgetFull` when they do not fit) and give them back
        when the returned context's block ends: ``with budget.hold(n): …``."""
        if self.held + size > self.capacity:
            raise BudgetFull
        self.held += size
        self.peak = max(self.peak, self.held)
        return self._given_back(size)

    @contextlib.contextmanager
    def _given_back(self, size: int) -> Iterator[None]:
        try:
            yield
        finally:
            self.held -= size
