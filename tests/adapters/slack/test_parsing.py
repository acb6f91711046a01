"""Parsing slash-command text and button values."""

from __future__ import annotations

import pytest

from bot.adapters.slack.parsing import (
    ButtonValue,
    LeaderboardArgs,
    QuizArgs,
    StatsArgs,
    UsageError,
    parse_admin,
    parse_button_value,
    parse_leaderboard,
    parse_quiz,
    parse_stats,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", QuizArgs()),
        (None, QuizArgs()),
        ("python", QuizArgs("python")),
        ("Python HARD open", QuizArgs("Python", "hard", "open")),
        ("open easy", QuizArgs(None, "easy", "open")),
    ],
)
def test_parse_quiz(text: str | None, expected: QuizArgs) -> None:
    assert parse_quiz(text) == expected


@pytest.mark.parametrize("text", ["a b", "easy hard", "open open", "help"])
def test_parse_quiz_usage(text: str) -> None:
    with pytest.raises(UsageError, match="Usage: `/quiz"):
        parse_quiz(text)


def test_parse_leaderboard() -> None:
    assert parse_leaderboard("", "C1") == LeaderboardArgs()
    assert parse_leaderboard("ALL channel", "C1") == LeaderboardArgs("all", "C1")
    assert parse_leaderboard("<#C2XYZ|random> month", "C1") == LeaderboardArgs("month", "C2XYZ")
    with pytest.raises(UsageError):
        parse_leaderboard("week week", "C1")
    with pytest.raises(UsageError):
        parse_leaderboard("<#C2|a> <#C3|b>", "C1")


def test_parse_stats() -> None:
    assert parse_stats("") == StatsArgs()
    assert parse_stats("<@U123|bob>") == StatsArgs("U123", "bob")
    assert parse_stats("<@W123>") == StatsArgs("W123", "")
    for text in ("@bob", "<@U1|a> <@U2|b>", "<!channel>"):
        with pytest.raises(UsageError):
            parse_stats(text)


def test_parse_admin() -> None:
    assert parse_admin(" CLOSE ").action == "close"
    with pytest.raises(UsageError, match="quiz-admin close"):
        parse_admin("close now")


def test_parse_button_value() -> None:
    assert parse_button_value("quiz:12:B") == ButtonValue(12, "B")
    assert parse_button_value("quiz:12:open") == ButtonValue(12, "open")
    for value in (None, 12, "", "quiz:12:b", "quiz:-1:A", "quiz:1:A:x", "x" * 3000):
        with pytest.raises(ValueError):
            parse_button_value(value)
