"""Settling reports on both backends: an upheld dispute corrects the answer, its card and its
leaderboard rows in one transaction; a report is settled once; the player is told once."""

from __future__ import annotations

import asyncio

from fsrs import Rating

from bot.engine.reviews import CardScheduler
from storage.settlements import GradeCorrection
from tests.backends.conftest import Backend
from tests.backends.support import PERIODS, answer, open_round


async def _disputed(backend: Backend) -> tuple[int, int, int, int]:
    """(team, player, round, dispute report) after a wrong answer worth 0 points."""
    store = backend.store
    team = await store.team_pk("discord", "G1")
    ada = await store.player_pk(team, "u1", "Ada")
    record = await open_round(store, team)
    review = backend.card_review(ada, "q1", "alpha", Rating.Again, 110.0)
    await answer(store, record, ada, 0, correct=False, review=review)
    await store.publications.close_round(record.id, 170.0, reveal=False)
    report = await backend.reviews.add_report(
        team_pk=team,
        player_pk=ada,
        round_id=record.id,
        question_id="q1",
        kind="dispute",
        note="my answer was right",
        answer="A",
        grade=0.0,
        created_at=180.0,
    )
    return team, ada, record.id, report


async def test_an_upheld_dispute_corrects_answer_card_and_boards_at_once(
    backend: Backend,
) -> None:
    store, settlements = backend.store, backend.settlements
    team, ada, _, report_id = await _disputed(backend)
    assert [r.id for r in await settlements.open_reports(team, disputes_only=True)] == [report_id]
    report = await settlements.report(report_id)
    assert report is not None and report.answer_id is not None
    assert (report.grade, report.points, report.round_kind) == (0.0, 0, "quiz")
    card_before = await backend.reviews.card(ada, "q1")
    assert card_before is not None
    fix = GradeCorrection(
        answer_id=report.answer_id,
        team_pk=team,
        channel_id="c1",
        player_pk=ada,
        periods=PERIODS,
        answered_at=110.0,
        grade_before=0.0,
        grade_after=1.0,
        points_before=0,
        points_after=25,
        correct_before=False,
        correct_after=True,
        rating=int(Rating.Good),
        replay=CardScheduler().replay,
    )
    settled = await asyncio.gather(
        settlements.settle(report_id, "upheld", "fair", 200.0, fix),
        settlements.settle(report_id, "upheld", "fair", 200.0, fix),
    )
    assert sorted(settled) == [False, True]
    after = await settlements.report(report_id)
    assert after is not None
    assert (after.status, after.outcome, after.resolution_note) == ("resolved", "upheld", "fair")
    assert (after.grade, after.points, after.grade_before, after.points_before) == (1.0, 25, 0.0, 0)
    for period in (*PERIODS, "season:1"):
        for scope in ("", "c1"):
            found = await store.player_score(team, period, scope, ada)
            assert found is not None
            assert (found[0].points, found[0].answers, found[0].correct) == (25, 1, 1)
    card = await backend.reviews.card(ada, "q1")
    assert card is not None and card.card != card_before.card and card.due > card_before.due
    assert [entry[:2] for entry in await backend.reviews.review_log(card.id)] == [(3, 1)]
    assert await settlements.open_reports(team) == []


async def test_the_player_is_told_once_and_given_up_on_after_failures(backend: Backend) -> None:
    settlements = backend.settlements
    _, ada, _, report_id = await _disputed(backend)
    assert await settlements.settle(report_id, "rejected", "stands", 200.0) is True
    assert [r.id for r in await settlements.to_notify()] == [report_id]
    assert [r.id for r in await settlements.player_to_notify(ada)] == [report_id]
    for _ in range(settlements.MAX_NOTIFY_ATTEMPTS):
        await settlements.note_failed_notice(report_id)
    assert await settlements.to_notify() == []
    assert [r.id for r in await settlements.player_to_notify(ada)] == [report_id]
    await settlements.mark_notified(report_id, 300.0)
    assert await settlements.player_to_notify(ada) == []
    other = await backend.store.team_pk("discord", "G2")
    assert await settlements.open_reports(other) == []
