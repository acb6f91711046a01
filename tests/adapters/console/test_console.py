"""The console adapter driven end to end on the real engine and a real SQLite file."""

from __future__ import annotations

import asyncio
import io
import os

import pytest

from bot.adapters.console import ConsoleOutbox, ConsoleSession, render, run_console
from bot.adapters.console.commands import CommandError
from bot.engine.engine import QuizEngine
from bot.engine.model import Leaderboard, LeaderboardRow
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
    await engine.publications.drain()  # the publication worker shows the reveal
    assert len(printed) == 1 and "Time's up!" in printed[0] and "Round #1 closed" in printed[0]
    assert "no open question" in (await session.handle("B") or "")


async def test_second_answer_refused_first_kept(session: ConsoleSession) -> None:
    await session.handle("/quiz")
    first = await session.handle("A")
    assert first is not None and "only you see this" in first
    assert "already answered" in (await session.handle("B") or "")
    assert ", 1 answer, " in (await session.handle("/stats") or "")


async def test_cross_team_answer_refused(session: ConsoleSession, engine: QuizEngine) -> None:
    await session.handle("/quiz")
    await session.handle("/team rivals")
    reply = await session.handle("/answer round:1 A")
    assert reply == "This question is unknown here."
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
        ("/as ", "A player name can't be empty; e.g. bob."),
        ("/channel #", "A channel name can't be empty; e.g. general."),
        ("/team  ", "A team name can't be empty; e.g. rivals."),
        ("/channel " + "x" * 33, "A channel name is at most 32 characters."),
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
        await engine.publications.drain()  # and the publication worker
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


@pytest.mark.parametrize(("player", "channel"), [("", "general"), ("alice", "#"), ("x" * 33, "a")])
def test_session_names_follow_the_rules_of_as_and_channel(
    engine: QuizEngine, player: str, channel: str
) -> None:
    with pytest.raises(CommandError, match="name"):
        ConsoleSession(engine, player_name=player, channel_name=channel)


MULTI_LINE = "/quiz mode:open\n/answer ```python\nmars = 'red'\nprint(mars) \\\n```\n/stats\n"


@pytest.mark.parametrize("interactive", [False, True])
async def test_a_fenced_block_is_one_answer(engine: QuizEngine, interactive: bool) -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "w") as feed:
        feed.write(MULTI_LINE)
    stdout = io.StringIO()
    with os.fdopen(read_fd) as stdin:
        session = ConsoleSession(engine, player_name="alice")
        assert await run_console(session, stdin=stdin, stdout=stdout, interactive=interactive) == 0
    shown = stdout.getvalue()
    assert "Your answer: ```python\nmars = 'red'\nprint(mars) \\\n```\n" in shown
    assert "Commands start with" not in shown and "Unknown command" not in shown
    assert "Stats for alice: " in shown  # the line after the block is a command again
    assert await engine.store.answer_count(1) == 1
    if interactive:
        assert shown.count("\n... ") == 0 and shown.count("... ") == 3  # one per continued line


async def test_lines_ending_with_a_backslash_are_one_answer(engine: QuizEngine) -> None:
    stdin = io.StringIO("/quiz mode:open\n/answer Mars is red \\\nbecause of rust\n/answer again\n")
    stdout = io.StringIO()
    await run_console(ConsoleSession(engine), stdin=stdin, stdout=stdout, interactive=False)
    blocks = stdout.getvalue().rstrip("\n").split("\n\n")
    assert len(blocks) == 3 and "Your answer: Mars is red \nbecause of rust" in blocks[1]
    assert "already answered" in blocks[2]


async def test_a_pasted_fenced_block_without_answer_is_an_answer(session: ConsoleSession) -> None:
    await session.handle("/quiz mode:open")
    reply = await session.handle("```\nMars\n```")
    assert reply is not None and "Your answer: ```\nMars\n```" in reply


def test_a_cut_tie_is_said_under_the_leaderboard() -> None:
    rows = tuple(LeaderboardRow(1, f"u{i}", f"P{i}", 100, 1, 1) for i in range(20))
    board = render.render_leaderboard(Leaderboard("all", None, rows, None, 30, True), None)
    assert board.startswith("Leaderboard — all time (30 players)")
    last_row, more = board.splitlines()[-2:]
    assert last_row == "  1. P19 — 100 pts (1/1 correct)"
    assert more == "     … and more players with 100 pts"


async def test_free_text_feedback_explains_the_grade(session: ConsoleSession) -> None:
    await session.handle("/quiz category:alpha difficulty:easy mode:open")
    reply = await session.handle("/answer Its surface is covered in rust.")
    assert reply is not None
    assert "You covered 1 of 2 key points.\n" in reply
    assert "  ✅ Covered: Mentions iron oxide or rust\n  ❌ Missed: Names Mars\n" in reply
    assert "Why this grade: Every central point is missing, so the grade is at most 25%." in reply
    await session.handle("/as bob")
    wrong = await session.handle("/answer Venus is the red planet.")
    assert wrong is not None and "❌ Missed: Names Mars" in wrong
    assert "Correction: Venus is covered in pale clouds; Mars is the red one." in wrong


async def test_a_wrong_choice_is_explained_to_the_one_who_chose_it(
    session: ConsoleSession,
) -> None:
    card = await session.handle("/quiz category:alpha difficulty:easy")
    assert card is not None
    venus = next(line.strip()[0] for line in card.splitlines() if line.endswith(") Venus"))
    mars = next(line.strip()[0] for line in card.splitlines() if line.endswith(") Mars"))
    reply = await session.handle(venus)
    assert reply is not None
    assert "Why your choice is wrong: Venus is hidden under pale clouds of sulphuric acid." in reply
    await session.handle("/as bob")
    right = await session.handle(mars)
    assert right is not None and "Why your choice is wrong" not in right
