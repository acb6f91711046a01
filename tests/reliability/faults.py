"""Fault injection for the reliability tests: a small disk to fill, and a tally of the faults
injected, which the run prints at its end (see ``conftest.py``)."""

from __future__ import annotations

import errno
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

INJECTED: Counter[str] = Counter()
"""How many times each kind of fault was injected in this run."""
SKIPPED: Counter[str] = Counter()
"""Why fault tests could not inject their fault here, and how often."""


def injected(kind: str) -> None:
    """Count one fault of ``kind`` as injected."""
    INJECTED[kind] += 1


def skip(reason: str) -> None:
    """Skip the test, counting why."""
    SKIPPED[reason] += 1
    pytest.skip(reason)


@contextmanager
def small_disk(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` for the block (skips where mounting is
    impossible: not root, or no permission to mount in this container)."""
    folder.mkdir()
    if os.geteuid() != 0:
        skip("a small disk needs a tmpfs mount, which needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "quizbot-test", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode:
        skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte with a filler file; its path (delete it to free)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler
