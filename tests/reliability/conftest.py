"""Fixtures of the reliability tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.harness import Harness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    """A fresh harness (file database, engine, console) closed after the test."""
    opened = Harness(tmp_path / "reliability.db")
    yield opened
    opened.close()
