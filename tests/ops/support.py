"""Helpers for the operations tests: settings without a .env, a CLI runner, seeded data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team

ROOT = Path(__file__).resolve().parents[2]


def make_settings(database: Path, **values: object) -> Settings:
    """Settings for a test: no .env file, the given database."""
    return Settings(_env_file=None, quizbot_database=database, **values)  # type: ignore[call-arg]


def clean_env(**values: str) -> dict[str, str]:
    """The environment without any Quizbot / platform setting, plus ``values``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "SLACK_", "QUIZBOT_"))
    }
    env.update(values)
    return env


def quizbot(
    *args: str, cwd: Path, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` like a user would."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        timeout=timeout,
    )


async def answer_round(engine: QuizEngine, team: Team, names: list[str], channel: str) -> None:
    """Open a round in ``channel`` and have each player answer A."""
    card = await engine.start_round(Channel(team, channel), None)
    for name in names:
        await engine.answer(Player(team, name.casefold(), name), card.round_id, choice="A")
    await engine.close_round(team, card.round_id)
