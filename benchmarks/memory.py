"""Resident memory of a fresh process running Quizbot with 10k players.

A child process imports both chat adapters (when their packages exist), opens a store on a
temporary file and has 10 000 distinct players answer through the engine, then reports its
resident set size read from ``/proc/self/status`` (VmRSS; VmHWM is the peak).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import BenchClock, make_engine
from bot.engine.model import Channel, Player, Team
from storage.store import Store

__all__ = ["ADAPTERS", "proc_status_mb", "run"]

ADAPTERS = ("bot.adapters.discord", "bot.adapters.slack")


def proc_status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory field (e.g. VmRSS) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


async def _ten_thousand_players(path: Path, players: int) -> None:
    store = await Store.open(path)
    engine = make_engine(store, BenchClock())
    team = Team("bench", "T1")
    try:
        per_round = 100
        for first in range(0, players, per_round):
            channel = Channel(team, f"C{first // per_round % 16}")
            card = await engine.start_round(channel, None)
            await asyncio.gather(
                *(
                    engine.answer(Player(team, f"U{n}", f"player {n}"), card.round_id, choice="A")
                    for n in range(first, first + per_round)
                )
            )
            await engine.close_round(team, card.round_id)
    finally:
        await store.close()


def child(players: int) -> dict[str, object]:
    """Run in the child: import adapters, answer as ``players`` players, measure."""
    imported = []
    for name in ADAPTERS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            imported.append(name)
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        asyncio.run(_ten_thousand_players(Path(tmp) / "memory.db", players))
        return {
            "rss_mb": proc_status_mb("VmRSS"),
            "rss_peak_mb": proc_status_mb("VmHWM"),
            "adapters_imported": imported,
        }


def run(quick: bool) -> dict[str, object]:
    """Start the child (quick or not: the figure is defined at 10k players) and parse it."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--child", "10000"],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        print(run(quick=True))
