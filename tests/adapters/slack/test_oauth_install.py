"""Slack distributed with OAuth: "Add to Slack", the redirect, single-use states, and two
workspaces served side by side, each with its own token and its own rounds (real HTTP)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from bot.adapters.slack.installations import QuizbotStateStore
from bot.adapters.slack.oauth import BOT_SCOPES
from bot.engine.engine import QuizEngine
from storage.installation_store import InstallationStore
from storage.store import Store
from tests.adapters.slack.helpers import answer_buttons, click_payload, dumped, response_texts
from tests.adapters.slack.oauth_helpers import ALPHA, BETA, REDIRECT_URI, serve_oauth
from tests.conftest import FakeClock
from tests.fakes.slack_api import CLIENT_ID, FakeSlack

BOB = {"user_id": "U2BOB", "user_name": "bob"}
MANIFEST = Path(__file__).parents[3] / "slack-manifest.yaml"


def manifest_scopes() -> list[str]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


async def test_install_page_links_to_slack_with_the_manifest_scopes_and_a_state(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        url = await server.browser.start()
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://slack.com/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == manifest_scopes() == list(BOT_SCOPES)
    assert query["redirect_uri"] == [REDIRECT_URI]
    [state] = query["state"]
    assert server.browser.cookie == f"slack-app-oauth-state={state}"
    stored = await store.fetchall("SELECT state FROM slack_oauth_states")
    assert stored == [(state,)]


async def test_two_workspaces_each_use_their_own_token_and_see_only_their_own(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        alpha_page = await server.browser.install(ALPHA)
        beta_page = await server.new_browser().install(BETA)
        assert alpha_page.status == 200 and "Quizbot is installed in Alpha" in alpha_page.text
        assert beta_page.status == 200 and "Quizbot is installed in Beta" in beta_page.text
        [alpha_token], [beta_token] = slack.tokens_of(ALPHA), slack.tokens_of(BETA)
        assert alpha_token not in alpha_page.text  # a token is never shown
        keys = await store.fetchall("SELECT team_key FROM slack_installations ORDER BY 1")
        assert keys == [("T0ALPHA",), ("T0BETA",)]

        client, quiz = server.client, server.quiz
        await client.command("/quiz", "alpha easy", team_id="T0ALPHA", user_id="U1ALICE")
        await quiz.drain()
        await client.command("/quiz", "alpha easy", team_id="T0BETA", **BOB)
        await quiz.drain()
        alpha_post, beta_post = slack.calls_to("chat.postMessage")
        assert (alpha_post.token, beta_post.token) == (alpha_token, beta_token)

        # Bob (Beta) presses a button of Alpha's round: unknown to Beta
        alpha_value = next(iter(answer_buttons(alpha_post).values()))
        beta_value = next(iter(answer_buttons(beta_post).values()))
        await client.interact(click_payload(slack, alpha_value, team_id="T0BETA", **BOB))
        await quiz.drain()
        assert response_texts(slack)[-1] == "This question is unknown here."
        for value, team_id, sender in (
            (beta_value, "T0BETA", BOB),
            (alpha_value, "T0ALPHA", {}),
        ):
            await client.interact(click_payload(slack, value, team_id=team_id, **sender))
            await quiz.drain()
            assert "points" in response_texts(slack)[-1]

        await client.command("/leaderboard", "", team_id="T0ALPHA", user_id="U1ALICE")
        await quiz.drain()
        alpha_board = slack.calls_to("response_url")[-1]
        await client.command("/leaderboard", "", team_id="T0BETA", **BOB)
        await quiz.drain()
        beta_board = slack.calls_to("response_url")[-1]
        assert "1. alice" in dumped(alpha_board) and "bob" not in dumped(alpha_board)
        assert "1. bob" in dumped(beta_board) and "alice" not in dumped(beta_board)

        for team_id, user_id in (("T0ALPHA", "U1ALICE"), ("T0BETA", BOB["user_id"])):
            home = {"type": "app_home_opened", "user": user_id, "tab": "home"}
            await client.event(home, team_id=team_id)
            await quiz.drain()
        alpha_home, beta_home = slack.calls_to("views.publish")
        assert (alpha_home.token, beta_home.token) == (alpha_token, beta_token)
        assert "bob" not in dumped(alpha_home) and "bob" in dumped(beta_home)
        assert slack.errors == []


async def test_a_forged_or_replayed_state_is_refused(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    async with serve_oauth(engine, slack) as server:
        forger = server.new_browser()
        forger.cookie = "slack-app-oauth-state=forged"
        forged = await forger.get(
            "/slack/oauth_redirect", {"code": slack.approve(ALPHA), "state": "forged"}
        )
        assert forged.status == 401 and "expired or was already used" in forged.text
        assert "Start the installation again" in forged.text

        browser = server.browser
        url = await browser.start()
        state = parse_qs(urlsplit(url).query)["state"][0]
        cookie = browser.cookie
        stranger = await server.new_browser().get(
            "/slack/oauth_redirect", {"code": slack.approve(ALPHA), "state": state}
        )
        assert stranger.status == 400 and "another browser" in stranger.text  # no cookie

        first = await browser.get(
            "/slack/oauth_redirect", {"code": slack.approve(ALPHA), "state": state}
        )
        assert first.status == 200
        browser.cookie = cookie  # replayed with the original cookie
        replay = await browser.get(
            "/slack/oauth_redirect", {"code": slack.approve(BETA), "state": state}
        )
        assert replay.status == 401 and "expired or was already used" in replay.text
    exchanges = [c for c in slack.calls_to("oauth.v2.access") if "code" in c.args]
    assert len(exchanges) == 1  # only the genuine redirect reached Slack
    assert await store.fetchall("SELECT team_key FROM slack_installations") == [("T0ALPHA",)]


async def test_a_cancelled_install_says_so(engine: QuizEngine, slack: FakeSlack) -> None:
    async with serve_oauth(engine, slack) as server:
        await server.browser.start()
        page = await server.browser.get(
            "/slack/oauth_redirect", {"error": "access_denied", "state": "x"}
        )
    assert page.status == 200 and "cancelled in Slack" in page.text
    assert slack.calls_to("oauth.v2.access") == []


async def test_states_are_single_use_and_expire_after_ten_minutes(
    store: Store, clock: FakeClock
) -> None:
    states = QuizbotStateStore(InstallationStore(store), clock)
    used, expiring = await states.async_issue(), await states.async_issue()
    assert used != expiring
    assert await states.async_consume(used)
    assert not await states.async_consume(used)
    clock.advance(600)
    assert not await states.async_consume(expiring)
    assert not await states.async_consume("never-issued")
    assert await store.fetchall("SELECT state FROM slack_oauth_states") == []
