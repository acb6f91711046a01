"""Acknowledgement latency per chat adapter under 200 concurrent users answering.

Each adapter runs for real against its loopback fake from ``tests/fakes`` (real HTTP over
127.0.0.1): one question is posted, then 200 distinct users press an answer button at once.
The figure is the time from a request reaching the adapter to the platform receiving its
acknowledgement (Discord: the interaction callback; Slack: the HTTP response), p99 in ms.
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
ROOT = Path(__file__).resolve().parent.parent


def _available(adapter: str) -> str | None:
    """None if the adapter and its fake exist, else why not."""
    if importlib.util.find_spec(f"bot.adapters.{adapter}") is None:
        return f"bot/adapters/{adapter} has not landed"
    if not (ROOT / "tests" / "fakes" / f"{adapter}_api.py").exists():
        return f"tests/fakes/{adapter}_api.py has not landed"
    return None


async def _discord(folder: Path) -> list[float]:
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
            tokens = [
                driver.send(driver.click(message, button, who=user(f"6{n:017d}", f"user {n}")))
                for n in range(USERS)
            ]
            await asyncio.gather(*(fake.answered(token) for token in tokens))
        finally:
            await bot.close()
    finally:
        await fake.close()
        await store.close()
    return acks


async def _slack(folder: Path) -> list[float]:
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
                replies = await asyncio.gather(
                    *(
                        client.interact(
                            click_payload(fake, value, user_id=f"U{n:08d}", user_name=f"u{n}")
                        )
                        for n in range(USERS)
                    )
                )
                await quiz.drain()
    finally:
        await store.close()
    return [reply.elapsed for reply in replies]


def run(quick: bool) -> dict[str, Any]:
    """p99 acknowledgement time per adapter (null where the adapter has not landed)."""
    p99: dict[str, float | None] = {}
    p50: dict[str, float | None] = {}
    notes: list[str] = []
    for adapter, measure in (("discord", _discord), ("slack", _slack)):
        missing = _available(adapter)
        if missing:
            p99[adapter] = p50[adapter] = None
            notes.append(f"ack_p99_ms[{adapter}] is null: {missing}")
            continue
        with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
            try:
                samples = asyncio.run(measure(Path(tmp)))
            except Exception as exc:
                p99[adapter] = p50[adapter] = None
                notes.append(f"ack_p99_ms[{adapter}] is null: {type(exc).__name__}: {exc}")
                continue
        p99[adapter] = percentile([s * 1000 for s in samples], 99)
        p50[adapter] = percentile([s * 1000 for s in samples], 50)
        if p99[adapter] - p50[adapter] > 900:  # type: ignore[operator]
            notes.append(
                f"{adapter}: a ~1 s tail - more simultaneous new connections than the server's "
                "listen backlog (aiohttp's default 128), so some SYNs are retried after 1 s"
            )
        if len(samples) != USERS:
            notes.append(f"{adapter}: {len(samples)} acknowledgements for {USERS} users")
    return {"ack_p99_ms": p99, "ack_p50_ms": p50, "ack_users": USERS, "notes": notes}


if __name__ == "__main__":
    print(json.dumps(run(quick=True)))
