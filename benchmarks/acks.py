"""Acknowledgement latency per chat adapter: 200 users answering at once, and a flood of 2 000.

Each adapter runs for real (Discord: ``run_discord`` on the fake's gateway, in the guild the
clicks come from; Slack: its HTTP endpoint) against its loopback fake from ``tests/fakes``: one
question is posted, then 200 distinct users press an answer button. The figure is the time from
a request leaving the user to the platform receiving its acknowledgement, in ms: Discord, from
INTERACTION_CREATE pushed on the gateway to the first bytes of the interaction callback read by
the fake; Slack, from the signed request's connect to its whole response read.

The fake platform and the 200 users run in a separate process (:mod:`benchmarks.ack_load`), which
takes both timestamps on one clock. Each pass runs the bot in a fresh process that holds only
what a bot process holds (the adapter, the engine and SQLite) on the event loop the bot runs on
(:mod:`bot.event_loop`), with its collector tuned as ``bot.app.run`` does (:mod:`bot.heap`);
a figure is the median over :data:`PASSES` passes (their spread on a shared 2-core machine is
wide).

Three arrival patterns: ``burst`` — all 200 in the same instant, the headline ``ack_p99_ms`` /
``ack_p50_ms``; ``steady`` — the 200 clicks spread evenly over ``STEADY_WINDOW_S`` seconds
(100 answers a second, far more than a chat round sees), reported as ``ack_steady_p99_ms`` /
``ack_steady_p50_ms``; and ``flood`` — :data:`FLOOD_USERS` clicks in the same instant, one pass,
reported as ``ack_flood_p50_ms`` / ``ack_flood_p99_ms`` / ``ack_flood_max_ms`` and
``ack_flood_missed``: how many acknowledgements came later than the platforms' 3 s deadline
(:data:`DEADLINE_MS`). In a burst the last click waits for the ones before it on the adapter's
one event loop, so its latency is bounded by the CPU each click needs before its ack. An
adapter whose package or fake is missing gets null and a note.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from benchmarks.common import BenchClock, make_engine, percentile
from bot.engine.engine import QuizEngine
from bot.heap import tune_collector
from storage.store import Store

__all__ = ["FLOOD_USERS", "USERS", "run"]

USERS = 200
FLOOD_USERS = 2000
DEADLINE_MS = 3000.0
"""Discord and Slack drop an interaction not acknowledged within 3 s."""
STEADY_WINDOW_S = 2.0
PASSES = 5
QUICK_PASSES = 3
ROOT = Path(__file__).resolve().parent.parent


def _available(adapter: str) -> str | None:
    """None if the adapter and its fake exist, else why not."""
    if importlib.util.find_spec(f"bot.adapters.{adapter}") is None:
        return f"bot/adapters/{adapter} has not landed"
    if not (ROOT / "tests" / "fakes" / f"{adapter}_api.py").exists():
        return f"tests/fakes/{adapter}_api.py has not landed"
    return None


class _Load:
    """The load process (:mod:`benchmarks.ack_load`): the fake platform and the 200 users."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, adapter: str, window_s: float, users: int) -> _Load:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.ack_load",
            adapter,
            str(window_s),
            str(users),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        return cls(process)

    async def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 300)
        if not line:
            raise RuntimeError(f"the load process ended (exit {await self.process.wait()})")
        result: dict[str, Any] = json.loads(line)
        return result

    def tell(self, data: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(data) + "\n").encode())

    async def finish(self) -> None:
        """Let the load process stop its fake and exit."""
        if self.process.returncode is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@contextlib.asynccontextmanager
async def _bot_side(
    adapter: str, folder: Path, window_s: float, users: int
) -> AsyncIterator[tuple[_Load, dict[str, Any], QuizEngine]]:
    """The load process started, and this process's engine on a fresh store with its collector
    tuned as ``bot.app.run`` does before it starts the adapters; yields the load, the fake's
    URLs and the engine."""
    load = await _Load.start(adapter, window_s, users)
    store = await Store.open(folder / f"{adapter}.db")
    try:
        urls = await load.read()
        engine = make_engine(store, BenchClock(time.time()))
        tune_collector()
        yield load, urls, engine
    finally:
        await load.finish()
        await store.close()


async def _discord(folder: Path, window_s: float, users: int) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
        from bot.adapters.discord import run_discord
    from bot.config import load_settings

    async with _bot_side("discord", folder, window_s, users) as (load, urls, engine):
        settings = load_settings(
            discord_token="fake-token",
            discord_api_base_url=urls["api_url"],
            discord_gateway_url=urls["gateway_url"],
        )
        bot = asyncio.create_task(run_discord(engine, settings))
        try:
            load.tell({})
            acks: list[float] = (await load.read())["acks_s"]
        finally:
            bot.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bot
    return acks


