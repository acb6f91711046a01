"""Fixtures of the reliability tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.faults import INJECTED, SKIPPED
from tests.reliability.harness import Harness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    """A fresh harness (file database, engine, console) closed after the test."""
    opened = Harness(tmp_path / "reliability.db")
    yield opened
    opened.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which faults the fault-injection tests injected, and which they could not."""
    if not (INJECTED or SKIPPED):
        return
    ran = ", ".join(f"{kind} ×{count}" for kind, count in sorted(INJECTED.items()))
    terminalreporter.write_sep("-", "fault injection")
    terminalreporter.write_line(f"injected {sum(INJECTED.values())} faults: {ran or 'none'}")
    for reason, count in sorted(SKIPPED.items()):
        terminalreporter.write_line(f"skipped ×{count}: {reason}")
