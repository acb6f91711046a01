"""The shipped app manifest, and ``run_slack`` in HTTP mode."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import yaml

from bot.adapters.slack import run_slack
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.slack.helpers import BOT_TOKEN, FORM, SECRET, SlackClient, command_form
from tests.fakes.slack_api import FakeSlack

MANIFEST = Path(__file__).parents[3] / "slack-manifest.yaml"


def test_manifest_declares_what_the_app_handles() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {
        "/quiz",
        "/leaderboard",
        "/stats",
        "/quiz-admin",
        "/review",
        "/interview",
    }
    # escaped: Slack turns a picked #channel / @user into <#C…|name> / <@U…|name>, the only
    # form the parsers accept; /quiz and /interview take plain words (a category is no channel)
    escape = {name: command["should_escape"] for name, command in commands.items()}
    assert escape == {
        "/quiz": False,
        "/leaderboard": True,
        "/stats": True,
        "/review": True,
        "/interview": False,
        "/quiz-admin": True,
    }
    admin = commands["/quiz-admin"]
    assert "daily" in admin["description"] and "daily" in admin["usage_hint"]
    assert all(len(c["usage_hint"]) <= 1000 for c in commands.values())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "users:read"} <= scopes
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    ]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_run_slack_http_mode_serves_until_cancelled(
    engine: QuizEngine, slack: FakeSlack
) -> None:
    port = _free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        quizbot_http_host="127.0.0.1",
        quizbot_http_port=port,
    )
    task = asyncio.create_task(run_slack(engine, settings))
    try:
        async with aiohttp.ClientSession() as session:
            client = SlackClient(session, f"http://127.0.0.1:{port}/slack/events", slack)
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    reply = await client.post(urlencode(command_form(slack, "/stats")), FORM)
                    break
                await asyncio.sleep(0.02)
            assert reply.status == 200
            [stats] = await slack.wait_for("response_url")
            assert "Stats for" in stats.args["text"]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
