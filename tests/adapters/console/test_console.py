"""The console adapter driven end to end on the real engine and a real SQLite file."""

from __future__ import annotations

import asyncio
import io
import os

import pytest

from bot.adapters.console import ConsoleOutbox, ConsoleSession, run_console
from bot.engine.engine import QuizEngine
from tests.conftest import FakeClock


def letters(engine: QuizEngine, reply: str) -> tuple[str, str]:
    """(correct, wrong) letters of the question card printed in ``reply``."""
    options = {}
    for line in reply.splitlines():
        letter, paren, text = line.strip().partition(") ")
        if paren and letter in ("A", "B", "C", "D"):
            options[text] = letter
    question = next(q for q in engine.bank if q.prompt in reply)
    correct = options[question.choices[question.correct_index].text]
    return correct, next(letter for letter in options.values() if letter != correct)


@pytest.fixture
def session(engine: QuizEngine) -> ConsoleSession:
    return ConsoleSession(engine, player_name="alice")


async def test_several_players_and_leaderboard_order(
    session: ConsoleSession, engine: QuizEngine, clock: FakeClock
) -> None:
    card = await session.handle("/quiz category:alpha difficulty:hard")
    assert card is not None and "Alpha basics" in card and "A)" in card
    right, wrong = letters(engine, card)
    assert "Correct" in (await session.handle(right) or "")
    await session.handle("/as bob")
    clock.advance(30)
    assert "+225 points" in (await session.handle(f"/answer {right}") or "")
    await session.handle("/as cy")
    assert "Not quite" in (await session.handle(wrong) or "")
    reveal = await session.handle("/close")
    assert reveal is not None and f"Correct answer: {right})" in reveal
    assert "Right (2/3): alice, bob" in reveal and "First correct: alice" in reveal
    board = await session.handle("/leaderboard all")
    assert board is not None
    lines = board.splitlines()
    assert "1. alice — 300 pts" in lines[1] and "2. bob — 225 pts" in lines[2]
    assert "3. cy — 0 pts" in lines[3] and "Your rank: 3 of 3" in board
    stats = await session.handle("/stats bob")
    assert stats is not None and "225 points" in stats and "Alpha basics: 1/1 (100%)" in stats
    assert "Seen 1 of 3 questions" in stats


async def test_round_closes_by_timer_and_reveal_is_printed(
    session: ConsoleSession, engine: QuizEngine, clock: FakeClock
) -> None:
    printed: list[str] = []
    engine.register_outbox("console", ConsoleOutbox(printed.append))
    await session.handle("/quiz")
    await session.handle("A")
    clock.advance(61)
    reply = await session.handle("/as bob")
    assert reply == "You are now bob."
    assert len(printed) == 1 and "Time's up!" in printed[0] and "Round #1 closed" in printed[0]
    assert "no open question" in (await session.handle("B") or "")


async def test_second_answer_refused_first_kept(session: ConsoleSession) -> None:
    await session.handle("/quiz")
    first = await session.handle("A")
    assert first is not None and "only you see this" in first
    assert "already answered" in (await session.handle("B") or "")
    assert "1 answers" in (await session.handle("/stats") or "")


async def test_cross_team_answer_refused(session: ConsoleSession, engine: QuizEngine) -> None:
    await session.handle("/quiz")
    await session.handle("/team rivals")
    reply = await session.handle("/answer round:1 A")
    assert reply == "This question is unknown or no longer open."
    assert await engine.store.answer_count(1) == 0
    assert "No answers yet" in (await session.handle("/leaderboard all") or "")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/dance", "Unknown command '/dance'. Type /help"),
        ("hello there", "type /help"),
        ("/quiz difficulty:insane", "Allowed: easy, medium, hard"),
        ("/quiz mode:essay", "Allowed: choice, open"),
        ("/quiz category:astrology", "Allowed: alpha, beta"),
        ("/quiz colour:red", "Unknown option 'colour' for /quiz. Options: category"),
        ("/leaderboard fortnight", "Allowed: week, month, all"),
        ("/answer A", "no open question in #general"),
        ("/close", "no open question"),
        ("/as ", "Give a player name"),
        ("/answer round:abc A", "round must be a round number"),
        ("/answer A round:abc", "round must be a round number"),
        ("/leaderboard all general extra", "Usage: /leaderboard"),
        ("/leaderboard all #general general", "Usage: /leaderboard"),
    ],
)
async def test_bad_input_gets_a_clear_message(
    session: ConsoleSession, line: str, expected: str
) -> None:
    reply = await session.handle(line)
    assert reply is not None and expected in reply


