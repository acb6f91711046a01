"""One Quizbot replica on a PostgreSQL database, as ``test_replicas.py`` runs two of them.

Run as ``python replica_worker.py URL NAME ROUNDS HOLD [WAVE]``: the round timer, the publication
worker (2 s leases) and the daily service run as in ``quizbot run``; the replica fires the
daily slot of one schedule both replicas share, then answers in waves in rounds of its own
(3 s each, never closed by hand: the timers close them), ``ROUNDS`` of them (0: until killed),
then prints ``IDLE`` and serves until SIGTERM. A wave is ``WAVE`` answers at once (20 unless
given). Each stdout line is one fact, printed once it is
true:

- ``ACK ROUND USER POINTS``: the engine acknowledged the answer;
- ``NACK ROUND USER``: the engine refused it (the round had closed);
- ``SLOT OUTCOME``: what firing the shared daily slot did (``queued`` or ``taken``);
- ``POST ROUND``: the platform accepted the daily question's post;
- ``REVEAL ROUND``: the platform accepted a reveal;
- ``HOLD ROUND``: with ``HOLD`` = 1, a reveal's platform call that never returns (the
  replica then holds its lease until it is killed and the lease expires).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from pathlib import Path

from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Team
from bot.publisher import publisher_for
from bot.round_timer import run_round_timer
from questions.loader import load_bank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
TEAM = Team("console", "replicas")
DAILY = Channel(TEAM, "daily", "daily")
WAVE = 20
ROUND_SECONDS = 3
LEASE_S = 2.0


def say(*fields: object) -> None:
    """Print one fact and flush it before going on."""
    sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
    sys.stdout.flush()


class PrintingOutbox:
    """The platform: accepts every post and edit, printing it; with ``hold``, a reveal's call
    never returns."""

    def __init__(self, *, hold: bool) -> None:
        self.hold = hold

    async def _show(self, view: QuestionCard | Reveal) -> None:
        if isinstance(view, Reveal):
            if self.hold:
                say("HOLD", view.round_id)
                await asyncio.Event().wait()
            say("REVEAL", view.round_id)
        else:
            say("POST", view.round_id)

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        """Publish a new message."""
        await self._show(view)
        return MessageRef(channel.channel_id, f"m{view.round_id}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """Edit a message."""
        await self._show(view)

    @staticmethod
    def channel_gone(exc: BaseException) -> bool:
        """No channel goes away here."""
        return False

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        """No message goes away here."""
        return False


async def fire_daily_slot(engine: QuizEngine, service: DailyService) -> None:
    """Set the shared schedule (the same on both replicas) and fire its latest slot, three
    times, as jobs of both replicas would."""
    record = await engine.daily.set_schedule(DAILY, time_of_day="00:00", timezone="UTC")
    slot = last_slot(spec_of(record), engine.clock())
    for _ in range(3):
        say("SLOT", await service.run_slot(record, slot))


async def answer(engine: QuizEngine, player: Player, round_id: int) -> None:
    """Answer; print the acknowledgement only once the engine returned it."""
    try:
        feedback = await engine.answer(player, round_id, choice=random.choice("ABCD"))
    except QuizError:
        say("NACK", round_id, player.user_id)  # refused (the round closed meanwhile)
        return
    say("ACK", round_id, player.user_id, feedback.points)


async def storm(engine: QuizEngine, name: str, rounds: int, wave: int) -> None:
    """Open rounds in channels of this replica and answer them in waves."""
    number = 0
    played = 0
    while rounds == 0 or played < rounds:
        channel = Channel(TEAM, f"{name}-{played}", f"{name}-{played}")
        card = await engine.start_round(channel, None)
        for _ in range(3):
            players = [
                Player(TEAM, f"{name}-{number + n}", f"{name} {number + n}") for n in range(wave)
            ]
            number += wave
            await asyncio.gather(*(answer(engine, p, card.round_id) for p in players))
        played += 1


async def main(url: str, name: str, rounds: int, hold: bool, wave: int) -> None:
    """Serve as one replica until SIGTERM (or a kill)."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    store = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=8)
    try:
        engine = QuizEngine(
            store, load_bank(builtin_dir=PACKS), rng=random.Random(), round_seconds=ROUND_SECONDS
        )
        engine.register_outbox("console", PrintingOutbox(hold=hold))
        engine.publications.lease_s = LEASE_S
        service = DailyService(engine, grace_s=6 * 3600)
        await service.start(jobs=False)
        timer = asyncio.create_task(run_round_timer(engine))
        try:
            async with publisher_for(engine):
                await fire_daily_slot(engine, service)
                await storm(engine, name, rounds, wave)
                say("IDLE", os.getpid())
                await stop.wait()
        finally:
            timer.cancel()
            await asyncio.gather(timer, return_exceptions=True)
            await service.stop()
    finally:
        await store.close()


if __name__ == "__main__":
    wave = int(sys.argv[5]) if len(sys.argv) > 5 else WAVE
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", wave))
