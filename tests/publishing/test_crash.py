"""A publisher killed (SIGKILL) while the platform holds its request: the reveal is published
again once the lease expired (at least once); the daily post is abandoned (at most once)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.publishing import LEASE_S
from tests.conftest import FakeClock
from tests.publishing.support import GENERAL, PlatformOutbox, closed_quiz_round, outcomes

WORKER = Path(__file__).with_name("crash_publisher.py")
DAY = 86_400.0


@dataclass
class HoldingPlatform:
    """A loopback platform that records each request and never answers it."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(json.loads(await request.read()))
        self.arrived.set()
        await asyncio.Event().wait()  # held until the client goes away
        raise AssertionError("unreachable")


@pytest.fixture
async def platform() -> AsyncIterator[HoldingPlatform]:
    holding = HoldingPlatform()
    app = web.Application()
    app.router.add_post("/publish", holding.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    holding.url = f"http://127.0.0.1:{port}/publish"
    yield holding
    await runner.cleanup()


async def _kill_while_held(db: Path, platform: HoldingPlatform, now: float) -> None:
    """Run the publisher process until the platform holds its request, then SIGKILL it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        str(db),
        platform.url,
        repr(now),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        arrival = asyncio.create_task(platform.arrived.wait())
        exited = asyncio.create_task(process.wait())
        await asyncio.wait({arrival, exited}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert platform.arrived.is_set(), (await process.communicate())[1].decode()
        exited.cancel()
        process.send_signal(signal.SIGKILL)
        await process.communicate()
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_reveal_killed_mid_publish_is_published_after_the_lease(
    engine: QuizEngine, clock: FakeClock, tmp_path: Path, platform: HoldingPlatform
) -> None:
    round_id = await closed_quiz_round(engine)
    await _kill_while_held(tmp_path / "quizbot.db", platform, clock())
    assert platform.requests == [{"call": "post", "view": "Reveal", "round_id": round_id}]

    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    assert await engine.publications.drain() == 0  # the dead worker's lease still holds
    clock.advance(LEASE_S + 1)
    assert await engine.publications.drain() == 1
    assert outbox.reveals() == [round_id]
    assert await outcomes(engine, round_id) == [("reveal", "published")]


async def test_a_daily_post_killed_mid_publish_is_abandoned_never_posted_twice(
    engine: QuizEngine,
    clock: FakeClock,
    tmp_path: Path,
    platform: HoldingPlatform,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await engine.daily.set_schedule(GENERAL, time_of_day="09:00", timezone="UTC")
    [schedule] = await engine.daily.db.active_schedules()
    slot = last_slot(spec_of(schedule), clock())
    engine.register_outbox("console", PlatformOutbox())  # lets the slot run; the worker is away
    assert await engine.daily.run_slot(schedule, slot) == "queued"
    round_id = await engine.daily.db.slot_round(schedule.team_pk, "general", slot.key)
    assert round_id is not None
    await _kill_while_held(tmp_path / "quizbot.db", platform, clock())
    assert platform.requests == [{"call": "post", "view": "QuestionCard", "round_id": round_id}]

    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    clock.advance(LEASE_S + 1)
    assert await engine.publications.drain() == 1
    assert outbox.calls == []  # not posted again
    assert await outcomes(engine, round_id) == [("daily_post", "abandoned")]
    assert await engine.daily.db.slot_state(schedule.team_pk, "general", slot.key) == "failed"
    assert await engine.daily.db.open_rounds(schedule.team_pk, "general") == []
    assert any("abandoned (never posted twice)" in r.message for r in caplog.records)

    clock.now = slot.at + DAY  # the next slot: its question is posted, the lost one never shown
    assert await engine.daily.run_slot(schedule, last_slot(spec_of(schedule), clock())) == "queued"
    await engine.publications.drain()
    assert [type(view).__name__ for _, view in outbox.calls] == ["QuestionCard"]
    assert outbox.reveals() == []
