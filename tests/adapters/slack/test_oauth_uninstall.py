"""Uninstalls and revoked tokens, delivered as signed HTTP events: the installation goes, the
workspace's daily schedules pause, its scores and history stay; a revoked workspace's slot
posts nothing."""

from __future__ import annotations

import logging

import pytest

from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from storage.store import Store
from tests.adapters.slack.helpers import answer_buttons, click_payload
from tests.adapters.slack.oauth_helpers import (
    ALPHA,
    BETA,
    OAuthServer,
    event_body,
    serve_oauth,
    uninstall_event,
)
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack, Workspace

GRID = Workspace("T0GRID1", "Grid One", enterprise_id="E0GRID", org_wide=True)


def general(workspace: Workspace) -> Channel:
    return Channel(Team("slack", workspace.team_id), f"C1{workspace.team_id}", "general")


async def play_once(server: OAuthServer, slack: FakeSlack, workspace: Workspace) -> None:
    """A round in the workspace's general channel, answered once (scores and history)."""
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


async def paused(store: Store) -> dict[str, str | None]:
    rows = await store.fetchall(
        "SELECT t.external_id, s.paused FROM daily_schedules s JOIN teams t ON t.id = s.team_id"
    )
    return {str(team): reason for team, reason in rows}


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
async def test_an_uninstall_removes_the_installation_and_pauses_the_daily_schedules(
    kind: str,
    engine: QuizEngine,
    slack: FakeSlack,
    store: Store,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with serve_oauth(engine, slack) as server:
        for workspace in (ALPHA, BETA):
            await server.new_browser().install(workspace)
            await play_once(server, slack, workspace)
            await engine.daily.set_schedule(
                general(workspace), time_of_day="17:00", timezone="Europe/Berlin"
            )
        slack.revoke(ALPHA)
        before = len(slack.calls)
        with caplog.at_level(logging.INFO, logger="bot"):
            reply = await server.client.post(uninstall_event(ALPHA, kind), "application/json")
            assert reply.status == 200
            await server.quiz.drain()
            service = DailyService(engine)
            outcomes = await service.catch_up("slack")  # the day's slots
            await engine.publications.drain()
    assert await store.fetchall("SELECT team_key FROM slack_installations") == [("T0BETA",)]
    reasons = await paused(store)
    assert reasons["T0BETA"] is None and "Quizbot" in str(reasons["T0ALPHA"])
    assert outcomes == ["queued"]
    daily_post = slack.calls_to("chat.postMessage")[-1]
    assert daily_post.token in slack.tokens_of(BETA)
    assert all(call.token not in slack.tokens_of(ALPHA) for call in slack.calls[before:])
    # scores and history are kept
    [(answers,)] = await store.fetchall(
        "SELECT COUNT(*) FROM answers a JOIN rounds r ON r.id = a.round_id "
        "JOIN teams t ON t.id = r.team_id WHERE t.external_id = 'T0ALPHA'"
    )
    assert answers == 1
    about_alpha = [r for r in caplog.records if "T0ALPHA" in r.getMessage()]
    assert len(about_alpha) == 1, [r.getMessage() for r in about_alpha]
    assert "1 daily schedule(s) paused" in about_alpha[0].getMessage()
    assert "quizbot db forget --team slack:T0ALPHA" in about_alpha[0].getMessage()


async def test_a_command_from_an_uninstalled_workspace_asks_to_reinstall(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
        slack.revoke(ALPHA)
        await server.client.post(uninstall_event(ALPHA), "application/json")
        reply = await server.client.command("/quiz", "alpha easy", team_id=ALPHA.team_id)
        await server.quiz.drain()
    assert reply.status == 200
    [notice] = slack.calls_to("response_url")
    assert "reinstall" in str(notice.args.get("text"))
    assert slack.calls_to("chat.postMessage") == []
    assert await store.fetchall("SELECT id FROM rounds") == []


async def test_a_user_token_revoked_changes_nothing(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
        body = (
            uninstall_event(ALPHA, "tokens_revoked")
            .replace('"bot": ["U0BOTT0ALPHA"]', '"bot": []')
            .replace('"oauth": []', '"oauth": ["U0ADMIN"]')
        )
        assert (await server.client.post(body, "application/json")).status == 200
    assert await store.fetchall("SELECT team_key FROM slack_installations") == [("T0ALPHA",)]


async def test_an_unsigned_uninstall_is_refused(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
        reply = await server.client.post(
            uninstall_event(ALPHA), "application/json", signature="v0=" + "0" * 64
        )
    assert reply.status == 401
    assert await store.fetchall("SELECT team_key FROM slack_installations") == [("T0ALPHA",)]


async def test_a_revoked_workspace_s_daily_slot_posts_nothing_and_logs_one_line(
    engine: QuizEngine,
    slack: FakeSlack,
    store: Store,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
    await engine.daily.set_schedule(general(ALPHA), time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    slack.revoke(ALPHA)  # revoked while Quizbot was not listening: no event came
    service = DailyService(engine)
    with caplog.at_level(logging.INFO, logger="bot"):
        outcome = await service.run_slot(record, last_slot(spec_of(record), clock()))
        await engine.publications.drain()
    assert outcome == "queued"
    assert len(slack.calls_to("chat.postMessage")) == 1  # refused by Slack, not retried
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "paused the schedule of channel C1T0ALPHA" in lines[0], lines
    assert (await paused(store))["T0ALPHA"] is not None


async def test_an_uninstalled_workspace_s_slot_posts_nothing(
    engine: QuizEngine,
    slack: FakeSlack,
    store: Store,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
    await engine.daily.set_schedule(general(ALPHA), time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    await store.execute_write("DELETE FROM slack_installations")  # gone, schedule not paused
    service = DailyService(engine)
    with caplog.at_level(logging.INFO, logger="bot"):
        outcome = await service.run_slot(record, last_slot(spec_of(record), clock()))
        await engine.publications.drain()
    assert outcome == "queued" and slack.calls_to("chat.postMessage") == []
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "not installed in Slack workspace T0ALPHA" in lines[0], lines


async def test_an_org_wide_uninstall_pauses_every_workspace_of_the_org(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(GRID)
        home = {"type": "app_home_opened", "user": "U1ALICE", "tab": "home"}
        await server.client.post(event_body(GRID, home), "application/json")
        await server.quiz.drain()
        [publish] = slack.calls_to("views.publish")
        assert publish.token in slack.tokens_of(GRID)
        await engine.daily.set_schedule(
            general(GRID), time_of_day="17:00", timezone="Europe/Berlin"
        )
        reply = await server.client.post(uninstall_event(GRID), "application/json")
        assert reply.status == 200
    assert await store.fetchall("SELECT team_key FROM slack_installations") == []
    assert (await paused(store))["T0GRID1"] is not None
