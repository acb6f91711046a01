"""The running bot's heartbeat: proof, for ``quizbot health``, that its event loop still turns.

While the bot runs, a task on its event loop writes the wall-clock time to
``<database>.heartbeat`` every :data:`HEARTBEAT_INTERVAL_S` seconds. A bot whose loop is blocked
(a hung call, a deadlock) stops writing, and ``quizbot health`` reports it once the heartbeat is
older than its limit (30 s by default) — however healthy the database still looks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

__all__ = ["HEARTBEAT_INTERVAL_S", "beat", "heartbeat_age", "heartbeat_path", "run_heartbeat"]

HEARTBEAT_INTERVAL_S = 5.0


def heartbeat_path(database: Path) -> Path:
    """The file a running bot refreshes for ``database``."""
    return database.with_name(database.name + ".heartbeat")


def beat(database: Path) -> None:
    """Write the current time (and our pid) to the heartbeat file, atomically."""
    path = heartbeat_path(database)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(f"{time.time():.3f} {os.getpid()}\n", encoding="utf-8")
    os.replace(temporary, path)


async def run_heartbeat(database: Path, interval_s: float = HEARTBEAT_INTERVAL_S) -> None:
    """Beat every ``interval_s`` seconds until cancelled; then remove the file."""
    try:
        while True:
            with contextlib.suppress(OSError):  # a full disk must not stop the bot
                beat(database)
            await asyncio.sleep(interval_s)
    finally:
        with contextlib.suppress(OSError):
            heartbeat_path(database).unlink()


def heartbeat_age(database: Path) -> float | None:
    """Seconds since the last beat, or None when there is no readable heartbeat."""
    try:
        stamp = float(heartbeat_path(database).read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, time.time() - stamp)
