"""``quizbot doctor`` against small loopback fakes of the Discord and Slack APIs."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.commands.doctor import render, run_checks
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import load_bank
from storage.store import Store
from tests.fakes.llm_api import FakeLlm
from tests.ops.support import answer_round, clean_env, make_settings, quizbot

DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.good-discord-token-abcdefghijk"
SLACK_TOKEN = "xoxb-1-2-good-slack-token"


async def _users_me(request: web.Request) -> web.Response:
    if request.headers.get("Authorization") != f"Bot {DISCORD_TOKEN}":
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
    return web.json_response({"id": "42", "username": "quizbot"})


async def _auth_test(request: web.Request) -> web.Response:
    if request.headers.get("Authorization") != f"Bearer {SLACK_TOKEN}":
        return web.json_response({"ok": False, "error": "invalid_auth"})
    return web.json_response({"ok": True, "user": "quizbot", "team": "Acme"})


@pytest.fixture
async def api() -> AsyncIterator[str]:
    """Base URL of a fake serving Discord's /api/v10/users/@me and Slack's /api/auth.test."""
    app = web.Application()
    app.router.add_get("/discord/api/v10/users/@me", _users_me)
    app.router.add_post("/slack/api/auth.test", _auth_test)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def _database(path: Path) -> Path:
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, load_bank(), rng=random.Random(1))
        await answer_round(engine, Team("console", "local"), ["a"], "g")
    finally:
        await store.close()
    return path


def _platforms(api: str, discord: str, slack: str) -> dict[str, str]:
    return {
        "discord_token": discord,
        "discord_api_base_url": f"{api}/discord/api/v10",
        "slack_bot_token": slack,
        "slack_app_token": "xapp-1-A1-good",
        "slack_api_url": f"{api}/slack/api/",
    }


async def test_everything_ok(api: str, tmp_path: Path) -> None:
    settings = make_settings(
        await _database(tmp_path / "q.db"), **_platforms(api, DISCORD_TOKEN, SLACK_TOKEN)
    )
    checks = await run_checks(settings)
    assert [(c.name, c.status) for c in checks] == [
        ("settings", "ok"),
        ("database", "ok"),
        ("questions", "ok"),
        ("discord", "ok"),
        ("slack", "ok"),
    ]
    report = render(checks, settings.secrets())
    assert "bot user quizbot" in report and "quizbot in Acme" in report
    assert report.endswith("all checks passed")


async def test_rejected_tokens_fail_with_a_fix_and_no_secret(api: str, tmp_path: Path) -> None:
    bad_discord = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.bad-discord-token-zzzzzzzzzzzzz"
    bad_slack = "xoxb-9-9-revoked"
    settings = make_settings(
        await _database(tmp_path / "q.db"), **_platforms(api, bad_discord, bad_slack)
    )
    checks = await run_checks(settings)
    failed = {c.name: c for c in checks if c.status == "FAIL"}
    assert set(failed) == {"discord", "slack"}
    assert "401" in failed["discord"].detail and "invalid_auth" in failed["slack"].detail
    report = render(checks, settings.secrets())
    assert "fix: reset the bot token" in report and "fix: reinstall the app" in report
    assert bad_discord not in report and bad_slack not in report
    assert report.endswith("2 check(s) failed")


async def test_unreachable_api_and_broken_database(tmp_path: Path) -> None:
    (tmp_path / "q.db").write_text("garbage")
    settings = make_settings(
        tmp_path / "q.db", discord_token="x", discord_api_base_url="http://127.0.0.1:9/api"
    )
    checks = await run_checks(settings)
    status = {c.name: c.status for c in checks}
    assert status == {"settings": "ok", "database": "FAIL", "questions": "ok", "discord": "FAIL"}
    assert "cannot reach" in next(c.detail for c in checks if c.name == "discord")


async def test_cli_exit_codes(api: str, tmp_path: Path) -> None:
    database = await _database(tmp_path / "q.db")
    good = clean_env(
        QUIZBOT_DATABASE=str(database),
        DISCORD_TOKEN=DISCORD_TOKEN,
        DISCORD_API_BASE_URL=f"{api}/discord/api/v10",
    )
    ok = await asyncio.to_thread(quizbot, "doctor", cwd=tmp_path, env=good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert DISCORD_TOKEN not in ok.stdout + ok.stderr
    half = clean_env(
        QUIZBOT_DATABASE=str(database),
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_API_URL=f"{api}/slack/api/",
    )
    bad = await asyncio.to_thread(quizbot, "doctor", cwd=tmp_path, env=half)
    assert bad.returncode == 1 and "FAIL settings: SLACK_BOT_TOKEN is set but" in bad.stdout
    assert "ok   slack: token accepted" in bad.stdout
    assert SLACK_TOKEN not in bad.stdout + bad.stderr


async def test_llm_judge_endpoint_and_model_are_checked(tmp_path: Path) -> None:
    key = "sk-judge-secret-key"
    database = await _database(tmp_path / "q.db")
    async with FakeLlm(models=("llama3.2:latest", "qwen2.5:7b"), api_key=key) as llm:
        good = make_settings(
            database, quizbot_llm_url=llm.url, quizbot_llm_model="llama3.2", quizbot_llm_api_key=key
        )
        checks = await run_checks(good)
        assert [(c.name, c.status) for c in checks][-1] == ("llm", "ok")
        report = render(checks, good.secrets())
        assert f"ok   llm: {llm.url} serves model llama3.2" in report and key not in report

        missing = make_settings(
            database, quizbot_llm_url=llm.url, quizbot_llm_model="mistral", quizbot_llm_api_key=key
        )
        [check] = [c for c in await run_checks(missing) if c.name == "llm"]
        assert check.status == "FAIL"
        assert check.detail == (
            f"model mistral is not served by {llm.url} (it serves: llama3.2:latest, qwen2.5:7b)"
        )
        assert check.fix.startswith("pull it (`ollama pull mistral`)")

        bad_key = make_settings(
            database, quizbot_llm_url=llm.url, quizbot_llm_model="llama3.2", quizbot_llm_api_key="x"
        )
        [check] = [c for c in await run_checks(bad_key) if c.name == "llm"]
        assert check.status == "FAIL" and "refused QUIZBOT_LLM_API_KEY (HTTP 401)" in check.detail
        assert "QUIZBOT_LLM_API_KEY" in check.fix
        assert llm.requests == []  # doctor lists models; it spends no completion
    gone = make_settings(database, quizbot_llm_url=llm.url, quizbot_llm_model="llama3.2")
    [check] = [c for c in await run_checks(gone) if c.name == "llm"]
    assert check.status == "FAIL" and check.detail.startswith(f"cannot reach {llm.url}")
    assert "QUIZBOT_LLM_URL" in check.fix


async def test_half_configured_llm_judge_fails_the_settings_check(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "q.db", quizbot_llm_model="llama3.2")
    checks = await run_checks(settings)
    assert checks[0].status == "FAIL" and "QUIZBOT_LLM_URL is missing" in checks[0].detail
    assert all(c.name != "llm" for c in checks)
