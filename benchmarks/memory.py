"""Resident memory of a fresh process running Quizbot with 10k players.

A child process builds what ``quizbot`` builds: a store on a temporary file with 10 000 distinct
players who answered through the engine, and — when their packages exist — both chat adapters'
objects on that engine (the Discord client from ``create_bot``, not connected; the Slack app from
``create_app``). With all of it alive and the store open, it reports its current resident set
size from ``/proc/self/status`` (VmRSS; VmHWM is the peak so far).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from benchmarks.common import BenchClock, make_engine
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from bot.heap import tune_collector
from storage.store import Store

__all__ = ["ADAPTERS", "proc_status_mb", "run"]

ADAPTERS = ("bot.adapters.discord", "bot.adapters.slack")


def proc_status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory field (e.g. VmRSS) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


async def _answer_as_players(engine: QuizEngine, players: int) -> None:
    team = Team("bench", "T1")
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


async def _create_adapters(engine: QuizEngine) -> tuple[list[str], list[Any]]:
    """Both adapters' objects on ``engine`` (no network), as the app creates them."""
    from bot.config import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token="bench-token",
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench-secret",
    )
    created: list[str] = []
    objects: list[Any] = []
    if importlib.util.find_spec(ADAPTERS[0]) is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
            from bot.adapters.discord import create_bot
        objects.append(create_bot(engine, settings))
        created.append("discord")
    if importlib.util.find_spec(ADAPTERS[1]) is not None:
        from bot.adapters.slack import create_app

        objects.append(create_app(engine, settings))
        created.append("slack")
    return created, objects


async def _measure(path: Path, players: int) -> dict[str, object]:
    store = await Store.open(path)
    try:
        engine = make_engine(store, BenchClock())
        created, objects = await _create_adapters(engine)
        tune_collector()  # as bot.app.run does before it starts the adapters
        await _answer_as_players(engine, players)
        result: dict[str, object] = {
            "rss_mb": proc_status_mb("VmRSS"),
            "rss_peak_mb": proc_status_mb("VmHWM"),
            "adapters_created": created,
        }
        for obj in objects:  # close what holds a connection pool (nothing was connected)
            close = getattr(obj, "close", None)
            if close is not None and asyncio.iscoroutinefunction(close):
                await close()
        return result
    finally:
        await store.close()


def child(players: int) -> dict[str, object]:
    """Run in the child: create the adapters, answer as ``players`` players, measure."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        return asyncio.run(_measure(Path(tmp) / "memory.db", players))


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
