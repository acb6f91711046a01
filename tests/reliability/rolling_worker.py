"""One Quizbot replica as ``quizbot run`` composes it, restarted in turn by
``test_replica_storm.py`` while a daily slot is fired and published.

Run as ``python rolling_worker.py URL NAME LOG ROUND``: the round timer, the publication worker
(leases of :data:`LEASE_S`) and the daily service with its jobs run on a PostgreSQL store; the
platform is a :class:`RecordingOutbox` that appends each call to the file ``LOG`` and takes
:data:`CALL_S` to answer, so that restarts overlap the publications. Once started the replica
prints ``READY``, answers the quiz round ``ROUND`` with players of its own (``NAME-0`` …) and
serves until SIGTERM, then stops as the bot does (the publications in flight finish or are left
to their leases) and prints ``STOPPED``. Each stdout line is one fact, printed once it is true:

- ``ACK ROUND USER POINTS``: the engine acknowledged the answer.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from pathlib import Path

from bot.daily import DailyService
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Team
from bot.publisher import publisher_for
from bot.round_timer import run_round_timer
from questions.loader import load_bank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
TEAM = Team("console", "rolling")
LEASE_S = 10.0
"""Longer than a call: a lease never runs out while its call is in flight."""
CALL_S = 1.5
"""How long the platform takes to accept a call: shorter than the publisher's stop grace."""
PLAYERS = 30


def say(*fields: object) -> None:
    """Print one fact and flush it before going on."""
    sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
    sys.stdout.flush()


class RecordingOutbox:
    """The platform: appends ``CALL`` when a call comes and ``DONE`` once it is accepted
    (``PID WHAT KIND ROUND``: post or edit, daily/quiz card or reveal), one write a line."""

    def __init__(self, log: Path, *, call_s: float = CALL_S) -> None:
        self.log = log
        self.call_s = call_s

    def _record(self, *fields: object) -> None:
        line = " ".join(str(f) for f in (*fields,)) + "\n"
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    async def _call(self, what: str, view: QuestionCard | Reveal) -> None:
        kind = "reveal" if isinstance(view, Reveal) else view.kind
        self._record("CALL", os.getpid(), what, kind, view.round_id)
        await asyncio.sleep(self.call_s)
        self._record("DONE", os.getpid(), what, kind, view.round_id)

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        """Publish a new message."""
        await self._call("post", view)
        return MessageRef(channel.channel_id, f"m{view.round_id}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """Edit a message."""
        await self._call("edit", view)

    @staticmethod
    def channel_gone(exc: BaseException) -> bool:
        """No channel goes away here."""
        return False

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        """No message goes away here."""
        return False


async def answer(engine: QuizEngine, name: str, round_id: int) -> None:
    """Answer ``round_id`` with this replica's players; print each acknowledgement."""

    async def one(n: int) -> None:
        player = Player(TEAM, f"{name}-{n}", f"{name} {n}")
        feedback = await engine.answer(player, round_id, choice=random.choice("ABCD"))
        say("ACK", round_id, player.user_id, feedback.points)

    await asyncio.gather(*(one(n) for n in range(PLAYERS)))


async def main(url: str, name: str, log: Path, round_id: int) -> None:
    """Serve as one replica until SIGTERM, then stop gracefully."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    store = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=8)
    try:
        engine = QuizEngine(store, load_bank(builtin_dir=PACKS), rng=random.Random())
        engine.register_outbox("console", RecordingOutbox(log))
        engine.publications.lease_s = LEASE_S
        service = DailyService(engine, grace_s=3600, count_interval_s=1.0)
        timer = asyncio.create_task(run_round_timer(engine))
        try:
            async with publisher_for(engine):
                await service.start(jobs=True)
                say("READY", os.getpid())
                await answer(engine, name, round_id)
                await stop.wait()
        finally:
            await service.stop()
            timer.cancel()
            await asyncio.gather(timer, return_exceptions=True)
    finally:
        await store.close()
    say("STOPPED")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])))
