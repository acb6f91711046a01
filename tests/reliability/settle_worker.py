"""Uphold report #1 on a file database; with ``--crash``, die inside the transaction.

Run by ``test_settle_crash.py`` as ``python settle_worker.py DB_PATH [--crash]``. With
``--crash`` the FSRS replay (which runs after the answer's grade is changed and before the
leaderboard totals are) prints ``in transaction`` and SIGKILLs its own process: the
transaction never commits. Without it the worker prints ``settled`` once the engine returned.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.engine.engine import QuizEngine
from questions.loader import load_bank
from storage.store import Store

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"


def die_mid_transaction(before: str | None, card_id: int, rating: int, at: float) -> None:
    """Stands in for the FSRS replay: the process is killed where the replay would run."""
    sys.stdout.write("in transaction\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


async def settle(path: Path, crash: bool) -> None:
    """Uphold report #1 with grade 1."""
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, load_bank(builtin_dir=PACKS))
        if crash:
            engine.reviews.scheduler.replay = die_mid_transaction  # type: ignore[assignment]
        await engine.disputes.settle(None, 1, "uphold", grade="1", note="fair")
        sys.stdout.write("settled\n")
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(settle(Path(sys.argv[1]), "--crash" in sys.argv[2:]))
