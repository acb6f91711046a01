"""A synchronous harness for property-based tests: one event loop, store and engine per test.

Hypothesis runs each example as a plain function call; the harness runs the coroutines on its
own loop, so the database (and its row counts) carry over from one example to the next.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot.adapters.console import ConsoleSession
from bot.engine.engine import QuizEngine
from questions.loader import load_bank
from storage.store import Store

_T = TypeVar("_T")
PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
TABLES = ("teams", "players", "rounds", "answers", "scores")


class Harness:
    """A store on a file database, an engine with a frozen clock, and a console session."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.path = path
        self.store = self.run(Store.open(path))
        self.engine = QuizEngine(
            self.store,
            load_bank(builtin_dir=PACKS),
            clock=lambda: 1_764_000_000.0,
            rng=random.Random(3),
            round_seconds=60,
        )
        self.console = ConsoleSession(self.engine)

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run one coroutine to completion on the harness loop."""
        return self.loop.run_until_complete(coroutine)

    def counts(self) -> dict[str, int]:
        """Row counts of every table, read through a separate connection."""
        with sqlite3.connect(self.path) as conn:
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}

    def close(self) -> None:
        """Close the store and the loop."""
        self.run(self.store.close())
        self.loop.close()
