"""The publication worker's loop: publishes the queue of ``engine.publications``.

Each platform with an outbox has a lane of its own
(:meth:`~bot.engine.publishing.Publications.run_platform`): it keeps a bounded number of
claimed entries in flight and claims more as soon as some are done, so a slow platform (Slack's
edits, a few a second) never holds back another (Discord's 50 requests a second). A lane wakes
when something is queued (the engine's poke), when an entry of its own is done, or every
:data:`TICK_S` seconds (retries whose time has come, entries queued by another process on the
same database); a platform whose adapter registers later gets its lane within a tick. Stopping
lets the publications in flight finish for up to :data:`STOP_GRACE_S`; what is still unfinished
then keeps its lease, which expires, and another run publishes it (a daily post caught
mid-flight is abandoned: at most once).
"""

from __future__ import annotations

import asyncio
import contextlib
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
    """Runs :class:`~bot.engine.publishing.Publications` in background tasks, one lane per
    platform."""

    def __init__(self, publications: Publications, *, tick_s: float = TICK_S) -> None:
        self.publications = publications
        self.tick_s = tick_s
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop (once)."""
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="publisher")

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop after the publications in flight (at most ``grace_s``; then they are left to
        their leases)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        self.publications.poke()
        done, _ = await asyncio.wait({task}, timeout=grace_s)
        if not done:
            log.warning("publisher: stopped with publications in flight (their leases expire)")
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        lanes: dict[str, asyncio.Task[None]] = {}
        try:
            while not self._stop.is_set():
                for platform in self.publications.platforms():
                    lane = lanes.get(platform)
                    if lane is None or lane.done():
                        lanes[platform] = asyncio.create_task(self._lane(platform))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.tick_s)
            await asyncio.gather(*lanes.values())
        finally:
            for lane in lanes.values():
                lane.cancel()
            await asyncio.gather(*lanes.values(), return_exceptions=True)

    async def _lane(self, platform: str) -> None:
        try:
            await self.publications.run_platform(platform, self._stop, tick_s=self.tick_s)
        except asyncio.CancelledError:
            raise
        except Exception:  # restarted by the next tick
            log.exception("publisher: the %s lane failed; restarting it", platform)


@asynccontextmanager
async def publisher_for(engine: QuizEngine) -> AsyncIterator[Publisher]:
    """Run the publication worker of ``engine`` while the block runs; stop it on exit."""
    publisher = Publisher(engine.publications)
    publisher.start()
    try:
        yield publisher
    finally:
        await publisher.stop()
