"""Socket Mode with several replicas on one PostgreSQL database: Slack (the fake) spreads the
envelopes over the open connections, one connection each, and re-delivers an envelope that is
not acknowledged to another one. Each replica handles what it receives; the buttons of a round
work whichever replica gets the press, and every press is answered once."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bot.adapters.slack import run_slack
from bot.config import Settings
from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from tests.adapters.slack.helpers import APP_TOKEN, BOT_TOKEN, answer_buttons, click_payload
from tests.adapters.slack.helpers import command_form as slash_form
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack

PLAYERS = [f"U1P{n}" for n in range(8)]


@dataclass
class Replica:
    """One bot process: its own engine and store on the shared database, its own Socket
    Mode connection."""

    engine: QuizEngine
    store: PostgresStore
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Close its connection (the process going away)."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@contextlib.asynccontextmanager
async def replicas(
    count: int, url: str, slack: FakeSlack, bank: QuestionBank, clock: FakeClock
) -> AsyncIterator[list[Replica]]:
    """``count`` replicas connected over Socket Mode, connection ``n`` being replica ``n``."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
    )
    started: list[Replica] = []
    try:
        for n in range(count):
            store = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=4)
            engine = QuizEngine(store, bank, clock=clock, rng=random.Random(n), round_seconds=600)
            started.append(Replica(engine, store, asyncio.create_task(run_slack(engine, settings))))
            await slack.wait_connections(n + 1)
        yield started
    finally:
        for replica in started:
            await replica.stop()
            await replica.store.close()


def command_payload(slack: FakeSlack, text: str) -> dict[str, Any]:
    """A ``/quiz`` slash command as Socket Mode carries it (the form's fields as an object)."""
    return dict(parse_qsl(urlencode(slash_form(slack, "/quiz", text)), keep_blank_values=True))


async def start_round(slack: FakeSlack) -> dict[str, str]:
    """Deliver ``/quiz alpha easy`` and return the posted round's buttons."""
    await slack.deliver("slash_commands", command_payload(slack, "alpha easy"), "env-quiz")
    await slack.wait_ack("env-quiz")
    [post] = await slack.wait_for("chat.postMessage")
    return answer_buttons(post)


async def answers(store: PostgresStore) -> list[tuple[str, int]]:
    rows = await store.fetchall(
        "SELECT p.external_id, a.correct FROM answers a JOIN players p ON p.id = a.player_id "
        'ORDER BY p.external_id COLLATE "C"'
    )
    return [(str(row[0]), int(row[1])) for row in rows]


async def test_presses_spread_over_two_replicas_are_each_answered_once(
    slack: FakeSlack, postgres_url: str, bank: QuestionBank, clock: FakeClock
) -> None:
    async with replicas(2, postgres_url, slack, bank, clock) as [first, _second]:
        buttons = await start_round(slack)
        labels = sorted(buttons)
        chosen = {user: buttons[labels[n % len(labels)]] for n, user in enumerate(PLAYERS)}
        before = len(slack.calls_to("response_url"))
        for n, (user, value) in enumerate(chosen.items()):
            press = click_payload(slack, value, user_id=user, user_name=user.lower())
            await slack.deliver("interactive", press, f"env-press-{n}")
        for n in range(len(PLAYERS)):
            await slack.wait_ack(f"env-press-{n}")
        await slack.wait_for("response_url", before + len(PLAYERS))
        recorded = await answers(first.store)
    presses = [f"env-press-{n}" for n in range(len(PLAYERS))]
    assert all(len(slack.deliveries[envelope]) == 1 for envelope in presses)
    per_replica = [sum(slack.deliveries[envelope] == [n] for envelope in presses) for n in (0, 1)]
    assert per_replica == [len(PLAYERS) // 2, len(PLAYERS) // 2]
    assert {slack.acked_by[envelope] for envelope in presses} == {0, 1}
    assert set(slack.response_url_posts.values()) == {1}  # each press answered once
    assert [user for user, _ in recorded] == sorted(PLAYERS)
    correct = {value for label, value in buttons.items() if "Mars" in label}
    assert sum(flag for _, flag in recorded) == sum(v in correct for v in chosen.values())
    assert slack.errors == []


async def test_an_envelope_lost_with_a_replica_is_redelivered_and_handled_once(
    slack: FakeSlack, postgres_url: str, bank: QuestionBank, clock: FakeClock
) -> None:
    slack.ack_timeout_s = 0.5
    async with replicas(2, postgres_url, slack, bank, clock) as [first, second]:
        buttons = await start_round(slack)
        value = next(iter(buttons.values()))
        early = click_payload(slack, value, user_id=PLAYERS[0], user_name="p0")
        assert await slack.deliver("interactive", early, "env-early", to=0) == 0
        await slack.wait_ack("env-early")
        await first.stop()  # replica 0 goes away mid-round
        await slack.wait_closed(0)
        assert slack.open_connections() == 1
        late = click_payload(slack, value, user_id=PLAYERS[1], user_name="p1")
        # Slack picked replica 0's connection before noticing it was gone
        await slack.deliver("interactive", late, "env-late", to=0)
        ack, _ = await slack.wait_ack("env-late")
        assert ack["envelope_id"] == "env-late"
        await slack.wait_for("response_url", 2)
        recorded = await answers(second.store)
    assert slack.deliveries["env-late"] == [0, 1] and slack.acked_by["env-late"] == 1
    assert set(slack.response_url_posts.values()) == {1}
    assert [user for user, _ in recorded] == [PLAYERS[0], PLAYERS[1]]
    assert slack.errors == []
