"""Answer forever on a file database, printing each answer once the engine acknowledged it.

Run by ``test_crash.py`` as ``python crash_worker.py DB_PATH``; it is killed with SIGKILL. Each
stdout line is ``ROUND_ID USER_ID POINTS``: the round and player identify the answer (the
database allows one per player per round). Nothing is printed before the engine returned.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from questions.loader import load_bank
from storage.store import Store

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
TEAM = Team("console", "crash")
WAVE = 20


async def answer_and_report(engine: QuizEngine, player: Player, round_id: int) -> None:
    """Answer, then (only once the engine returned) print the answer's identity."""
    feedback = await engine.answer(player, round_id, choice=random.choice("ABCD"))
    sys.stdout.write(f"{round_id} {player.user_id} {feedback.points}\n")
    sys.stdout.flush()


async def answer_forever(path: Path) -> None:
    """Open rounds in turn and have waves of players answer them, until killed."""
    store = await Store.open(path)
    try:
        bank = load_bank(builtin_dir=PACKS)
        engine = QuizEngine(store, bank, rng=random.Random(), round_seconds=3600)
        # a channel of its own: the round a killed predecessor left open stays open
        channel = Channel(TEAM, f"general-{os.getpid()}")
        prefix = f"{os.getpid()}-"
        number = 0
        while True:
            card = await engine.start_round(channel, None)
            for _ in range(5):
                players = [
                    Player(TEAM, f"{prefix}{number + n}", f"player {number + n}")
                    for n in range(WAVE)
                ]
                number += WAVE
                await asyncio.gather(
                    *(answer_and_report(engine, p, card.round_id) for p in players)
                )
            await engine.close_round(TEAM, card.round_id)
    finally:
        await store.close()  # on an error, exit instead of idling with the connection thread


if __name__ == "__main__":
    asyncio.run(answer_forever(Path(sys.argv[1])))
