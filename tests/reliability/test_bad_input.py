"""Arbitrary input through the console and the engine: only QuizError escapes, nothing leaks."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.engine.engine import MAX_ANSWER_CHARS
from bot.engine.errors import AnswerRejectedError, QuizError, RoundNotFoundError
from bot.engine.model import Channel, Player, Team
from tests.reliability.harness import Harness

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HOME = Team("console", "home")
OTHER = Team("console", "other")
COMMAND_WORDS = (
    "/quiz", "/answer", "/close", "/leaderboard", "/stats", "/as", "/channel", "/team",
    "/help", "/quit", "/QUIZ", "/nope", "A", "b", "round:", "category:", "mode:",
)  # fmt: skip
UNICODE_EDGES = (
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero width space
    "\ufeff",  # byte order mark
    "\x00",  # NUL
    "\x1b[31m",  # terminal escape
    "e\u0301\u0301\u0301",  # stacked combining accents
    "👩\u200d👩\u200d👧",  # ZWJ emoji sequence
    "\U0010ffff",  # last code point
    "ﷺ",  # a very wide ligature
    "\r\n\t",
)

lines = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda head, tail: f"{head} {tail}",
        st.sampled_from(COMMAND_WORDS),
        st.text(max_size=120),
    ),
    st.lists(st.sampled_from(COMMAND_WORDS + UNICODE_EDGES), max_size=6).map(" ".join),
)
free_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(UNICODE_EDGES), min_size=1, max_size=20).map("".join),
    st.integers(MAX_ANSWER_CHARS - 2, MAX_ANSWER_CHARS + 50).map(lambda n: "x" * n),
)
round_ids = st.one_of(st.integers(), st.integers(-3, 50))


@SETTINGS
@given(line=lines)
@example(line="/answer " + "y" * (MAX_ANSWER_CHARS + 1))
@example(line="/answer round:99999999999999999999999 A")
@example(line="/quiz category:\u202e mode:open")
def test_console_lines_always_get_a_text_reply(harness: Harness, line: str) -> None:
    reply = harness.run(harness.console.handle(line))
    if line.strip():
        assert isinstance(reply, str) and reply
    else:
        assert reply is None


@SETTINGS
@given(
    category=st.one_of(st.none(), st.text(max_size=50)),
    difficulty=st.one_of(st.none(), st.text(max_size=50)),
    mode=st.one_of(st.none(), st.sampled_from(["open", "choice", "OPEN "]), st.text(max_size=20)),
    choice=st.one_of(st.none(), st.text(max_size=5)),
    text=st.one_of(st.none(), free_text),
    round_id=round_ids,
)
def test_engine_refuses_only_with_quiz_errors(
    harness: Harness,
    category: str | None,
    difficulty: str | None,
    mode: str | None,
    choice: str | None,
    text: str | None,
    round_id: int,
) -> None:
    channel = Channel(HOME, "general")
    player = Player(HOME, "u1", "Ada")
    _clear_refusal_or_success(harness, harness.engine.start_round(
        channel, player, category=category, difficulty=difficulty, mode=mode))  # fmt: skip
    for target in (round_id, _open_round(harness, channel)):
        _clear_refusal_or_success(
            harness, harness.engine.answer(player, target, choice=choice, text=text)
        )
    _clear_refusal_or_success(harness, harness.engine.close_channel_round(channel))


def _clear_refusal_or_success(harness: Harness, work: Coroutine[Any, Any, object]) -> None:
    """Run ``work``: it succeeds, or it is refused with a QuizError carrying a readable message."""
    try:
        harness.run(work)
    except QuizError as refusal:
        assert refusal.message.strip() and refusal.message == str(refusal)


def _open_round(harness: Harness, channel: Channel) -> int:
    card = harness.run(harness.engine.current_round(channel))
    return card.round_id if card else 0


@SETTINGS
@given(
    choice=st.one_of(st.none(), st.sampled_from("ABCDabcd"), st.text(max_size=3)),
    text=st.one_of(st.none(), free_text),
    pick=st.integers(0, 10_000),
)
def test_rounds_of_another_team_are_not_found_and_nothing_is_written(
    harness: Harness, choice: str | None, text: str | None, pick: int
) -> None:
    if not harness.counts()["rounds"]:
        for number in range(3):
            harness.run(harness.engine.start_round(Channel(HOME, f"c{number}"), None))
        harness.run(harness.engine.start_round(Channel(OTHER, "c0"), None))  # OTHER exists
    home_rounds = [1, 2, 3]
    round_id = home_rounds[pick % len(home_rounds)]
    outsider = Player(OTHER, f"o{pick}", "Mallory")
    before = harness.counts()
    with pytest.raises(QuizError) as refused:
        harness.run(harness.engine.answer(outsider, round_id, choice=choice, text=text))
    if choice is not None and choice.strip().upper() in ("A", "B", "C", "D"):
        assert isinstance(refused.value, RoundNotFoundError)
    with pytest.raises(RoundNotFoundError):
        harness.run(harness.engine.close_round(OTHER, round_id))
    assert harness.counts() == before


@SETTINGS
@given(extra=st.integers(1, 5000), filler=st.sampled_from(["x", "é", "👍", " a"]))
def test_oversized_answers_are_refused_with_the_limit(
    harness: Harness, extra: int, filler: str
) -> None:
    if not harness.counts()["rounds"]:
        harness.run(harness.engine.start_round(Channel(HOME, "general"), None, mode="open"))
        harness.run(harness.console.handle("/quiz mode:open"))
    text = "z" + (filler * (MAX_ANSWER_CHARS + extra))[: MAX_ANSWER_CHARS + extra] + "z"
    before = harness.counts()
    with pytest.raises(AnswerRejectedError) as refused:
        harness.run(harness.engine.answer(Player(HOME, "u2", "Bob"), 1, text=text))
    assert str(MAX_ANSWER_CHARS) in refused.value.message
    reply = harness.run(harness.console.handle("/answer " + text))
    assert reply is not None and str(MAX_ANSWER_CHARS) in reply
    assert harness.counts() == before


def test_lone_surrogates_are_refused_as_quiz_errors(harness: Harness) -> None:
    harness.run(harness.engine.start_round(Channel(HOME, "general"), None, mode="open"))
    with pytest.raises(QuizError):
        harness.run(harness.engine.answer(Player(HOME, "u3", "Cy"), 1, text="half \ud800 pair"))


def test_lone_surrogate_in_a_name_is_stored_replaced(harness: Harness) -> None:
    card = harness.run(harness.engine.start_round(Channel(HOME, "general"), None))
    odd = Player(HOME, "u\udc00", "Half \ud800 name")
    harness.run(harness.engine.answer(odd, card.round_id, choice="A"))
    board = harness.run(harness.engine.leaderboard(HOME, period="all", caller=odd))
    assert [row.display_name for row in board.rows] == ["Half \ufffd name"]
    assert board.caller is not None and board.caller.user_id == "u\ufffd"
