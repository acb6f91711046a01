"""Settling disputes and question reports: the grade corrected everywhere, the player told."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.errors import InvalidOptionError, QuizError
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Settlement, Team
from bot.engine.standings import period_keys
from tests.conftest import FakeClock

TEAM = Team("console", "local")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")


class TellingOutbox:
    """An outbox that records what players are told; refuses while ``refusing``."""

    def __init__(self) -> None:
        self.told: list[tuple[Player, Settlement]] = []
        self.refusing = False

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        return MessageRef(channel.channel_id, "1")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        return None

    async def tell(self, player: Player, settlement: Settlement) -> None:
        if self.refusing:
            raise ConnectionError("cannot reach the player")
        self.told.append((player, settlement))


def db_path(engine: QuizEngine) -> Path:
    return Path(engine.store.path)


def right_letter(engine: QuizEngine, choices: tuple[str, ...], question_id: str) -> str:
    question = engine.bank.get(question_id)
    return "ABCD"[choices.index(question.choices[question.correct_index].text)]


def rows(engine: QuizEngine, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path(engine)) as conn:
        return list(conn.execute(sql).fetchall())


async def disputed_open_answer(engine: QuizEngine, clock: FakeClock) -> tuple[int, int]:
    """Alice answers an open (free-text) quiz round badly and disputes it: (round, report)."""
    card = await engine.start_round(
        GENERAL, ALICE, category="alpha", difficulty="easy", mode="open"
    )
    clock.advance(6)
    feedback = await engine.answer(ALICE, card.round_id, text="no idea at all")
    assert feedback.grade == 0 and feedback.points == 0
    filed = await engine.dispute(ALICE, card.round_id, "my answer said the same thing")
    return card.round_id, filed.report_id


async def test_upheld_dispute_corrects_answer_totals_card_and_keeps_the_original(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = TellingOutbox()
    engine.register_outbox("console", outbox)
    round_id, report_id = await disputed_open_answer(engine, clock)
    [item] = await engine.disputes.open_reports(TEAM)
    assert (item.report_id, item.kind, item.answer, item.grade) == (
        report_id,
        "dispute",
        "no idea at all",
        0.0,
    )
    assert item.reason == "my answer said the same thing" and item.prompt

    settled = await engine.disputes.settle(
        TEAM, report_id, "uphold", grade="0.8", note="the rubric missed it"
    )
    # easy: 100 × 0.8 × speed (6 s of 60: 0.95) = 76
    assert (settled.outcome, settled.grade_before, settled.grade_after) == ("upheld", 0.0, 0.8)
    assert (settled.points_before, settled.points_after, settled.told) == (0, 76, True)
    assert outbox.told == [(ALICE, replace(settled, told=False))]
    assert rows(engine, "SELECT grade, correct, points FROM answers") == [(0.8, 1, 76)]
    assert rows(
        engine,
        "SELECT grade_before, grade_after, points_before, points_after FROM grade_corrections",
    ) == [(0.0, 0.8, 0, 76)]
    totals = rows(engine, "SELECT period, channel_id, points, answers, correct FROM scores")
    assert sorted(totals) == sorted(
        (period, scope, 76, 1, 1)
        for period in (*period_keys(clock()).values(), "season:1")
        for scope in ("", "general")
    )
    board = await engine.leaderboard(TEAM, period="all", caller=ALICE)
    assert [(r.display_name, r.points, r.correct) for r in board.rows] == [("Alice", 76, 1)]
    # FSRS: the review now has the rating of 0.8 in open mode (Good = 3), the original kept
    assert rows(engine, "SELECT rating, auto_rating FROM review_log") == [(3, 1)]
    [(state,)] = rows(engine, "SELECT state FROM cards")
    assert state == 2  # review (Good without learning steps), not relearning
    assert not await engine.disputes.open_reports(TEAM)
    with pytest.raises(QuizError, match="already settled"):
        await engine.disputes.settle(TEAM, report_id, "reject")
    assert rows(engine, "SELECT points FROM answers") == [(76,)]
    assert round_id > 0


async def test_a_later_review_is_replayed_on_the_corrected_card(
    engine: QuizEngine, clock: FakeClock
) -> None:
    first = await engine.start_review(ALICE, mode="choice")
    right = right_letter(engine, first.choices, first.question_id)
    await engine.answer(ALICE, first.round_id, choice=next(x for x in "ABCD" if x != right))
    filed = await engine.dispute(ALICE, first.round_id, "two answers are right")
    clock.advance(3 * 86_400)
    again = await engine.start_review(ALICE, mode="choice")
    assert again.question_id == first.question_id  # the overdue card comes back
    await engine.answer(
        ALICE, again.round_id, choice=right_letter(engine, again.choices, again.question_id)
    )
    card_sql = "SELECT card, due FROM cards"
    later_sql = "SELECT card_before FROM review_log ORDER BY id DESC LIMIT 1"
    before = rows(engine, card_sql), rows(engine, later_sql)
    await engine.disputes.settle(TEAM, filed.report_id, "uphold", grade="1")
    after = rows(engine, card_sql), rows(engine, later_sql)
    assert before[0] != after[0] and before[1] != after[1]  # replayed from the disputed review
    assert rows(engine, "SELECT rating, auto_rating FROM review_log ORDER BY id") == [
        (3, 1),  # Good now, Again originally
        (3, 3),
    ]
    assert rows(engine, "SELECT points FROM answers ORDER BY id") == [(20,), (20,)]  # 20 × 1


async def test_rejected_dispute_and_resolved_report_change_no_grade(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = TellingOutbox()
    engine.register_outbox("console", outbox)
    round_id, dispute_id = await disputed_open_answer(engine, clock)
    report = await engine.report_question(BOB, round_id, "typo", "second word")
    assert len(await engine.disputes.open_reports(TEAM)) == 2
    assert len(await engine.disputes.open_reports(TEAM, disputes_only=True)) == 1
    rejected = await engine.disputes.settle(TEAM, dispute_id, "reject", note="the grade stands")
    resolved = await engine.disputes.settle(TEAM, report.report_id, "RESOLVE", note="fixed")
    assert (rejected.outcome, rejected.grade_after, rejected.note) == (
        "rejected",
        None,
        "the grade stands",
    )
    assert (resolved.outcome, resolved.kind) == ("resolved", "typo")
    assert [(p.user_id, s.outcome) for p, s in outbox.told] == [
        ("alice", "rejected"),
        ("bob", "resolved"),
    ]
    assert rows(engine, "SELECT grade, points FROM answers") == [(0.0, 0)]
    assert rows(engine, "SELECT COUNT(*) FROM grade_corrections") == [(0,)]
    assert rows(engine, "SELECT outcome, resolution_note FROM reports ORDER BY id") == [
        ("rejected", "the grade stands"),
        ("resolved", "fixed"),
    ]


@pytest.mark.parametrize(
    ("report", "action", "grade", "message"),
    [
        (None, "uphold", "1.5", "from 0 to 1"),
        (None, "uphold", "lots", "from 0 to 1"),
        (None, "uphold", "nan", "from 0 to 1"),
        (None, "uphold", None, "corrected grade"),
        (None, "reject", "0.5", "Only `uphold`"),
        ("typo", "uphold", "1", "question report"),
        ("typo", "reject", None, "question report"),
        (None, "forgive", None, "Unknown action"),
    ],
)
async def test_bad_settlements_say_why_and_change_nothing(
    engine: QuizEngine,
    clock: FakeClock,
    report: str | None,
    action: str,
    grade: str | None,
    message: str,
) -> None:
    round_id, dispute_id = await disputed_open_answer(engine, clock)
    target = dispute_id
    if report is not None:
        target = (await engine.report_question(ALICE, round_id, report)).report_id
    before = rows(engine, "SELECT * FROM reports"), rows(engine, "SELECT * FROM answers")
    with pytest.raises((QuizError, InvalidOptionError), match=message):
        await engine.disputes.settle(TEAM, target, action, grade=grade)
    assert (rows(engine, "SELECT * FROM reports"), rows(engine, "SELECT * FROM answers")) == before


async def test_a_report_of_another_team_is_unknown(engine: QuizEngine, clock: FakeClock) -> None:
    _, dispute_id = await disputed_open_answer(engine, clock)
    other = Team("console", "elsewhere")
    assert await engine.disputes.open_reports(other) == ()
    with pytest.raises(QuizError, match=f"no report #{dispute_id} here"):
        await engine.disputes.settle(other, dispute_id, "reject")
    with pytest.raises(QuizError, match="no report #999 here"):
        await engine.disputes.settle(TEAM, 999, "reject")
    assert len(await engine.disputes.open_reports(None)) == 1  # the CLI sees every team


async def test_a_player_who_cannot_be_reached_is_told_later(
    engine: QuizEngine, clock: FakeClock
) -> None:
    _, dispute_id = await disputed_open_answer(engine, clock)
    settled = await engine.disputes.settle(None, dispute_id, "uphold", grade="100%")
    assert settled.told is False  # no console adapter running (as from the CLI)
    outbox = TellingOutbox()
    outbox.refusing = True
    engine.register_outbox("console", outbox)
    assert await engine.disputes.tell_pending() == 0
    outbox.refusing = False
    assert await engine.disputes.tell_pending() == 1
    [(player, told)] = outbox.told
    assert (player, told.grade_after, told.points_after) == (ALICE, 1.0, 95)
    assert await engine.disputes.tell_pending() == 0  # told once
    assert rows(engine, "SELECT notify_attempts FROM reports") == [(1,)]


async def test_untold_settlements_stay_untold_until_shown(
    engine: QuizEngine, clock: FakeClock
) -> None:
    _, dispute_id = await disputed_open_answer(engine, clock)
    await engine.disputes.settle(None, dispute_id, "reject")
    assert await engine.disputes.untold(BOB) == ()
    [notice] = await engine.disputes.untold(ALICE)
    assert (notice.report_id, notice.outcome, notice.told) == (dispute_id, "rejected", False)
    [again] = await engine.disputes.untold(ALICE)  # not shown yet (its reply failed): kept
    assert again == notice
    shown = await engine.disputes.shown(notice)
    assert shown.told is True
    assert await engine.disputes.untold(ALICE) == ()
    outbox = TellingOutbox()
    engine.register_outbox("console", outbox)
    assert await engine.disputes.tell_pending() == 0 and outbox.told == []  # told once only
