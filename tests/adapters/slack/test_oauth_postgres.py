"""Slack distributed with OAuth on PostgreSQL: two workspaces installed through "Add to Slack"
over loopback with the installations in a fresh PostgreSQL database, each posting with its own
token; two replicas on that database spend one refresh token once; an uninstall pauses the
workspace's daily schedules."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.slack.oauth import SlackWorkspaces
from bot.app import run
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from questions.loader import QuestionBank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from tests.adapters.slack.helpers import answer_buttons, click_payload
from tests.adapters.slack.oauth_helpers import (
    ALPHA,
    BETA,
    oauth_settings,
    serve_oauth,
    uninstall_event,
)
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack, Workspace

TWELVE_HOURS = 12 * 3600.0


@pytest.fixture
async def pg_store(postgres_url: str) -> AsyncIterator[PostgresStore]:
    store = await PostgresStore.open(PostgresUrl.parse(postgres_url), min_size=1, max_size=4)
    yield store
    await store.close()


@pytest.fixture
def pg_engine(pg_store: PostgresStore, bank: QuestionBank, clock: FakeClock) -> QuizEngine:
    return QuizEngine(pg_store, bank, clock=clock, rng=random.Random(7), round_seconds=60)


def general(workspace: Workspace) -> Channel:
    return Channel(Team("slack", workspace.team_id), f"C1{workspace.team_id}", "general")


def refreshes(slack: FakeSlack) -> list[str]:
    """The refresh tokens presented to oauth.v2.access."""
    return [
        str(call.args["refresh_token"])
        for call in slack.calls_to("oauth.v2.access")
        if call.args.get("grant_type") == "refresh_token"
    ]


async def test_two_workspaces_install_and_post_with_their_own_tokens(
    pg_engine: QuizEngine, pg_store: PostgresStore, slack: FakeSlack
) -> None:
    async with serve_oauth(pg_engine, slack) as server:
        alpha_page = await server.new_browser().install(ALPHA)
        beta_page = await server.new_browser().install(BETA)
        assert alpha_page.status == 200 and "installed in Alpha" in alpha_page.text
        assert beta_page.status == 200 and "installed in Beta" in beta_page.text
        [alpha_token], [beta_token] = slack.tokens_of(ALPHA), slack.tokens_of(BETA)
        for workspace in (ALPHA, BETA):
            channel = general(workspace).channel_id
            await server.client.command(
                "/quiz", "alpha easy", team_id=workspace.team_id, channel_id=channel
            )
            await server.quiz.drain()
            value = next(iter(answer_buttons(slack.calls_to("chat.postMessage")[-1]).values()))
            await server.client.interact(
                click_payload(slack, value, team_id=workspace.team_id, channel_id=channel)
            )
            await server.quiz.drain()
    records = await pg_store.installations.all()
    assert [record.team_key for record in records] == ["T0ALPHA", "T0BETA"]
    posts = slack.calls_to("chat.postMessage")
    by_channel = {(post.args["channel"], post.token) for post in posts}
    assert by_channel == {
        (general(ALPHA).channel_id, alpha_token),
        (general(BETA).channel_id, beta_token),
    }
    teams = await pg_store.fetchall(
        "SELECT DISTINCT t.external_id FROM answers a JOIN players p ON p.id = a.player_id "
        "JOIN teams t ON t.id = p.team_id ORDER BY 1"
    )
    assert [row[0] for row in teams] == ["T0ALPHA", "T0BETA"]


async def test_two_replicas_spend_one_refresh_token_once(
    pg_engine: QuizEngine, pg_store: PostgresStore, slack: FakeSlack, postgres_url: str
) -> None:
    slack.rotation_s = 60  # the installed token expires within the refresh window
    async with serve_oauth(pg_engine, slack) as server:
        await server.browser.install(ALPHA)
    slack.rotation_s = TWELVE_HOURS
    [old] = slack.tokens_of(ALPHA)
    other = await PostgresStore.open(PostgresUrl.parse(postgres_url), min_size=1, max_size=4)
    try:
        here = SlackWorkspaces(oauth_settings(slack), pg_store).tokens
        there = SlackWorkspaces(oauth_settings(slack), other).tokens
        tokens = await asyncio.gather(
            *(tokens.bot_token(ALPHA.team_id) for tokens in (here, there, here, there))
        )
    finally:
        await other.close()
    assert len(refreshes(slack)) == 1
    new = slack.tokens_of(ALPHA)[-1]
    assert new != old and new in tokens
    assert all(slack.token_works(token) for token in tokens)
    [record] = await pg_store.installations.all()
    assert record.bot_refresh_token is not None


async def test_an_uninstall_pauses_only_that_workspaces_schedules(
    pg_engine: QuizEngine, pg_store: PostgresStore, slack: FakeSlack
) -> None:
    async with serve_oauth(pg_engine, slack) as server:
        for workspace in (ALPHA, BETA):
            await server.new_browser().install(workspace)
            await pg_engine.daily.set_schedule(
                general(workspace), time_of_day="17:00", timezone="Europe/Berlin"
            )
        slack.revoke(ALPHA)
        reply = await server.client.post(uninstall_event(ALPHA), "application/json")
        assert reply.status == 200
        await server.quiz.drain()
    rows = await pg_store.fetchall(
        "SELECT t.external_id, s.paused FROM daily_schedules s JOIN teams t ON t.id = s.team_id "
        "ORDER BY 1"
    )
    paused = {str(row[0]): row[1] for row in rows}
    assert paused["T0BETA"] is None
    assert paused["T0ALPHA"] is not None and "uninstalled" in paused["T0ALPHA"]
    assert [record.team_key for record in await pg_store.installations.all()] == ["T0BETA"]


async def test_the_bot_starts_slack_with_oauth_on_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    """No refusal before start: the app builds on PostgreSQL (the adapters are replaced by one
    that returns at once, so the run ends by itself)."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        quizbot_database=postgres_url,  # type: ignore[arg-type]  # a URL: kept as postgres_url
        quizbot_heartbeat_file=tmp_path / "bot.heartbeat",
        slack_client_id="1.2",
        slack_client_secret="s",
        slack_signing_secret="x",
    )

    async def stops_at_once(engine: QuizEngine, settings: Settings) -> None:
        assert isinstance(engine.store, PostgresStore)
        assert SlackWorkspaces(settings, engine.store).rows is engine.store.installations

    assert await run(settings, adapters={"slack": stops_at_once}) == 1
