"""The publication worker's loop: publishes the queue of ``engine.publications``.

It wakes when something is queued (the engine's poke) or every :data:`TICK_S` seconds (for
retries whose time has come, and entries queued by another process on the same database), and
publishes until nothing is due. Stopping lets the batch in flight finish for up to
:data:`STOP_GRACE_S`; what is still unfinished then keeps its lease, which expires, and another
run publishes it (a daily post caught mid-flight is abandoned: at most once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.engine.engine import QuizEngine
from bot.engine.publishing import Publications

__all__ = ["STOP_GRACE_S", "TICK_S", "Publisher", "publisher_for"]

log = logging.getLogger(__name__)

TICK_S = 2.0
"""The longest the worker sleeps without being poked."""
STOP_GRACE_S = 4.0
"""How long stopping waits for the publications in flight."""


class Publisher:
    """Runs :class:`~bot.engine.publishing.Publications` in a background task."""

    def __init__(self, publications: Publications, *, tick_s: float = TICK_S) -> None:
        self.publications = publications
        self.tick_s = tick_s
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop (once)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="publisher")

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop after the batch in flight (at most ``grace_s``; then it is left to its lease)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self.publications.poke()
        done, _ = await asyncio.wait({task}, timeout=grace_s)
        if not done:
            log.warning("publisher: stopped with publications in flight (their leases expire)")
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.publications.run_once()
            except Exception:
                log.exception("publisher: a pass failed; retrying")
                handled = 0
            if not handled and not self._stopping:
                await self.publications.wait_for_work(self.tick_s)


@asynccontextmanager
async def publisher_for(engine: QuizEngine) -> AsyncIterator[Publisher]:
    """Run the publication worker of ``engine`` while the block runs; stop it on exit."""
    publisher = Publisher(engine.publications)
    publisher.start()
    try:
        yield publisher
    finally:
        await publisher.stop()