async def _slack(folder: Path, window_s: float, users: int) -> list[float]:
    from bot.adapters.slack import create_app, serve_http
    from bot.config import Settings
    from tests.adapters.slack.helpers import BOT_TOKEN, SECRET

    async with _bot_side("slack", folder, window_s, users) as (load, urls, engine):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=urls["api_url"],
        )
        quiz = create_app(engine, settings)
        async with serve_http(quiz, "127.0.0.1", 0) as port:
            load.tell({"port": port})
            acks: list[float] = (await load.read())["acks_s"]
            await quiz.drain()
    return acks


def _measure_here(adapter: str, window_s: float, users: int) -> list[float]:
    """In this process (the measured one): one arrival pattern of ``users`` clicks against
    ``adapter``; each click's acknowledgement time in ms. Runs on the event loop the bot runs
    on."""
    from bot import event_loop

    measure = {"discord": _discord, "slack": _slack}[adapter]
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        samples = event_loop.run(measure(Path(tmp), window_s, users))
    return [s * 1000 for s in samples]


def _measure(adapter: str, window_s: float, users: int = USERS) -> tuple[list[float] | None, str]:
    """One measurement in a fresh process, which then holds only what a bot process holds (the
    benchmarks run before leave big heaps behind); the samples in ms, or None and why."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.acks", "--one", adapter, str(window_s), str(users)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        # Inherit the caller's descriptors, as a command started from a shell does. On the
        # 2-core VM these figures come from, passes started with only 0-2 open ran about 50 %
        # slower (burst p99 73 vs 46 ms, medians of 7 alternating passes), nothing to do with
        # the bot; close_fds=False makes a pass run like the same command typed in a shell.
        close_fds=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return None, f"ack[{adapter}] is null: {why}"
    samples: list[float] = json.loads(lines[-1])
    note = "" if len(samples) == users else f"{adapter}: {len(samples)} acks for {users} users"
    return samples, note


def _median_p99(
    adapter: str, window_s: float, passes: int
) -> tuple[float | None, float | None, list[str]]:
    """Median over ``passes`` fresh runs of the p99 and of the p50 (None when a run failed)."""
    p99s: list[float] = []
    p50s: list[float] = []
    notes: list[str] = []
    for _ in range(passes):
        samples, note = _measure(adapter, window_s)
        notes += [note] if note else []
        if not samples:
            return None, None, notes
        p99s.append(percentile(samples, 99))
        p50s.append(percentile(samples, 50))
    return statistics.median(p99s), statistics.median(p50s), notes


def _flood(adapter: str) -> tuple[dict[str, float | None], list[str]]:
    """One pass of :data:`FLOOD_USERS` clicks at once: p50, p99, max and the acks later than
    :data:`DEADLINE_MS` (a click never acknowledged counts as late)."""
    samples, note = _measure(adapter, 0.0, FLOOD_USERS)
    if not samples:
        return {"p50": None, "p99": None, "max": None, "missed": None}, [note]
    missed = sum(1 for sample in samples if sample > DEADLINE_MS)
    missed += FLOOD_USERS - len(samples)
    figures: dict[str, float | None] = {
        "p50": percentile(samples, 50),
        "p99": percentile(samples, 99),
        "max": max(samples),
        "missed": float(missed),
    }
    return figures, [note] if note else []


def run(quick: bool) -> dict[str, Any]:
    """p99 acknowledgement time per adapter (null where the adapter has not landed): the median
    of :data:`PASSES` passes (:data:`QUICK_PASSES` when ``quick``), each in a fresh process."""
    passes = QUICK_PASSES if quick else PASSES
    figures: dict[str, dict[str, float | None]] = {
        "ack_p99_ms": {},
        "ack_p50_ms": {},
        "ack_steady_p99_ms": {},
        "ack_steady_p50_ms": {},
        "ack_flood_p50_ms": {},
        "ack_flood_p99_ms": {},
        "ack_flood_max_ms": {},
        "ack_flood_missed": {},
    }
    notes: list[str] = []
    for adapter in ("discord", "slack"):
        missing = _available(adapter)
        if missing:
            for figure in figures.values():
                figure[adapter] = None
            notes.append(f"ack[{adapter}] is null: {missing}")
            continue
        for prefix, window_s in (("ack", 0.0), ("ack_steady", STEADY_WINDOW_S)):
            p99, p50, more = _median_p99(adapter, window_s, passes)
            figures[f"{prefix}_p99_ms"][adapter] = p99
            figures[f"{prefix}_p50_ms"][adapter] = p50
            notes += more
        flood, more = _flood(adapter)
        figures["ack_flood_p50_ms"][adapter] = flood["p50"]
        figures["ack_flood_p99_ms"][adapter] = flood["p99"]
        figures["ack_flood_max_ms"][adapter] = flood["max"]
        figures["ack_flood_missed"][adapter] = flood["missed"]
        notes += more
    return {
        **figures,
        "ack_users": USERS,
        "ack_flood_users": FLOOD_USERS,
        "ack_window_s": STEADY_WINDOW_S,
        "ack_passes": passes,
        "notes": notes,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:  # the measured process of one pass
        print(json.dumps(_measure_here(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv)))
