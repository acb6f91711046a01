"""A setting with a fixed set of values takes any case, as typed options do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("name", "typed", "meant"),
    [
        ("QUIZBOT_LOG_LEVEL", "debug", "DEBUG"),
        ("QUIZBOT_LOG_LEVEL", " Warning ", "WARNING"),
        ("QUIZBOT_LOG_FORMAT", "JSON", "json"),
        ("QUIZBOT_EVENT_LOOP", "AsyncIO", "asyncio"),
    ],
)
def test_a_choice_in_any_case(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, typed: str, meant: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv(name, typed)
    assert getattr(load_settings(), name.lower()) == meant


def test_an_unknown_choice_is_still_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_LOG_LEVEL", "verbose")
    with pytest.raises(ConfigError, match="QUIZBOT_LOG_LEVEL"):
        load_settings()