async def test_overlong_and_empty_answers_refused(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    await session.handle("/quiz mode:open")
    assert "the limit is 4000" in (await session.handle("/answer " + "x" * 4001) or "")
    assert "empty" in (await session.handle("/answer    ") or "")
    assert await engine.store.answer_count(1) == 0
    assert "only you see this" in (await session.handle("/answer Mars, rusty dust") or "")


async def test_control_characters_and_rtl_marks_are_shown_safely(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    sneaky = "eve\u202e\x1b[31m"
    assert "\\u202e" in (await session.handle(f"/as {sneaky}") or "")
    await session.handle("/quiz mode:open")
    feedback = await session.handle("/answer Mars \u200fred\x07")
    assert feedback is not None and "\x07" not in feedback and "\\u0007" in feedback
    board = await session.handle("/leaderboard")
    assert board is not None and "\x1b" not in board and "eve\\u202e\\u001b[31m" in board
    found = await engine.store.find_player(
        await engine.store.team_pk("console", "local"), sneaky.casefold()
    )
    assert found is not None and found[1] == sneaky  # stored verbatim


async def test_help_lists_every_command(session: ConsoleSession) -> None:
    reply = await session.handle("/help")
    assert reply is not None
    for command in ("/quiz", "/answer", "/close", "/leaderboard", "/stats", "/as", "/channel"):
        assert command in reply
    assert "category:" in reply and "mode:choice|open" in reply


async def test_run_console_non_interactive_one_block_per_command(engine: QuizEngine) -> None:
    stdin = io.StringIO("/help\n\n/quiz\n/leaderboard\n")
    stdout = io.StringIO()
    code = await run_console(ConsoleSession(engine), stdin=stdin, stdout=stdout, interactive=False)
    assert code == 0
    blocks = stdout.getvalue().rstrip("\n").split("\n\n")
    assert blocks[0].startswith("Commands:") and blocks[1].startswith("[#general] Question #1")
    assert blocks[-1].startswith("Leaderboard")


async def test_interactive_reveal_arriving_at_the_prompt_shows_the_prompt_again(
    engine: QuizEngine, clock: FakeClock
) -> None:
    read_fd, write_fd = os.pipe()
    stdout = io.StringIO()
    with os.fdopen(read_fd) as stdin, os.fdopen(write_fd, "w") as feed:
        session = ConsoleSession(engine, player_name="alice")
        running = asyncio.create_task(
            run_console(session, stdin=stdin, stdout=stdout, interactive=True)
        )
        feed.write("/quiz\n")
        feed.flush()
        for _ in range(500):  # at most 5 s for the question to be printed
            if "Question #1" in stdout.getvalue():
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the prompt is printed and the console waits for input
        clock.advance(61)
        await engine.close_due_rounds()  # what the round timer does
        feed.close()
        assert await running == 0
    shown = stdout.getvalue()
    prompt = "[#general] alice> "
    assert f"{prompt}\n[#general] Time's up!" in shown
    assert shown.endswith(f"Nobody got it right (0 answered).\n\n{prompt}")


async def test_leaderboard_takes_a_bare_channel_name(session: ConsoleSession) -> None:
    await session.handle("/quiz")
    await session.handle("A")
    await session.handle("/close")
    await session.handle("/channel other")
    expected = await session.handle("/leaderboard all #general")
    assert expected is not None and "alice" in expected
    assert await session.handle("/leaderboard all general") == expected
    assert await session.handle("/leaderboard #general all") == expected
    empty = await session.handle("/leaderboard all other")
    assert empty is not None and "alice" not in empty and empty != expected
