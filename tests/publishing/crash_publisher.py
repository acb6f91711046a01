"""Publish the queue of a file database through a platform over HTTP, until killed.

Run by ``test_crash.py`` as ``python crash_publisher.py DB_PATH URL NOW``; the platform (a
loopback server of the test) holds the request, and the test kills this process with SIGKILL
while it waits. ``NOW`` is the engine's fixed clock (epoch seconds), the test's fake clock.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal
from questions.loader import load_bank
from storage.store import Store

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"


class HttpOutbox:
    """Each post and edit is one POST to the platform's URL."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def _send(self, call: str, view: QuestionCard | Reveal) -> str:
        body = {"call": call, "view": type(view).__name__, "round_id": view.round_id}
        async with self.session.post(self.url, json=body) as response:
            response.raise_for_status()
            return str((await response.json())["ts"])

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        return MessageRef(channel.channel_id, await self._send("post", view))

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        await self._send("edit", view)


async def publish(path: Path, url: str, now: float) -> None:
    """Publish everything due through the HTTP platform."""
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, load_bank(builtin_dir=PACKS), clock=lambda: now)
        async with aiohttp.ClientSession() as session:
            engine.register_outbox("console", HttpOutbox(session, url))
            await engine.publications.drain()
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(publish(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])))
