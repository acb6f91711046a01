"""The daily question in the console: admin commands, "now", answering, the reveal."""

from __future__ import annotations

import re

from bot.adapters.console import ConsoleOutbox, ConsoleSession
from bot.adapters.daily_admin import USAGE
from bot.daily import DailyService
from bot.engine.engine import QuizEngine
from tests.conftest import FakeClock


async def test_console_schedule_now_answer_and_reveal(engine: QuizEngine, clock: FakeClock) -> None:
    printed: list[str] = []
    engine.register_outbox("console", ConsoleOutbox(printed.append))
    service = DailyService(engine)
    await service.start(jobs=False)
    session = ConsoleSession(engine, player_name="alice")

    bad = await session.handle("/quiz-admin daily time:25:00 timezone:Europe/Berlin")
    assert bad is not None and "use HH:MM" in bad and "Nothing was saved" in bad
    assert "No daily question is scheduled" in (
        await session.handle("/quiz-admin daily show") or ""
    )
    no_schedule = await session.handle("/quiz-admin daily now")
    assert no_schedule is not None and "set one first" in no_schedule

    saved = await session.handle(
        "/quiz-admin daily channel:#general time:09:00 timezone:Europe/Berlin days:mon-fri"
    )
    assert saved is not None and "09:00 Europe/Berlin · mon-fri" in saved
    shown = await session.handle("/quiz-admin daily show")
    assert shown is not None and shown.startswith("#general: 09:00 Europe/Berlin")

    posted = await session.handle("/quiz-admin daily now")
    assert posted is not None and posted.startswith("Daily question #")
    await engine.publications.drain()
    [card] = printed
    assert "Daily question #" in card and "0 answered so far." in card
    round_id = int(re.search(r"#(\d+)", posted.split("question")[1]).group(1))  # type: ignore[union-attr]
    feedback = await session.handle(f"/answer round:{round_id} A")
    assert feedback is not None and "points" in feedback
    assert await service.refresh_counts() == 1
    await engine.publications.drain()
    assert printed[-1].endswith("1 answered so far.")

    clock.now = 1_764_057_600.0  # Tuesday 09:00 Berlin: the next slot closes Monday's round
    assert await service.catch_up() == ["queued"]
    await engine.publications.drain()
    reveal = next(block for block in printed if "Time's up!" in block)
    assert f"Round #{round_id} closed." in reveal and "This week's top 5:" in reveal
    assert await session.handle("/quiz-admin daily off") == "The daily question in #general is off."


async def test_console_usage_for_unknown_sub_command(engine: QuizEngine) -> None:
    session = ConsoleSession(engine)
    reply = await session.handle("/quiz-admin nonsense")
    assert reply is not None and reply.startswith("Usage: /quiz-admin daily")
    reply = await session.handle("/quiz-admin daily now")
    assert reply is not None and "set one first" in reply


async def test_a_bare_letter_answers_the_last_question_posted_in_the_channel(
    engine: QuizEngine,
) -> None:
    printed: list[str] = []
    engine.register_outbox("console", ConsoleOutbox(printed.append))
    await DailyService(engine).start(jobs=False)
    session = ConsoleSession(engine, player_name="alice")
    await session.handle("/quiz-admin daily time:09:00 timezone:UTC")
    posted = await session.handle("/quiz-admin daily now")
    assert posted == "Daily question #1 is up in #general."
    await engine.publications.drain()
    assert "Answer with A, B, C or D." in printed[-1]
    feedback = await session.handle("A")
    assert feedback is not None and feedback.startswith("(only you see this) Daily question #1: ")
    assert await engine.store.answer_count(1) == 1

    closing = await session.handle("/close")
    assert closing == (
        "Only the daily question (round #1) is open in this channel; it closes on its schedule."
    )
    card = await session.handle("/quiz")
    assert card is not None and card.startswith("[#general] Question #2")
    assert card.endswith("Daily question #1 is still open here: /answer round:1 <A-D>")
    assert "Question #2: " in (await session.handle("b") or "")
    assert await engine.store.answer_count(2) == 1


async def test_a_pending_review_never_takes_a_letter_meant_for_the_channel(
    engine: QuizEngine,
) -> None:
    session = ConsoleSession(engine, player_name="alice")
    await session.handle("/quiz mode:choice")
    review = await session.handle("/review mode:choice")
    assert review is not None and "Answer on the next line with A, B, C or D" in review
    assert session.prompt == "[review #2] alice> "
    await session.handle("/leaderboard")  # the review's prompt lasted one line
    assert session.prompt == "[#general] alice> "
    feedback = await session.handle("A")
    assert feedback is not None and feedback.startswith("(only you see this) Question #1: ")
    assert await engine.store.answer_count(2) == 0
    answered = await session.handle("/answer round:2 A")
    assert answered is not None and answered.startswith("(only you see this) Review #2: ")
    await session.handle("/review mode:choice")  # the next review, answered in its own prompt
    assert "multiple choice" in (await session.handle("/answer mars") or "")
    assert session.prompt == "[review #3] alice> "  # a malformed answer: the review still waits
    assert "Review #3: " in (await session.handle("C") or "")


async def test_console_refuses_malformed_daily_words_with_the_shared_messages(
    engine: QuizEngine,
) -> None:
    session = ConsoleSession(engine)
    off = await session.handle("/quiz-admin daily off time:09:00")
    assert off == f"daily off takes only a channel. {USAGE}"
    colour = await session.handle("/quiz-admin daily time:09:00 colour:red")
    assert colour == f"Unexpected 'colour:red'. {USAGE}"
    twice = await session.handle("/quiz-admin daily time:09:00 time:10:00 timezone:UTC")
    assert twice == f"time is given twice. {USAGE}"
    assert await engine.daily.schedules(session.team) == ()
    saved = await session.handle("/quiz-admin daily #quiz time:09:00 timezone:UTC")
    assert saved is not None and saved.startswith("Daily question in #quiz: 09:00 UTC")
