"""Operations tests see no platform or Quizbot setting from the outer environment."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_platform_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from what each test passes."""
    for key in list(os.environ):
        if key.startswith(("DISCORD_", "SLACK_", "QUIZBOT_")):
            monkeypatch.delenv(key)
