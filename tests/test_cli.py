"""`quizbot` as a user runs it: a subprocess with piped stdin, settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = "/help\n/quiz\nA\n/as bob\nB\n/close\n/leaderboard all\n/stats alice\n"


def quizbot(
    *args: str, tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "SLACK_", "QUIZBOT_"))
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    environment["QUIZBOT_DATABASE"] = str(tmp_path / "data" / "quizbot.db")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
    )


def test_console_runs_non_interactively_and_deterministically(tmp_path: Path) -> None:
    first = quizbot(
        "console", "--seed", "3", "--as", "alice", tmp_path=tmp_path / "a", stdin=SCRIPT
    )
    second = quizbot(
        "console", "--seed", "3", "--as", "alice", tmp_path=tmp_path / "b", stdin=SCRIPT
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    blocks = first.stdout.rstrip("\n").split("\n\n")
    assert blocks[0].startswith("Commands:")
    assert blocks[1].startswith("[#general] Question #1")
    assert "Round #1 closed" in first.stdout and "Leaderboard — all time" in first.stdout
    assert (tmp_path / "a" / "data" / "quizbot.db").is_file()


def test_plain_quizbot_without_tokens_runs_the_console(tmp_path: Path) -> None:
    result = quizbot(tmp_path=tmp_path, stdin="/quiz\n")
    assert result.returncode == 0, result.stderr
    assert "Question #1" in result.stdout and "starting the console" in result.stderr


def test_help_documents_every_sub_command(tmp_path: Path) -> None:
    result = quizbot("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for command in ("run", "console", "questions", "discord", "health", "doctor", "db", "export"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("make_bad_path", "message"),
    [
        (lambda p: p.mkdir() or p, "is a directory"),
        (lambda p: p.write_text("hello") and p, "not an SQLite database"),
    ],
)
def test_bad_database_is_one_line_error(tmp_path: Path, make_bad_path, message: str) -> None:  # type: ignore[no-untyped-def]
    target = make_bad_path(tmp_path / "bad.db")
    result = quizbot("console", tmp_path=tmp_path, env={"QUIZBOT_DATABASE": str(target)})
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr and str(target) in result.stderr


def test_invalid_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = quizbot("console", tmp_path=tmp_path, env={"QUIZBOT_ROUND_SECONDS": "soon"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "quizbot: error: invalid setting QUIZBOT_ROUND_SECONDS: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_python_dash_m_bot_matches_the_console_script(tmp_path: Path) -> None:
    result = quizbot("--version", tmp_path=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("quizbot ")


@pytest.mark.parametrize("args", [("console",), ()])
def test_console_shows_no_info_log_lines_beside_the_chat(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    script = "/quiz-admin daily channel:#general time:09:00 timezone:UTC\n/quiz-admin daily now\n"
    result = quizbot(*args, tmp_path=tmp_path, stdin=script, env={"QUIZBOT_LOG_LEVEL": "INFO"})
    assert result.returncode == 0, result.stderr
    assert "Daily question" in result.stdout or "daily" in result.stdout.casefold()
    logged = [line for line in result.stderr.splitlines() if " INFO " in line]
    assert logged == []


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--channel", "", "A channel name can't be empty; e.g. general."),
        ("--channel", "#", "A channel name can't be empty; e.g. general."),
        ("--as", " ", "A player name can't be empty; e.g. bob."),
        ("--as", "x" * 33, "A player name is at most 32 characters."),
    ],
)
def test_console_names_are_refused_like_as_and_channel(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    result = quizbot("console", option, value, tmp_path=tmp_path, stdin="/quiz\nA\n")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"quizbot: error: {message}\n"
    assert not (tmp_path / "data").exists()  # nothing was opened


def test_console_reads_a_piped_multi_line_answer_as_one(tmp_path: Path) -> None:
    script = "/quiz mode:open\n/answer ```\nfirst line\nsecond line\n```\n/close\n"
    result = quizbot("console", "--seed", "1", tmp_path=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    assert "Your answer: ```\nfirst line\nsecond line\n```" in result.stdout
    assert "Commands start with" not in result.stdout
    assert "1 answered" in result.stdout.split("Round #1 closed.")[1]
