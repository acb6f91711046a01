"""Shared fixtures: a fake clock, a small deterministic question bank, a real SQLite store.

Before the tests, the project's modules are compiled to ``__pycache__`` once, so that the many
``python -m bot`` processes the tests start read bytecode instead of each compiling every
module again (``PYTHONDONTWRITEBYTECODE`` keeps them from saving it themselves).

Also the run's closing tally of the faults the fault-injection tests injected
(``tests/reliability/faults.py``): with ``pytest-xdist`` each worker sends its tally to the
controller, which adds them up and prints it.
"""

from __future__ import annotations

import compileall
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank, load_bank
from storage.store import Store
from tests.reliability.faults import INJECTED, SKIPPED

TEST_PACKS = Path(__file__).parent / "data" / "packs"
ROOT = Path(__file__).resolve().parent.parent
_COMPILED = ("bot", "questions", "storage", "benchmarks", "tests")

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


def pytest_configure(config: pytest.Config) -> None:
    """Compile the project's modules once per run (by the xdist controller, not each worker)."""
    if hasattr(config, "workerinput"):
        return
    for package in _COMPILED:
        compileall.compile_dir(ROOT / package, quiet=1)


_TALLY = "fault_injection"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand this worker's fault tally to the controller."""
    workeroutput: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_TALLY] = {"injected": dict(INJECTED), "skipped": dict(SKIPPED)}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: add a finished worker's fault tally to the run's."""
    tally = getattr(node, "workeroutput", {}).get(_TALLY)
    if tally:
        INJECTED.update(tally["injected"])
        SKIPPED.update(tally["skipped"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which faults the fault-injection tests injected, and which they could not."""
    if not (INJECTED or SKIPPED):
        return
    ran = ", ".join(f"{kind} ×{count}" for kind, count in sorted(INJECTED.items()))
    terminalreporter.write_sep("-", "fault injection")
    terminalreporter.write_line(f"injected {sum(INJECTED.values())} faults: {ran or 'none'}")
    for reason, count in sorted(SKIPPED.items()):
        terminalreporter.write_line(f"skipped ×{count}: {reason}")
