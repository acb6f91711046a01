"""Helpers shared by the benchmark modules: percentiles, a fake clock, the test question bank."""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable
from pathlib import Path

from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank, load_bank
from storage.store import Store

__all__ = ["BENCH_PACKS", "BenchClock", "make_engine", "percentile", "settle_disk", "test_bank"]

BENCH_PACKS = Path(__file__).resolve().parent.parent / "tests" / "data" / "packs"


class BenchClock:
    """A settable clock (epoch seconds), so rounds never time out during a benchmark."""

    def __init__(self, start: float = 1_764_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_bank() -> QuestionBank:
    """The small deterministic bank the tests use (three questions, two categories)."""
    return load_bank(builtin_dir=BENCH_PACKS)


def make_engine(
    store: Store, clock: Callable[[], float], *, round_seconds: int = 3600
) -> QuizEngine:
    """An engine on ``store`` with a seeded RNG and long rounds."""
    return QuizEngine(
        store, test_bank(), clock=clock, rng=random.Random(7), round_seconds=round_seconds
    )


def percentile(samples: list[float], pct: float) -> float:
    """The nearest-rank percentile of ``samples`` (pct in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def settle_disk() -> None:
    """Write out what earlier steps left in the page cache (a freshly built database is
    hundreds of MB), so the kernel's writeback does not run during the next measurement."""
    os.sync()
