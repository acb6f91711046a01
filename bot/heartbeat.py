"""The running bot's heartbeat: proof, for ``quizbot health``, that its event loop still turns
and its database still saves.

While the bot runs, a task on its event loop writes its heartbeat file (``<database>.heartbeat``
beside an SQLite file; with PostgreSQL a local file of each replica, ``QUIZBOT_HEARTBEAT_FILE``,
passed as ``file=``) every
:data:`HEARTBEAT_INTERVAL_S` seconds: the wall-clock time, the pid, the interval, and — on a
second line — what stops the database from saving, if anything (its file deleted, a full disk,
a read-only file). A bot whose loop is blocked (a hung call, a deadlock) stops writing, and
``quizbot health`` reports it once the heartbeat is older than its limit (30 s by default) —
however healthy the database still looks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "HEARTBEAT_INTERVAL_S",
    "Heartbeat",
    "beat",
    "heartbeat_age",
    "heartbeat_path",
    "read_heartbeat",
    "run_heartbeat",
]

HEARTBEAT_INTERVAL_S = 5.0

Problem = Callable[[], str | None]
"""What stops the database from saving now, or None."""


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The last beat: its age, the bot's pid and beat interval, and its database's problem."""

    age_s: float
    pid: str
    interval_s: float
    problem: str | None


def heartbeat_path(database: Path) -> Path:
    """The file a running bot refreshes for ``database`` (beside the real file)."""
    real = database.resolve()
    return real.with_name(real.name + ".heartbeat")


def _file(database: Path, file: Path | None) -> Path:
    return heartbeat_path(database) if file is None else file


def beat(
    database: Path,
    interval_s: float = HEARTBEAT_INTERVAL_S,
    problem: str | None = None,
    *,
    file: Path | None = None,
) -> None:
    """Write the current time, our pid, ``interval_s`` and ``problem`` to the heartbeat file
    (``file``, else ``<database>.heartbeat``).

    Atomically (a new file renamed over the old one) where the disk allows; on a full disk the
    existing file is overwritten in place instead (its block is already allocated), so the
    heartbeat can still say the disk is full. Raises OSError when neither works.
    """
    path = _file(database, file)
    text = f"{time.time():.3f} {os.getpid()} {interval_s:g}\n{problem or ''}\n".encode()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(text)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        with path.open("r+b") as handle:
            handle.write(text)
            handle.truncate()


async def run_heartbeat(
    database: Path,
    interval_s: float = HEARTBEAT_INTERVAL_S,
    problem: Problem = lambda: None,
    *,
    file: Path | None = None,
) -> None:
    """Beat every ``interval_s`` seconds, reporting ``problem()``, until cancelled; then
    remove the file (``file``, else ``<database>.heartbeat``)."""
    try:
        while True:
            with contextlib.suppress(OSError):  # no heartbeat must not stop the bot
                beat(database, interval_s, problem(), file=file)
            await asyncio.sleep(interval_s)
    finally:
        with contextlib.suppress(OSError):
            _file(database, file).unlink()


def read_heartbeat(database: Path, *, file: Path | None = None) -> Heartbeat | None:
    """The last beat (of ``file``, else of ``<database>.heartbeat``), or None when there is no
    readable heartbeat."""
    try:
        first, _, rest = _file(database, file).read_text(encoding="utf-8").partition("\n")
        stamp, pid, *interval = first.split()
        heartbeat = Heartbeat(
            age_s=max(0.0, time.time() - float(stamp)),
            pid=pid,
            interval_s=float(interval[0]) if interval else HEARTBEAT_INTERVAL_S,
            problem=rest.strip() or None,
        )
    except (OSError, ValueError):
        return None
    return heartbeat


def heartbeat_age(database: Path, *, file: Path | None = None) -> float | None:
    """Seconds since the last beat, or None when there is no readable heartbeat."""
    heartbeat = read_heartbeat(database, file=file)
    return None if heartbeat is None else heartbeat.age_s
