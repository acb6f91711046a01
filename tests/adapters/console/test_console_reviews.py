"""/review, /rate, /dispute, /report and the progress in /stats, in the console."""

from __future__ import annotations

import pytest

from bot.adapters.console import ConsoleSession
from bot.engine.engine import QuizEngine
from storage.review_store import ReviewStore
from tests.conftest import FakeClock


@pytest.fixture
def session(engine: QuizEngine) -> ConsoleSession:
    return ConsoleSession(engine, player_name="alice")


async def test_review_answer_rate_dispute_report(
    session: ConsoleSession, engine: QuizEngine, clock: FakeClock
) -> None:
    card = await session.handle("/review")
    assert card is not None and card.startswith("(only you see this) Review #1")
    assert "Answer on the next line with /answer <your own words>" in card
    assert "or later: /answer round:1 <text>" in card
    feedback = await session.handle("/answer no idea")
    assert feedback is not None and "+0 points" in feedback
    assert "Scheduled as Again" in feedback and "/rate again|hard|good|easy" in feedback
    assert "/dispute <why>" in feedback and "/report typo|wrong|unclear" in feedback
    rated = await session.handle("/rate good")
    assert rated is not None and rated.startswith("Rated Good: next review in")
    assert "Allowed: again, hard, good, easy" in (await session.handle("/rate perfect") or "")
    disputed = await session.handle("/dispute I said it in other words")
    assert disputed is not None and disputed.startswith("Dispute #1")
    reported = await session.handle("/report unclear which planet?")
    assert reported is not None and reported.startswith("Report (unclear) #2")
    [dispute, report] = await ReviewStore(engine.store).reports()
    assert dispute.note == "I said it in other words" and dispute.answer == "no idea"
    assert report.note == "which planet?"


async def test_review_choice_mode_and_points(session: ConsoleSession, engine: QuizEngine) -> None:
    card = await session.handle("/review mode:choice")
    assert card is not None and "A)" in card
    question = next(q for q in engine.bank if q.prompt in card)
    right = question.choices[question.correct_index].text
    letter = next(
        line.strip()[0] for line in card.splitlines() if line.strip().endswith(f") {right}")
    )
    feedback = await session.handle(letter)
    assert feedback is not None and "+20 points" in feedback


async def test_pending_review_is_answered_before_the_channel_round(
    session: ConsoleSession,
) -> None:
    await session.handle("/quiz mode:open")
    await session.handle("/review")
    review = await session.handle("/answer mars")
    assert review is not None and "Scheduled as" in review
    channel = await session.handle("/answer mars again")
    assert channel is not None and "only you see this" in channel and "Scheduled as" not in channel


async def test_rate_and_dispute_need_an_answer_first(session: ConsoleSession) -> None:
    assert "Answer a question first" in (await session.handle("/rate good") or "")
    assert "Answer a question first" in (await session.handle("/dispute unfair") or "")
    await session.handle("/quiz")
    await session.handle("A")
    assert "Only /review questions" in (await session.handle("/rate good") or "")


async def test_stats_show_bars_weakest_and_due(session: ConsoleSession) -> None:
    await session.handle("/review")
    await session.handle("/answer nothing")
    stats = await session.handle("/stats")
    assert stats is not None and "▱" in stats
    assert "Weakest:" in stats and "Reviews due: 0 today, 1 in the next 7 days" in stats


async def test_help_lists_review_commands(session: ConsoleSession) -> None:
    reply = await session.handle("/help") or ""
    for command in ("/review", "/rate", "/dispute", "/report"):
        assert command in reply


async def test_round_option_works_in_any_position(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    """``round:N`` anywhere in /answer, /rate, /dispute and /report, as /help promises."""
    card = await session.handle("/quiz mode:choice")  # round 1, in #general
    assert card is not None and "Question #1" in card
    await session.handle("/channel other")
    assert "Question #2" in (await session.handle("/quiz mode:choice") or "")
    reply = await session.handle("/answer A round:1")  # round 1, though #other has round 2 open
    assert reply is not None and "multiple choice" not in reply and "points" in reply, reply
    assert await engine.store.answer_count(1) == 1 and await engine.store.answer_count(2) == 0
    assert "must be a round number" in (await session.handle("/answer B round:x") or "")
    await session.handle("B")  # round 2: the last answered round is now 2
    reported = await session.handle("/report typo round:1 the title")
    assert reported is not None and reported.startswith("Report (typo)"), reported
    disputed = await session.handle("/dispute round:2 it was a trick")
    assert disputed is not None and disputed.startswith("Dispute"), disputed
    reports = await ReviewStore(engine.store).reports()
    assert [(r.kind, r.round_id, r.note) for r in reports] == [
        ("typo", 1, "the title"),
        ("dispute", 2, "it was a trick"),
    ]


async def test_rate_takes_a_trailing_round(session: ConsoleSession) -> None:
    card = await session.handle("/review")
    assert card is not None and "Review #1" in card
    await session.handle("/answer no idea")
    assert "unknown" in (await session.handle("/rate good round:99") or "")
    rated = await session.handle("/rate good round:1")
    assert rated is not None and rated.startswith("Rated Good"), rated


async def test_another_player_cannot_answer_a_review(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    await session.handle("/as bob")
    card = await session.handle("/review")
    assert card is not None and "Review #1" in card
    await session.handle("/as alice")
    assert "unknown" in (await session.handle("/answer round:1 A") or "")
    assert await engine.store.answer_count(1) == 0


async def test_wording_of_counts_repeats_missing_values_and_unknown_rounds(
    session: ConsoleSession, engine: QuizEngine
) -> None:
    card = await session.handle("/review mode:choice")
    assert card is not None and card.startswith("(only you see this) Review #1 · ")
    assert " · 15 min\n" in card
    await session.handle("A")
    assert await session.handle("/rate") == "Give a rating: again, hard, good, easy."
    assert await session.handle("/report") == "Give a report: typo, wrong, unclear."
    assert await session.handle("/report typo round:99") == "This question is unknown here."
    assert (await session.handle("/dispute unfair") or "").startswith("Dispute #1")
    again = await session.handle("/dispute still unfair")
    assert again == "You already disputed this grade for this question; thank you!"
    assert await session.handle("/stats nobody") == "There is no player named nobody here."
    stats = await session.handle("/stats ALICE")
    assert stats is not None and stats.startswith("Stats for alice: ") and ", 1 answer, " in stats
    board = await session.handle("/leaderboard")
    assert board is not None and board.startswith("Leaderboard — this week (1 player)")


async def test_review_nudge_counts_one_review(engine: QuizEngine, clock: FakeClock) -> None:
    engine.reviews.nudge = True
    session = ConsoleSession(engine, player_name="alice")
    await session.handle("/review")
    await session.handle("/answer no idea")
    clock.advance(7 * 86_400)  # the review's card is due again
    card = await session.handle("/quiz category:beta")  # another question than the review's
    assert card is not None and "Beta" in card
    feedback = await session.handle("A")
    assert feedback is not None and "📚 You have 1 review due: try /review" in feedback


async def test_help_reads_well_at_80_columns(session: ConsoleSession) -> None:
    reply = await session.handle("/help") or ""
    assert max(len(line) for line in reply.splitlines()) < 80
    assert "\n  /quiz-admin daily channel:#C" in reply
