"""One line, never a traceback: a bad database setting and a reader that goes away."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.support import ROOT, clean_env, quizbot
from tests.ops.test_db_commands import _make_database


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "must name the database file, e.g. data/quizbot.db"),
        (".", "must name the database file, e.g. data/quizbot.db"),
        ("data/", "must name the database file, not a folder (data/)"),
    ],
)
@pytest.mark.parametrize("command", [("db", "info"), ("run",), ("db", "backup", "bk/")])
def test_a_database_setting_that_names_no_file_is_one_line(
    tmp_path: Path, value: str, why: str, command: tuple[str, ...]
) -> None:
    result = quizbot(*command, cwd=tmp_path, env=clean_env(QUIZBOT_DATABASE=value))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"quizbot: error: invalid setting QUIZBOT_DATABASE: {why}\n")
    assert os.listdir(tmp_path) == []


def _into_a_closed_pipe(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run ``quizbot ARGS`` writing into a pipe nobody reads (like ``| head`` that exited)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    "command",
    [("db", "info"), ("health", "--db-only"), ("questions", "list"), ("doctor",)],
)
async def test_a_reader_that_goes_away_ends_the_command_quietly(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    database = tmp_path / "q.db"
    await _make_database(database)
    env = clean_env(QUIZBOT_DATABASE=str(database))
    code, errors = await asyncio.to_thread(_into_a_closed_pipe, *command, cwd=tmp_path, env=env)
    assert (code, errors) == (1, "")
