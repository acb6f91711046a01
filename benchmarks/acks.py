"""Acknowledgement latency per chat adapter under 200 concurrent users answering.

Each adapter runs for real against its loopback fake from ``tests/fakes`` (real HTTP over
127.0.0.1): one question is posted, then 200 distinct users press an answer button. The figure
is the time from a request reaching the adapter to the platform receiving its acknowledgement
(Discord: the interaction callback; Slack: the HTTP response), p99 in ms.

Two arrival patterns: ``steady`` — the 200 clicks spread evenly over ``STEADY_WINDOW_S`` seconds
(100 answers a second, far more than a chat round sees), the headline ``ack_p99_ms``; and
``burst`` — all 200 in the same instant, the worst case, reported as ``ack_burst_p99_ms``. In a
burst the last click waits for the 199 before it on the one event loop, so its p99 measures
throughput (about 200 ÷ requests per second) rather than responsiveness.
An adapter whose package or fake is missing gets null and a note.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from benchmarks.common import BenchClock, make_engine, percentile
from storage.store import Store

__all__ = ["USERS", "run"]

USERS = 200
STEADY_WINDOW_S = 2.0
ROOT = Path(__file__).resolve().parent.parent


def _available(adapter: str) -> str | None:
    """None if the adapter and its fake exist, else why not."""
    if importlib.util.find_spec(f"bot.adapters.{adapter}") is None:
        return f"bot/adapters/{adapter} has not landed"
    if not (ROOT / "tests" / "fakes" / f"{adapter}_api.py").exists():
        return f"tests/fakes/{adapter}_api.py has not landed"
    return None


async def _staggered(starts: list[Any], window_s: float) -> list[Any]:
    """Await the coroutine factories, starting them evenly over ``window_s`` seconds."""
    loop = asyncio.get_running_loop()
    begin = loop.time()
    step = window_s / len(starts) if starts else 0.0
    tasks = []
    for index, start in enumerate(starts):
        delay = begin + index * step - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(start()))
    return list(await asyncio.gather(*tasks))


async def _discord(folder: Path, window_s: float) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
        from bot.adapters.discord import create_bot
        from tests.adapters.discord.conftest import Driver, user
    from bot.config import load_settings
    from tests.fakes.discord_api import FakeDiscord

    acks: list[float] = []

    class TimedFake(FakeDiscord):
        """The fake, noting when each interaction's first callback arrives."""

        def _callback(self, interaction_id: str, token: str, body: Any, query: Any) -> Any:
            found = self._interactions.get(token)
            if found is not None and not found.responded:
                acks.append(asyncio.get_running_loop().time() - found.created)
            return super()._callback(interaction_id, token, body, query)

    store = await Store.open(folder / "discord.db")
    fake = TimedFake()
    await fake.start()
    try:
        engine = make_engine(store, BenchClock(time.time()))
        settings = load_settings(
            discord_token="fake-token",
            discord_api_base_url=fake.api_url,
            discord_gateway_url=fake.gateway_url,
        )
        bot = create_bot(engine, settings)
        await bot.login("fake-token")
        try:
            driver = Driver(bot, fake)
            message = await driver.quiz(("category", "beta"))
            acks.clear()  # only the answers count
            button = next(
                b["custom_id"] for row in message["components"] for b in row["components"]
            )

            def click(n: int) -> Any:
                payload = driver.click(message, button, who=user(f"6{n:017d}", f"user {n}"))
                return lambda: fake.answered(driver.send(payload))

            await _staggered([click(n) for n in range(USERS)], window_s)
        finally:
            await bot.close()
    finally:
        await fake.close()
        await store.close()
    return acks


async def _slack(folder: Path, window_s: float) -> list[float]:
    import aiohttp

    from bot.adapters.slack import create_app, serve_http
    from bot.config import Settings
    from tests.adapters.slack.helpers import BOT_TOKEN, SECRET, SlackClient, click_payload
    from tests.adapters.slack.helpers import start_round as slack_round
    from tests.fakes.slack_api import FakeSlack

    store = await Store.open(folder / "slack.db")
    try:
        engine = make_engine(store, BenchClock(time.time()))
        async with FakeSlack() as fake:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SECRET,
                slack_api_url=fake.api_url,
            )
            quiz = create_app(engine, settings)
            async with (
                serve_http(quiz, "127.0.0.1", 0) as port,
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session,
            ):
                client = SlackClient(session, f"http://127.0.0.1:{port}/slack/events", fake)
                _, buttons, _ = await slack_round(client, quiz, fake, "beta")
                value = next(iter(buttons.values()))

                def click(n: int) -> Any:
                    payload = click_payload(fake, value, user_id=f"U{n:08d}", user_name=f"u{n}")
                    return lambda: client.interact(payload)

                replies = await _staggered([click(n) for n in range(USERS)], window_s)
                await quiz.drain()
    finally:
        await store.close()
    return [reply.elapsed for reply in replies]


def _measure(adapter: str, measure: Any, window_s: float) -> tuple[list[float] | None, str]:
    """Acknowledgement times in ms for one adapter and arrival pattern, or None and why."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        try:
            samples = asyncio.run(measure(Path(tmp), window_s))
        except Exception as exc:
            return None, f"ack[{adapter}] is null: {type(exc).__name__}: {exc}"
    note = "" if len(samples) == USERS else f"{adapter}: {len(samples)} acks for {USERS} users"
    return [s * 1000 for s in samples], note


def run(quick: bool) -> dict[str, Any]:
    """p99 acknowledgement time per adapter (null where the adapter has not landed)."""
    figures: dict[str, dict[str, float | None]] = {
        "ack_p99_ms": {},
        "ack_p50_ms": {},
        "ack_burst_p99_ms": {},
    }
    notes: list[str] = []
    for adapter, measure in (("discord", _discord), ("slack", _slack)):
        missing = _available(adapter)
        if missing:
            for figure in figures.values():
                figure[adapter] = None
            notes.append(f"ack[{adapter}] is null: {missing}")
            continue
        steady, note = _measure(adapter, measure, STEADY_WINDOW_S)
        notes += [note] if note else []
        burst, note = _measure(adapter, measure, 0.0)
        notes += [note] if note else []
        figures["ack_p99_ms"][adapter] = percentile(steady, 99) if steady else None
        figures["ack_p50_ms"][adapter] = percentile(steady, 50) if steady else None
        figures["ack_burst_p99_ms"][adapter] = percentile(burst, 99) if burst else None
    return {**figures, "ack_users": USERS, "ack_window_s": STEADY_WINDOW_S, "notes": notes}


if __name__ == "__main__":
    print(json.dumps(run(quick=True)))
