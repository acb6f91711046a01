"""Per-workspace tokens: refreshed before they expire (also for scheduled posts, which have no
request), never refreshed twice with one refresh token, encrypted at rest; Enterprise Grid
org-wide installs."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet

from bot.adapters.slack.oauth import SlackWorkspaces
from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Team
from bot.token_cipher import TokenCipherError
from storage.store import Store
from tests.adapters.slack.helpers import FORM, answer_buttons, click_payload, command_form
from tests.adapters.slack.oauth_helpers import ALPHA, BETA, oauth_settings, serve_oauth
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack, Workspace

TWELVE_HOURS = 12 * 3600.0
GRID = Workspace("T0GRID1", "Grid One", enterprise_id="E0GRID", org_wide=True)


def refreshes(slack: FakeSlack) -> list[str]:
    """The refresh tokens Quizbot presented to oauth.v2.access."""
    return [
        str(call.args["refresh_token"])
        for call in slack.calls_to("oauth.v2.access")
        if call.args.get("grant_type") == "refresh_token"
    ]


async def test_an_expired_token_is_refreshed_before_a_scheduled_post(
    engine: QuizEngine, slack: FakeSlack, store: Store, clock: FakeClock
) -> None:
    slack.rotation_s = 60  # the installation's token expires within the refresh window...
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
    [old] = slack.tokens_of(ALPHA)
    [(old_refresh,)] = await store.fetchall("SELECT bot_refresh_token FROM slack_installations")
    slack.expire(ALPHA)  # ...and has expired by the time of the daily slot
    slack.rotation_s = TWELVE_HOURS
    general = Channel(Team("slack", ALPHA.team_id), "C1GENERAL", "general")
    await engine.daily.set_schedule(general, time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    service = DailyService(engine)
    assert await service.run_slot(record, last_slot(spec_of(record), clock())) == "queued"
    await engine.publications.drain()
    [post] = slack.calls_to("chat.postMessage")
    new = slack.tokens_of(ALPHA)[-1]
    assert post.token == new != old and slack.token_works(new)
    assert refreshes(slack) == [old_refresh]
    [(token, refresh)] = await store.fetchall(
        "SELECT bot_token, bot_refresh_token FROM slack_installations"
    )
    assert token == new and refresh not in (None, old_refresh)


async def test_a_request_refreshes_an_expiring_token_first(
    engine: QuizEngine, slack: FakeSlack
) -> None:
    slack.rotation_s = 60
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
        [old] = slack.tokens_of(ALPHA)
        slack.rotation_s = TWELVE_HOURS
        await server.client.command("/quiz", "alpha easy", team_id=ALPHA.team_id)
        await server.quiz.drain()
        await server.client.command("/stats", "", team_id=ALPHA.team_id)
        await server.quiz.drain()
    new = slack.tokens_of(ALPHA)[-1]
    [post] = slack.calls_to("chat.postMessage")
    assert post.token == new != old
    assert len(refreshes(slack)) == 1  # the second request found the fresh token


async def test_two_processes_never_spend_one_refresh_token_twice(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    slack.rotation_s = 60
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
    slack.rotation_s = TWELVE_HOURS
    other = await Store.open(store.path)  # another process's connection to the database
    try:
        here = SlackWorkspaces(oauth_settings(slack), store).tokens
        there = SlackWorkspaces(oauth_settings(slack), other).tokens
        tokens = await asyncio.gather(
            *(tokens.bot_token(ALPHA.team_id) for tokens in (here, there, here, there))
        )
    finally:
        await other.close()
    assert len(refreshes(slack)) == 1
    assert all(slack.token_works(token) for token in tokens)
    assert slack.tokens_of(ALPHA)[-1] in tokens


async def test_a_process_waits_for_the_new_token_when_the_old_one_has_expired(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    slack.rotation_s = 60
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
    slack.rotation_s = TWELVE_HOURS
    slack.expire(ALPHA)
    # hours later: the stored token's expiry has passed too
    await store.execute_write(
        "UPDATE slack_installations SET bot_token_expires_at = bot_token_expires_at - 3600"
    )
    other = await Store.open(store.path)
    try:
        here = SlackWorkspaces(oauth_settings(slack), store).tokens
        there = SlackWorkspaces(oauth_settings(slack), other).tokens
        tokens = await asyncio.gather(here.bot_token(ALPHA.team_id), there.bot_token(ALPHA.team_id))
    finally:
        await other.close()
    new = slack.tokens_of(ALPHA)[-1]
    assert tokens == [new, new] and slack.token_works(new)
    assert len(refreshes(slack)) == 1


async def test_tokens_are_encrypted_at_rest_with_the_secret_key(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    key = Fernet.generate_key().decode()
    settings = oauth_settings(slack, quizbot_secret_key=key)
    async with serve_oauth(engine, slack, settings) as server:
        await server.browser.install(ALPHA)
        await server.client.command("/quiz", "alpha easy", team_id=ALPHA.team_id)
        await server.quiz.drain()
    [token] = slack.tokens_of(ALPHA)
    [(stored,)] = await store.fetchall("SELECT bot_token FROM slack_installations")
    assert stored.startswith("fernet:") and token not in stored
    assert Fernet(key.encode()).decrypt(stored.removeprefix("fernet:")).decode() == token
    assert slack.calls_to("chat.postMessage")[0].token == token
    another_key = oauth_settings(slack, quizbot_secret_key=Fernet.generate_key().decode())
    with pytest.raises(TokenCipherError, match="saved with another key"):
        await SlackWorkspaces(another_key, store).tokens.bot_token(ALPHA.team_id)
    with pytest.raises(TokenCipherError, match="QUIZBOT_SECRET_KEY is not set"):
        await SlackWorkspaces(oauth_settings(slack), store).tokens.bot_token(ALPHA.team_id)


async def test_an_org_wide_install_serves_its_workspaces_with_the_org_token(
    engine: QuizEngine, slack: FakeSlack, store: Store, clock: FakeClock
) -> None:
    async with serve_oauth(engine, slack) as server:
        page = await server.browser.install(GRID)
        assert page.status == 200
        keys = await store.fetchall(
            "SELECT team_key, team_id, enterprise_id, is_enterprise_install "
            "FROM slack_installations"
        )
        assert keys == [("E0GRID", None, "E0GRID", 1)]
        form = command_form(slack, "/quiz", "alpha easy", team_id=GRID.team_id)
        form.update(enterprise_id="E0GRID", is_enterprise_install="true")
        assert (await server.client.post(urlencode(form), FORM)).status == 200
        await server.quiz.drain()
    [org_token] = slack.tokens_of(GRID)
    [post] = slack.calls_to("chat.postMessage")
    assert post.token == org_token
    # a scheduled post to that workspace, with no request to go by, finds the org's token
    general = Channel(Team("slack", GRID.team_id), "C2GRID", "grid-general")
    await engine.daily.set_schedule(general, time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    service = DailyService(engine)
    assert await service.run_slot(record, last_slot(spec_of(record), clock())) == "queued"
    await engine.publications.drain()
    assert slack.calls_to("chat.postMessage")[-1].token == org_token


async def test_daily_posts_count_edits_and_reveals_use_their_own_workspace_s_token(
    engine: QuizEngine, slack: FakeSlack, clock: FakeClock
) -> None:
    async with serve_oauth(engine, slack) as server:
        for workspace in (ALPHA, BETA):
            await server.new_browser().install(workspace)
            channel = Channel(Team("slack", workspace.team_id), f"C1{workspace.team_id}", "quiz")
            await engine.daily.set_schedule(channel, time_of_day="17:00", timezone="Europe/Berlin")
        service = DailyService(engine)
        await service.start(jobs=False)
        assert sorted(await service.catch_up("slack")) == ["queued", "queued"]
        await engine.publications.drain()
        posts = {call.args["channel"]: call for call in slack.calls_to("chat.postMessage")}
        for workspace in (ALPHA, BETA):
            post = posts[f"C1{workspace.team_id}"]
            value = next(iter(answer_buttons(post).values()))
            await server.client.interact(
                click_payload(
                    slack, value, team_id=workspace.team_id, channel_id=f"C1{workspace.team_id}"
                )
            )
            await server.quiz.drain()
        assert await service.refresh_counts() == 2  # the live answer counts
        await engine.publications.drain()
        clock.advance(24 * 3600)
        assert sorted(await service.catch_up("slack")) == ["queued", "queued"]  # reveals first
        await engine.publications.drain()
        await service.stop()
    owner = {f"C1{w.team_id}": slack.tokens_of(w) for w in (ALPHA, BETA)}
    sent = [c for c in slack.calls if c.method in ("chat.postMessage", "chat.update")]
    assert len(sent) == 8  # per workspace: post, count edit, reveal edit, next post
    assert all(call.token in owner[call.args["channel"]] for call in sent)
