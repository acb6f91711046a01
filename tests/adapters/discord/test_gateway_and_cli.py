"""Gateway smoke test (run_discord over a fake websocket), command sync, invite URL and CLI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
from pathlib import Path

import pytest

from bot.adapters.discord import invite_url, run_discord, sync_commands
from bot.commands import discord as discord_cli
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import GUILD, Driver
from tests.fakes.discord_api import APP_ID, FakeDiscord

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


async def test_run_discord_identifies_without_privileged_intents_and_serves(
    engine: QuizEngine, settings: Settings, fake: FakeDiscord
) -> None:
    task = asyncio.create_task(run_discord(engine, settings))
    try:
        await asyncio.wait_for(fake.gateway_identified.wait(), 5)
        [identify] = fake.identify
        assert identify["token"] == "fake-token"
        assert identify["intents"] & PRIVILEGED == 0
        assert identify["intents"] == 1  # guilds only
        payload = Driver.payload(
            2,
            {"id": "1", "name": "stats", "type": 1, "guild_id": GUILD, "options": []},
        )
        fake.open_interaction(
            payload["id"], payload["token"], payload["channel_id"], payload["member"]["user"]
        )
        await fake.push("INTERACTION_CREATE", payload)
        await fake.answered(payload["token"])
        assert "Stats for Alice" in (fake.original(payload["token"]) or {})["embeds"][0]["title"]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_sync_commands_to_a_guild(settings: Settings, fake: FakeDiscord) -> None:
    names = await sync_commands(settings, int(GUILD))
    assert sorted(names) == ["interview", "leaderboard", "quiz", "quiz-admin", "review", "stats"]
    [put] = fake.calls("PUT", f"/applications/{APP_ID}/guilds/{GUILD}/commands")
    admin = next(c for c in put.body if c["name"] == "quiz-admin")
    assert int(admin["default_member_permissions"]) == 0x20
    quiz = next(c for c in put.body if c["name"] == "quiz")
    mode = next(o for o in quiz["options"] if o["name"] == "mode")
    assert {c["value"] for c in mode["choices"]} == {"choice", "open"}


async def test_invite_url_has_scopes_and_minimal_permissions(settings: Settings) -> None:
    url = await invite_url(settings)
    assert f"client_id={APP_ID}" in url
    assert "scope=bot+applications.commands" in url
    assert "permissions=268520448" in url


def test_cli_without_token_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(str(pytest.importorskip("pathlib").Path(__file__).parent))
    parser = argparse.ArgumentParser()
    discord_cli.register(parser.add_subparsers())
    for argv in (["discord", "sync", "--guild", "5"], ["discord", "invite-url"]):
        args = parser.parse_args(argv)
        assert args.func(args) == 2
        assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("argv", [["discord", "sync"], ["discord", "invite-url"]])
def test_cli_without_network_prints_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.chdir(str(Path(__file__).parent))
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("DISCORD_API_BASE_URL", f"http://127.0.0.1:{_closed_port()}/api/v10")
    parser = argparse.ArgumentParser()
    discord_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    assert args.func(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("quizbot: error: cannot reach http://127.0.0.1:")
    assert "Traceback" not in captured.err
