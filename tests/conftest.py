"""Shared fixtures: a fake clock, a small deterministic question bank, a real SQLite store."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank, load_bank
from storage.store import Store

TEST_PACKS = Path(__file__).parent / "data" / "packs"

# A real PostgreSQL server, started on first use (tests/postgres_server.py).
pytest_plugins = ["tests.postgres_server"]


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_764_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bank() -> QuestionBank:
    """Three questions in two categories (alpha: easy + hard; beta: medium)."""
    return load_bank(builtin_dir=TEST_PACKS)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "quizbot.db")
    yield opened
    await opened.close()


@pytest.fixture
def engine(store: Store, bank: QuestionBank, clock: FakeClock) -> QuizEngine:
    return QuizEngine(store, bank, clock=clock, rng=random.Random(7), round_seconds=60)
