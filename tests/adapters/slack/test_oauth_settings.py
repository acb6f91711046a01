"""Settings of Slack distributed with OAuth: half-configured ones refused at start with a
clear message, a malformed QUIZBOT_SECRET_KEY refused; ``quizbot doctor`` checks the OAuth
credentials and lists the installed workspaces."""

from __future__ import annotations

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.commands.doctor import check_settings, check_slack_oauth
from bot.config import ConfigError, Settings, check_platforms, load_settings
from bot.engine.engine import QuizEngine
from storage.store import Store
from tests.adapters.slack.helpers import BOT_TOKEN, SECRET
from tests.adapters.slack.oauth_helpers import ALPHA, BETA, oauth_settings, serve_oauth
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlack


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"slack_client_id": CLIENT_ID}, "SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET are"),
        (
            {"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET},
            "SLACK_SIGNING_SECRET is missing",
        ),
        (
            {"slack_client_secret": CLIENT_SECRET, "slack_signing_secret": SECRET},
            "SLACK_CLIENT_ID is missing",
        ),
        (
            {
                "slack_client_id": CLIENT_ID,
                "slack_client_secret": CLIENT_SECRET,
                "slack_signing_secret": SECRET,
                "slack_bot_token": BOT_TOKEN,
            },
            "choose one workspace",
        ),
        (
            {
                "slack_client_id": CLIENT_ID,
                "slack_client_secret": CLIENT_SECRET,
                "slack_signing_secret": SECRET,
                "slack_app_token": "xapp-1",
            },
            "runs in HTTP mode",
        ),
        ({"slack_redirect_uri": "https://x.example/slack/oauth_redirect"}, "belongs to the OAuth"),
    ],
)
def test_half_configured_oauth_is_refused(given: dict[str, str], message: str) -> None:
    settings = load_settings(_env_file=None, **given)
    with pytest.raises(ConfigError, match=message):
        check_platforms(settings)


def test_complete_oauth_settings_enable_slack() -> None:
    settings = load_settings(
        _env_file=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SECRET,
    )
    check_platforms(settings)
    assert settings.slack_enabled and settings.slack_oauth
    [line] = check_settings(settings)
    assert line.detail == "platforms: slack (Slack over HTTP, distributed with OAuth)"
    assert CLIENT_SECRET in settings.secrets()  # redacted from logs


def test_a_malformed_secret_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="QUIZBOT_SECRET_KEY: not a Fernet key"):
        load_settings(_env_file=None, quizbot_secret_key="not-a-key")
    key = Fernet.generate_key().decode()
    assert load_settings(_env_file=None, quizbot_secret_key=key).quizbot_secret_key == key


async def slack_lines(settings: Settings) -> list[tuple[str, str]]:
    """``quizbot doctor``'s Slack lines (status, detail)."""
    async with aiohttp.ClientSession() as session:
        checks = await check_slack_oauth(settings, session)
    return [(check.status, check.detail) for check in checks]


async def test_doctor_checks_the_credentials_and_lists_the_workspaces(
    engine: QuizEngine, slack: FakeSlack, store: Store
) -> None:
    settings = oauth_settings(slack, quizbot_database=store.path)
    assert (await slack_lines(settings))[1:] == [("warn", "no workspace has installed Quizbot yet")]
    async with serve_oauth(engine, slack) as server:
        await server.browser.install(ALPHA)
        await server.new_browser().install(BETA)
    lines = await slack_lines(settings)
    assert lines[0] == ("ok", "OAuth client id and secret accepted")
    assert [detail.split(" since ")[0] for _, detail in lines[1:3]] == [
        "installed in workspace Alpha (T0ALPHA)",
        "installed in workspace Beta (T0BETA)",
    ]
    assert lines[3] == ("warn", "2 workspace token(s) stored in clear in the database")

    keyed = oauth_settings(
        slack, quizbot_database=store.path, quizbot_secret_key=Fernet.generate_key().decode()
    )
    assert (await slack_lines(keyed))[3][0] == "warn"  # saved before the key

    wrong = settings.model_copy(update={"slack_client_secret": "wrong"})
    [refused] = await slack_lines(wrong)
    assert refused == (
        "FAIL",
        "Slack rejected SLACK_CLIENT_ID / SLACK_CLIENT_SECRET (invalid_client_id)",
    )
