"""Settings: .env.example documents every setting; half-configured platforms are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, check_judge, check_platforms, load_settings
from tests.ops.support import ROOT, clean_env, make_settings, quizbot


def test_env_example_lists_every_setting_with_a_comment() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    for name in Settings.model_fields:
        pattern = re.compile(rf"^#?\s*{name.upper()}=")
        found = [i for i, line in enumerate(lines) if pattern.match(line)]
        assert found, f"{name.upper()} is missing from .env.example"
        assert lines[found[0] - 1].startswith("#"), f"{name.upper()} has no comment above it"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"slack_bot_token": "xoxb-1"}, "SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET"),
        ({"slack_app_token": "xapp-1"}, "SLACK_APP_TOKEN set but SLACK_BOT_TOKEN is missing"),
        ({"slack_signing_secret": "s"}, "SLACK_SIGNING_SECRET set but SLACK_BOT_TOKEN is missing"),
    ],
)
def test_half_configured_slack_is_refused(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        check_platforms(make_settings(tmp_path / "q.db", **values))


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"discord_token": "t"},
        {"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"},
        {"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"},
    ],
)
def test_complete_configurations_pass(tmp_path: Path, values: dict[str, str]) -> None:
    check_platforms(make_settings(tmp_path / "q.db", **values))


def test_quizbot_with_half_slack_exits_2_naming_what_is_missing(tmp_path: Path) -> None:
    secret = "xoxb-123-456-abcdefSECRET"
    result = quizbot(cwd=tmp_path, env=clean_env(SLACK_BOT_TOKEN=secret))
    assert result.returncode == 2
    assert result.stderr.startswith("quizbot: error: SLACK_BOT_TOKEN is set but SLACK_APP_TOKEN")
    assert secret not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists()


def test_log_format_is_validated(tmp_path: Path) -> None:
    result = quizbot("health", cwd=tmp_path, env=clean_env(QUIZBOT_LOG_FORMAT="xml"))
    assert result.returncode == 1 and "QUIZBOT_LOG_FORMAT" in result.stdout


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"quizbot_llm_url": "http://localhost:11434/v1"},
            "QUIZBOT_LLM_URL set but QUIZBOT_LLM_MODEL is missing",
        ),
        ({"quizbot_llm_model": "llama3.2"}, "QUIZBOT_LLM_MODEL set but QUIZBOT_LLM_URL is missing"),
        (
            {"quizbot_llm_api_key": "sk-1"},
            "QUIZBOT_LLM_API_KEY set but QUIZBOT_LLM_URL and QUIZBOT_LLM_MODEL are missing",
        ),
    ],
)
def test_half_configured_llm_judge_is_refused(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        check_judge(make_settings(tmp_path / "q.db", **values))


def test_llm_judge_settings_are_validated_and_its_key_is_a_secret(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "q.db",
        quizbot_llm_url="http://localhost:11434/v1/",
        quizbot_llm_model="llama3.2",
        quizbot_llm_api_key="sk-secret",
    )
    check_judge(settings)
    assert settings.judge_enabled and settings.quizbot_llm_url == "http://localhost:11434/v1"
    assert settings.quizbot_llm_timeout_seconds == 5.0
    assert "sk-secret" in settings.secrets()
    blank = make_settings(tmp_path / "q.db", quizbot_llm_url=" ", quizbot_llm_model="")
    check_judge(blank)
    assert not blank.judge_enabled
    with pytest.raises(ConfigError, match=r"invalid setting QUIZBOT_LLM_URL: .*http:// or"):
        load_settings(_env_file=None, quizbot_llm_url="localhost:11434")
    with pytest.raises(ConfigError, match="invalid setting QUIZBOT_LLM_TIMEOUT_SECONDS"):
        load_settings(_env_file=None, quizbot_llm_timeout_seconds=0)


def test_quizbot_with_half_llm_judge_exits_2_with_one_line(tmp_path: Path) -> None:
    result = quizbot(
        "console", cwd=tmp_path, env=clean_env(QUIZBOT_LLM_URL="http://localhost:11434/v1")
    )
    assert result.returncode == 2
    assert result.stderr == (
        "quizbot: error: QUIZBOT_LLM_URL set but QUIZBOT_LLM_MODEL is missing: "
        "the LLM judge needs both (or neither, to grade offline)\n"
    )
    assert not (tmp_path / "data").exists()
