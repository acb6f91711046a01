"""One Quizbot replica answering its share of a storm, as ``test_replica_storm.py`` runs two.

Run as ``python storm_worker.py URL NAME PLAN``: ``PLAN`` is a JSON file of
``[round_id, user_id, letter]`` answers; the replica opens its store and engine, prints
``READY``, waits for a line on stdin (so both replicas start together), then sends
every answer of the plan at once (at most :data:`IN_FLIGHT` in flight) and prints ``DONE``.
Each stdout line is one fact, printed once it is true:

- ``ACK ROUND USER POINTS``: the engine acknowledged (stored) the answer;
- ``DUP ROUND USER``: refused as already answered;
- ``REFUSED ROUND USER ERROR``: refused otherwise (a closed round);
- ``ERROR ROUND USER ERROR``: anything else escaped the engine (a deadlock, say).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

from bot.engine.engine import QuizEngine
from bot.engine.errors import AlreadyAnsweredError, QuizError
from bot.engine.model import Player, Team
from questions.loader import load_bank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
TEAM = Team("console", "storm")
IN_FLIGHT = 64
"""Answers in flight at once in one replica (its pool has 8 connections)."""


def say(*fields: object) -> None:
    """Print one fact and flush it before going on."""
    sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
    sys.stdout.flush()


async def answer(engine: QuizEngine, gate: asyncio.Semaphore, plan: list[object]) -> None:
    """Send one answer of the plan and print what came of it."""
    round_id, user, letter = plan
    assert isinstance(round_id, int) and isinstance(user, str) and isinstance(letter, str)
    async with gate:
        try:
            feedback = await engine.answer(
                Player(TEAM, user, f"Player {user}"), round_id, choice=letter
            )
        except AlreadyAnsweredError:
            say("DUP", round_id, user)
            return
        except QuizError as exc:
            say("REFUSED", round_id, user, type(exc).__name__)
            return
        except Exception as exc:  # what the test looks for: nothing may escape
            say("ERROR", round_id, user, type(exc).__name__)
            return
    say("ACK", round_id, user, feedback.points)


async def main(url: str, plan: list[list[object]]) -> None:
    """Answer the plan once a line comes on stdin."""
    store = await PostgresStore.open(PostgresUrl.parse(url), min_size=8, max_size=8)
    try:
        engine = QuizEngine(
            store, load_bank(builtin_dir=PACKS), rng=random.Random(), round_seconds=3600
        )
        say("READY")
        await asyncio.to_thread(sys.stdin.readline)  # once both replicas are ready
        gate = asyncio.Semaphore(IN_FLIGHT)
        await asyncio.gather(*(answer(engine, gate, one) for one in plan))
        say("DONE")
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], json.loads(Path(sys.argv[3]).read_text())))
