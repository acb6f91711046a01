"""Answer throughput: end-to-end ``QuizEngine.answer`` versus plain aiosqlite transactions.

Both run on a real SQLite file in WAL mode with the store's pragmas, in the same process, so the
ratio ``answers_per_s / raw_txn_per_s`` says how much the engine adds on top of one durable
single-row write.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import aiosqlite

from benchmarks.common import BenchClock, make_engine
from bot.engine.model import Channel, Player, Team
from storage.store import Store

__all__ = ["measure_answers", "measure_raw_txn", "run"]

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)
_OPEN_TEXT = "Mars is the red planet, because of iron oxide (rust) dust on its surface."


async def measure_raw_txn(path: Path, count: int, concurrency: int) -> float:
    """Single-row BEGIN IMMEDIATE / INSERT / COMMIT transactions per second."""
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
        await conn.execute(
            "CREATE TABLE answers (id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL, "
            "player_id INTEGER NOT NULL, points INTEGER NOT NULL, answered_at REAL NOT NULL, "
            "UNIQUE (round_id, player_id))"
        )
        lock = asyncio.Lock()

        async def one(n: int) -> None:
            async with lock:
                await conn.execute("BEGIN IMMEDIATE")
                await conn.execute(
                    "INSERT INTO answers (round_id, player_id, points, answered_at) "
                    "VALUES (?, ?, ?, ?)",
                    (n // 1000, n, 100, time.time()),
                )
                await conn.execute("COMMIT")

        started = time.perf_counter()
        await _in_waves(one, count, concurrency)
        elapsed = time.perf_counter() - started
    finally:
        await conn.close()
    return count / elapsed


async def _in_waves(work: object, count: int, concurrency: int) -> None:
    """Run ``work(n)`` for n in range(count), ``concurrency`` at a time."""
    assert callable(work)
    for start in range(0, count, concurrency):
        await asyncio.gather(*(work(n) for n in range(start, min(start + concurrency, count))))


async def measure_answers(
    path: Path, *, players: int, rounds: int, per_round: int, concurrency: int
) -> float:
    """End-to-end answers per second through ``QuizEngine.answer`` (grade, score, commit).

    ``rounds`` rounds (one in four in free-text mode) spread over 16 channels, each answered by
    ``per_round`` players drawn from a pool of ``players``; ``concurrency`` answers in flight.
    """
    store = await Store.open(path)
    clock = BenchClock()
    engine = make_engine(store, clock)
    team = Team("bench", "T1")
    try:
        elapsed = 0.0
        total = 0
        for index in range(rounds):
            channel = Channel(team, f"C{index % 16}")
            mode = "open" if index % 4 == 3 else "choice"
            card = await engine.start_round(channel, None, mode=mode)
            first = (index * per_round) % players
            who = [
                Player(team, f"U{(first + k) % players}", f"user {(first + k) % players}")
                for k in range(per_round)
            ]

            text = _OPEN_TEXT if mode == "open" else None

            async def one(
                k: int,
                round_id: int = card.round_id,
                who: list[Player] = who,
                text: str | None = text,
            ) -> None:
                if text is not None:
                    await engine.answer(who[k], round_id, text=text)
                else:
                    await engine.answer(who[k], round_id, choice="ABCD"[k % 4])

            started = time.perf_counter()
            await _in_waves(one, per_round, concurrency)
            elapsed += time.perf_counter() - started
            total += per_round
            await engine.close_round(team, card.round_id)
    finally:
        await store.close()
    return total / elapsed


def run(quick: bool) -> dict[str, float]:
    """Both throughputs and their ratio: the median of three paired runs.

    Each attempt measures raw transactions then engine answers back to back, so both see the
    same machine load; the attempt with the median ratio is reported. The headline pair runs
    50 requests in flight (a busy channel); the ``_seq`` pair, one at a time, is for reference.
    """
    answers = 2000 if quick else 10000
    per_round = 100
    report: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        folder = Path(tmp)
        for label, concurrency in (("", 50), ("_seq", 1)):
            attempts: list[tuple[float, float, float]] = []
            for attempt in range(3):
                raw = asyncio.run(
                    measure_raw_txn(folder / f"raw{label}{attempt}.db", answers, concurrency)
                )
                engine = asyncio.run(
                    measure_answers(
                        folder / f"answers{label}{attempt}.db",
                        players=answers // 10,
                        rounds=answers // per_round,
                        per_round=per_round,
                        concurrency=concurrency,
                    )
                )
                attempts.append((engine / raw, engine, raw))
            ratio, engine, raw = sorted(attempts)[1]
            report[f"answers_per_s{label}"] = engine
            report[f"raw_txn_per_s{label}"] = raw
            report[f"answer_ratio{label}"] = ratio
    return report


if __name__ == "__main__":
    print(run(quick=True))
