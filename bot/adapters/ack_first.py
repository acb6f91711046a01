"""Acknowledgements before everything else: the work after an ack waits its turn.

Discord and Slack give an interaction 3 seconds to be acknowledged; the engine call and the
reply that follow have no such deadline (a Discord interaction token and a Slack response_url
last 15 and 30 minutes). Both run on the one event loop, first-in first-out, so in a burst of
clicks the acks would queue behind the answers of the clicks before them, and on 2 cores a
flood of 2 000 clicks would miss the deadline. :class:`AckFirst` lets post-ack work start only
when no acknowledgement is in progress (waiting at most :attr:`~AckFirst.max_wait_s`, so a
stream of clicks that never ends cannot starve it) and then only :attr:`~AckFirst.slots` pieces
of it at once. Work waiting for its turn uses no CPU. Clicks at a pace the bot keeps up with
leave almost no acknowledgement in progress at any moment, so their work hardly waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

__all__ = ["POST_ACK_SLOTS", "AckFirst"]

POST_ACK_SLOTS = 8
"""How many interactions may do their work after the ack (engine call, reply) at once."""
MAX_WAIT_S = 2.0
"""The longest post-ack work waits for acknowledgements in progress before it goes anyway: long
enough for a backlog of 2 000 clicks to be acknowledged first on 2 cores (at 0.5 s, the work
that then ran beside the acks made a quarter of such a flood miss the 3 s deadline), short
enough that a reply never waits long for it."""


class AckFirst:
    """Counts acknowledgements in progress and gives post-ack work its turn after them."""

    def __init__(self, slots: int = POST_ACK_SLOTS, max_wait_s: float = MAX_WAIT_S) -> None:
        self.slots = slots
        self.max_wait_s = max_wait_s
        self._acking = 0
        self._no_acks = asyncio.Event()
        self._no_acks.set()
        self._turns = asyncio.Semaphore(slots)

    @property
    def acknowledging(self) -> int:
        """How many acknowledgements are in progress now."""
        return self._acking

    @contextlib.contextmanager
    def acknowledgement(self) -> Iterator[None]:
        """Around one acknowledgement (the defer, the HTTP response): post-ack work waits."""
        self._acking += 1
        self._no_acks.clear()
        try:
            yield
        finally:
            self._acking -= 1
            if self._acking == 0:
                self._no_acks.set()

    async def after_acks(self) -> None:
        """Wait until no acknowledgement is in progress (at most :attr:`max_wait_s`)."""
        if self._acking:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._no_acks.wait(), self.max_wait_s)

    async def take_turn(self) -> None:
        """Wait until no acknowledgement is in progress (or :attr:`max_wait_s`), then for one
        of the :attr:`slots`; give it back with :meth:`end_turn`."""
        await self.after_acks()
        await self._turns.acquire()

    def end_turn(self) -> None:
        """Give back the slot taken by :meth:`take_turn`."""
        self._turns.release()

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a turn for the post-ack work inside the block."""
        await self.take_turn()
        try:
            yield
        finally:
            self.end_turn()
