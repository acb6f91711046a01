"""The daily question: exactly-once slots, catch-up, its publications (posts, reveals, counts),
retries and streaks.

Everything runs on the injected FakeClock and a recording outbox; nobody sleeps until 9 am.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import Slot, last_slot
from bot.engine.engine import QuizEngine
from bot.engine.errors import RoundNotFoundError
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Team
from bot.engine.scoring import BASE_POINTS
from questions.loader import QuestionBank
from storage.daily_store import DailySchedule
from storage.outbox_store import OutboxStore, Publication
from storage.store import Store
from tests.conftest import FakeClock

TEAM = Team("console", "acme")
OTHER = Team("console", "globex")
GENERAL = Channel(TEAM, "general", "general")


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


MONDAY_SLOT = utc(2025, 11, 24, 8)  # 09:00 Europe/Berlin (CET)
DAY = 86_400.0


class ServerError(Exception):
    """Stands in for a 5xx / 429 / network error of a platform."""


class ChannelGone(Exception):
    """Stands in for "Unknown Channel" / "not_in_channel"."""


class MessageGone(Exception):
    """Stands in for "Unknown Message" (10008) / "message_not_found"."""


@dataclass
class RecordingOutbox:
    """A tiny outbox double: records posts and edits; fails on demand."""

    posts: list[tuple[Channel, QuestionCard | Reveal]] = field(default_factory=list)
    edits: list[tuple[MessageRef, QuestionCard | Reveal]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def _maybe_fail(self, what: str) -> None:
        self.calls.append(what)
        if self.failures:
            raise self.failures.pop(0)

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        self._maybe_fail("post")
        self.posts.append((channel, view))
        return MessageRef(channel.channel_id, f"m{len(self.posts)}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        self._maybe_fail("edit")
        self.edits.append((ref, view))

    def refuse_edits(self, error: type[Exception], message: str) -> None:
        """From now on every edit is recorded as a call and raises ``error(message)``."""

        async def refused(ref: MessageRef, view: QuestionCard | Reveal) -> None:
            self.calls.append("edit")
            raise error(message)

        self.edit = refused  # type: ignore[method-assign]

    @staticmethod
    def channel_gone(exc: BaseException) -> bool:
        return isinstance(exc, ChannelGone)

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        return isinstance(exc, MessageGone)

    def cards(self) -> list[QuestionCard]:
        return [view for _, view in self.posts if isinstance(view, QuestionCard)]

    def reveals(self) -> list[Reveal]:
        views = [view for _, view in self.posts] + [view for _, view in self.edits]
        return [view for view in views if isinstance(view, Reveal)]


@dataclass
class Harness:
    engine: QuizEngine
    outbox: RecordingOutbox
    service: DailyService

    async def publish(self) -> int:
        """What the publication worker does: publish every entry that is due."""
        return await self.engine.publications.drain()


def make(engine: QuizEngine, retry_delays: tuple[float, ...] = (2.0, 10.0)) -> Harness:
    outbox = RecordingOutbox()
    engine.register_outbox("console", outbox)
    engine.publications.retry_delays = retry_delays
    return Harness(engine, outbox, DailyService(engine, grace_s=6 * 3600))


async def started(engine: QuizEngine, retry_delays: tuple[float, ...] = (2.0, 10.0)) -> Harness:
    """A harness whose service has started (without its scheduler jobs)."""
    harness = make(engine, retry_delays)
    await harness.service.start(jobs=False)
    return harness


@pytest.fixture
async def daily(engine: QuizEngine) -> Harness:
    return await started(engine)


async def schedule_general(
    engine: QuizEngine, channel: Channel = GENERAL, **options: str
) -> DailySchedule:
    await engine.daily.set_schedule(
        channel,
        time_of_day=options.get("time", "09:00"),
        timezone=options.get("timezone", "Europe/Berlin"),
        days=options.get("days"),
        difficulty=options.get("difficulty"),
    )
    team_pk = await engine.identities.team_pk(channel.team)
    record = await engine.daily.db.schedule(team_pk, channel.channel_id)
    assert record is not None
    return record


def slot_now(record: DailySchedule, clock: FakeClock) -> Slot:
    return last_slot(spec_of(record), clock())


async def post_monday(daily: Harness, clock: FakeClock) -> tuple[DailySchedule, QuestionCard]:
    """Schedule #general, run Monday's slot and publish; the schedule and the card posted."""
    clock.now = MONDAY_SLOT
    record = await schedule_general(daily.engine)
    assert await daily.service.run_slot(record, slot_now(record, clock)) == "queued"
    await daily.publish()
    [card] = daily.outbox.cards()
    return record, card


async def outcomes_of(engine: QuizEngine, round_id: int) -> list[tuple[str, str | None]]:
    """(kind, outcome) of the round's publication entries, oldest first."""
    return [(e.kind, e.outcome) for e in await OutboxStore(engine.store).entries(round_id)]


def correct_letter(bank: QuestionBank, card: QuestionCard) -> str:
    question = bank.get(card.question_id)
    right = question.choices[question.correct_index].text
    return "ABCD"[card.choices.index(right)]


def wrong_letter(bank: QuestionBank, card: QuestionCard) -> str:
    right = correct_letter(bank, card)
    return next(letter for letter in "ABCD" if letter != right)


def player(name: str, team: Team = TEAM) -> Player:
    return Player(team, name, name.title())


# -- restarts and the grace window ------------------------------------------------------------


async def test_restart_before_at_and_after_the_slot(daily: Harness, clock: FakeClock) -> None:
    clock.now = MONDAY_SLOT + DAY - 3600  # Tuesday 08:00 Berlin: before the slot
    await schedule_general(daily.engine)
    assert await daily.service.catch_up() == []  # Monday's slot is 23 h old: skipped
    await daily.publish()
    assert daily.outbox.posts == []

    clock.now = MONDAY_SLOT + DAY  # at the slot
    assert await daily.service.catch_up() == ["queued"]
    await daily.publish()
    restarted = await started(daily.engine)
    assert await restarted.service.catch_up() == []  # a restart at the slot posts nothing more
    await restarted.publish()
    assert len(daily.outbox.cards()) == 1 and restarted.outbox.posts == []


@pytest.mark.parametrize(("late_h", "posted"), [(0.5, True), (5.9, True), (6.1, False)])
async def test_missed_slot_is_caught_up_within_the_grace_only(
    daily: Harness, clock: FakeClock, late_h: float, posted: bool
) -> None:
    clock.now = MONDAY_SLOT - 3600
    await schedule_general(daily.engine)
    clock.now = MONDAY_SLOT + late_h * 3600
    outcomes = await daily.service.catch_up()
    assert outcomes == (["queued"] if posted else [])
    await daily.publish()
    assert len(daily.outbox.posts) == (1 if posted else 0)
    if posted:
        [card] = daily.outbox.cards()
        assert card.kind == "daily" and card.mode == "choice"
        assert card.closes_at == MONDAY_SLOT + DAY  # closes at the next slot


async def test_two_engines_on_one_database_race_for_one_slot(
    daily: Harness, engine: QuizEngine, bank: QuestionBank, clock: FakeClock, tmp_path: Path
) -> None:
    clock.now = MONDAY_SLOT
    record = await schedule_general(engine)
    other_store = await Store.open(tmp_path / "quizbot.db")
    try:
        replica = await started(QuizEngine(other_store, bank, clock=clock, rng=random.Random(3)))
        slot = slot_now(record, clock)
        outcomes = await asyncio.gather(
            daily.service.run_slot(record, slot),
            replica.service.run_slot(record, slot),
            daily.service.run_slot(record, slot),
        )
        assert sorted(outcomes) == ["queued", "taken", "taken"]
        await asyncio.gather(daily.publish(), replica.publish())  # both workers run
        assert len(daily.outbox.posts) + len(replica.outbox.posts) == 1
    finally:
        await other_store.close()


# -- platform failures ------------------------------------------------------------------------


async def test_server_error_then_success_posts_once(daily: Harness, clock: FakeClock) -> None:
    clock.now = MONDAY_SLOT
    record = await schedule_general(daily.engine)
    daily.outbox.failures = [ServerError("503 Service Unavailable")]
    assert await daily.service.run_slot(record, slot_now(record, clock)) == "queued"
    await daily.publish()
    assert daily.outbox.calls == ["post"]  # refused: retried after the first backoff
    clock.advance(2.0)
    await daily.publish()
    assert daily.outbox.calls == ["post", "post"]
    assert len(daily.outbox.posts) == 1
    team_pk = record.team_pk
    assert await daily.engine.daily.db.slot_state(team_pk, "general", "2025-11-24") == "posted"


async def test_giving_up_never_marks_posted(
    daily: Harness, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.now = MONDAY_SLOT
    record = await schedule_general(daily.engine)
    daily.outbox.failures = [ServerError("502"), ServerError("429"), ServerError("timeout")]
    assert await daily.service.run_slot(record, slot_now(record, clock)) == "queued"
    with caplog.at_level(logging.ERROR, logger="bot.engine.publishing"):
        for wait in (0.0, 2.0, 10.0):
            clock.advance(wait)
            await daily.publish()
    assert daily.outbox.calls == ["post"] * 3 and daily.outbox.posts == []
    assert [r.message for r in caplog.records if "gave up" in r.message] != []
    db = daily.engine.daily.db
    assert await db.slot_state(record.team_pk, "general", "2025-11-24") == "failed"
    assert await db.open_rounds(record.team_pk, "general") == []
    assert await daily.service.catch_up() == []  # the failed day is not posted twice
    clock.advance(3600)
    await daily.publish()
    assert daily.outbox.calls == ["post"] * 3


async def test_deleted_channel_pauses_the_schedule(
    daily: Harness, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.now = MONDAY_SLOT
    record = await schedule_general(daily.engine)
    daily.outbox.failures = [ChannelGone("Unknown Channel")]
    assert await daily.service.run_slot(record, slot_now(record, clock)) == "queued"
    with caplog.at_level(logging.WARNING, logger="bot.engine.daily_rounds"):
        await daily.publish()
    assert daily.outbox.calls == ["post"]  # not retried
    assert any("paused the schedule of channel general" in r.message for r in caplog.records)
    assert await daily.engine.daily.db.active_schedules() == []
    [shown] = await daily.engine.daily.schedules(TEAM)
    assert shown.paused and "PAUSED" in shown.describe()
    round_id = await daily.engine.daily.db.slot_round(record.team_pk, "general", "2025-11-24")
    assert round_id is not None
    assert await outcomes_of(daily.engine, round_id) == [("daily_post", "gone")]
    clock.now += DAY
    assert await daily.service.catch_up() == []
    await daily.publish()
    assert daily.outbox.calls == ["post"]
    # Setting the schedule again resumes it.
    await schedule_general(daily.engine)
    assert len(await daily.engine.daily.db.active_schedules()) == 1


# -- reveals ----------------------------------------------------------------------------------


async def test_reveal_shows_answer_distribution_streaks_and_weekly_top(
    daily: Harness, bank: QuestionBank, clock: FakeClock
) -> None:
    record, card = await post_monday(daily, clock)
    right, wrong = correct_letter(bank, card), wrong_letter(bank, card)
    for name, letter in (("alice", right), ("bob", wrong), ("carol", right)):
        clock.advance(60)
        await daily.engine.answer(player(name), card.round_id, choice=letter)

    clock.now = MONDAY_SLOT + DAY
    assert await daily.service.run_slot(record, slot_now(record, clock)) == "queued"
    assert daily.outbox.edits == []  # queued, not yet published
    await daily.publish()
    [(ref, reveal)] = daily.outbox.edits
    assert ref == MessageRef("general", "m1")  # the question message becomes its reveal
    assert isinstance(reveal, Reveal) and reveal.kind == "daily"
    assert reveal.round_id == card.round_id and reveal.answer_count == 3
    tallies = {t.letter: t.count for t in reveal.tallies}
    assert tallies[right] == 2 and tallies[wrong] == 1 and sum(tallies.values()) == 3
    assert reveal.correct_letter == right
    assert reveal.correct_players == ("Alice", "Carol")
    assert reveal.top_streaks == (("Alice", 1), ("Carol", 1))
    assert [row.display_name for row in reveal.weekly_top][:2] == ["Alice", "Carol"]
    assert len(reveal.weekly_top) <= 5
    assert daily.outbox.calls == ["post", "edit", "post"]  # reveal first, then the new question


async def test_reveal_is_not_lost_when_the_publication_fails(
    engine: QuizEngine, bank: QuestionBank, clock: FakeClock, tmp_path: Path
) -> None:
    harness = await started(engine)
    record, first = await post_monday(harness, clock)
    clock.now = MONDAY_SLOT + DAY
    harness.outbox.failures = [ServerError("500")]  # the reveal's edit fails once
    assert await harness.service.run_slot(record, slot_now(record, clock)) == "queued"
    await harness.publish()
    assert harness.outbox.reveals() == [] and len(harness.outbox.cards()) == 2
    assert await outcomes_of(engine, first.round_id) == [("daily_post", "published"),
                                                          ("reveal", None)]  # fmt: skip
    # Another process on the same database publishes it once its time has come.
    other_store = await Store.open(tmp_path / "quizbot.db")
    try:
        replica = await started(QuizEngine(other_store, bank, clock=clock))
        await replica.publish()
        assert replica.outbox.reveals() == []  # not yet: the backoff
        clock.advance(2.0)
        await replica.publish()
        [reveal] = replica.outbox.reveals()
        assert reveal.round_id == first.round_id
    finally:
        await other_store.close()
    assert (await outcomes_of(engine, first.round_id))[-1] == ("reveal", "published")


async def test_configured_close_time_reveals_on_the_sweep(daily: Harness, clock: FakeClock) -> None:
    clock.now = MONDAY_SLOT
    await daily.engine.daily.set_schedule(
        GENERAL, time_of_day="09:00", timezone="Europe/Berlin", close="17:00"
    )
    [record] = await daily.engine.daily.db.active_schedules()
    await daily.service.run_slot(record, slot_now(record, clock))
    await daily.publish()
    [card] = daily.outbox.cards()
    assert card.closes_at == MONDAY_SLOT + 8 * 3600
    clock.now = MONDAY_SLOT + 8 * 3600 - 1
    await daily.service.sweep()
    await daily.publish()
    assert daily.outbox.reveals() == []
    clock.now += 1
    await daily.service.sweep()
    await daily.publish()
    assert [r.round_id for r in daily.outbox.reveals()] == [card.round_id]


async def test_live_answer_count_is_edited_at_most_once_per_tick(
    daily: Harness, bank: QuestionBank, clock: FakeClock
) -> None:
    _, card = await post_monday(daily, clock)
    assert await daily.service.refresh_counts() == 0
    for name in ("alice", "bob"):
        await daily.engine.answer(player(name), card.round_id, choice="A")
    assert await daily.service.refresh_counts() == 1
    assert await daily.service.refresh_counts() == 0  # one waits already
    await daily.publish()
    [(ref, edited)] = daily.outbox.edits
    assert isinstance(edited, QuestionCard) and edited.answer_count == 2
    assert ref == MessageRef("general", "m1")
    assert await daily.service.refresh_counts() == 0  # the message shows the count now
    await daily.engine.answer(player("carol"), card.round_id, choice="A")
    assert await daily.service.refresh_counts() == 1
    await daily.publish()
    assert [view.answer_count for _, view in daily.outbox.edits] == [2, 3]


# -- streaks ----------------------------------------------------------------------------------


async def run_day(daily: Harness, record: DailySchedule, day: int) -> QuestionCard:
    daily.engine.clock.now = MONDAY_SLOT + day * DAY  # type: ignore[attr-defined]
    assert await daily.service.run_slot(record, slot_now(record, daily.engine.clock)) == "queued"  # type: ignore[arg-type]
    await daily.publish()
    return daily.outbox.cards()[-1]


async def test_streaks_continue_end_and_earn_a_capped_bonus(
    daily: Harness, bank: QuestionBank, clock: FakeClock
) -> None:
    record = await schedule_general(daily.engine)
    plan = [("alice", True), ("bob", True)], [("alice", True), ("bob", False)], [("alice", True)]
    points: list[int] = []
    for day, answers in enumerate(plan):
        card = await run_day(daily, record, day)
        for name, right in answers:
            letter = correct_letter(bank, card) if right else wrong_letter(bank, card)
            feedback = await daily.engine.answer(player(name), card.round_id, choice=letter)
            if name == "alice":
                base = BASE_POINTS[card.difficulty]
                points.append(feedback.points)
                assert feedback.points == round(base * (1 + 0.1 * day))  # streak bonus
    await run_day(daily, record, 3)  # closes day 2
    alice = await daily.engine.stats(player("alice"))
    bob = await daily.engine.stats(player("bob"))
    assert (alice.current_streak, alice.best_streak) == (3, 3)
    assert (bob.current_streak, bob.best_streak) == (0, 1)  # wrong on day 1, missed day 2
    await run_day(daily, record, 4)  # alice missed day 3: her streak ends
    alice = await daily.engine.stats(player("alice"))
    assert (alice.current_streak, alice.best_streak) == (0, 3)
    assert len(points) == 3


def test_streak_bonus_is_capped() -> None:
    from bot.engine.scoring import streak_multiplier, with_streak_bonus

    assert streak_multiplier(0) == 1.0 and streak_multiplier(3) == pytest.approx(1.3)
    assert streak_multiplier(5) == streak_multiplier(50) == 1.5
    assert with_streak_bonus(200, 10) == 300 and with_streak_bonus(0, 4) == 0


def test_streak_rule_continues_starts_and_ends_streaks() -> None:
    from bot.engine.daily_rounds import streak_rule
    from storage.daily_store import StreakFacts, StreakRow

    rows = (
        StreakRow(1, 2, 2, "2025-11-24"),  # answered yesterday: continues
        StreakRow(2, 0, 4, "2025-11-20"),  # lost it before: starts again
        StreakRow(3, 5, 5, "2025-11-24"),  # missed today: ends
    )
    facts = StreakFacts(1, "general", "2025-11-25", False, "2025-11-24", (1, 2, 4), rows)
    assert sorted(streak_rule(facts), key=lambda row: row.player_pk) == [
        StreakRow(1, 3, 3, "2025-11-25"),
        StreakRow(2, 1, 4, "2025-11-25"),
        StreakRow(3, 0, 5, "2025-11-24"),
        StreakRow(4, 1, 1, "2025-11-25"),
    ]
    trial = StreakFacts(1, "general", "2025-11-25@10:00:00+0100", True, None, (1,), rows)
    assert streak_rule(trial) == []  # a trial posted by hand changes no streak


# -- isolation --------------------------------------------------------------------------------


async def test_teams_have_their_own_schedules_rounds_and_reveals(
    daily: Harness, bank: QuestionBank, clock: FakeClock
) -> None:
    clock.now = MONDAY_SLOT
    mine = await schedule_general(daily.engine)
    theirs = await schedule_general(daily.engine, Channel(OTHER, "general", "general"))
    assert [s.channel_id for s in await daily.engine.daily.schedules(OTHER)] == ["general"]
    assert await daily.service.catch_up() == ["queued", "queued"]
    await daily.publish()
    cards = {channel.team: view for channel, view in daily.outbox.posts}
    assert set(cards) == {TEAM, OTHER}
    with pytest.raises(RoundNotFoundError):
        await daily.engine.answer(player("mallory", OTHER), cards[TEAM].round_id, choice="A")
    await daily.engine.answer(player("alice"), cards[TEAM].round_id, choice="A")
    await daily.engine.daily.disable(Channel(OTHER, "general"))
    assert await daily.engine.daily.schedules(OTHER) == ()
    assert await daily.engine.daily.schedules(TEAM) != ()
    clock.now += DAY
    assert await daily.service.run_slot(mine, slot_now(mine, clock)) == "queued"
    await daily.publish()
    reveals = daily.outbox.reveals()
    assert [r.round_id for r in reveals] == [cards[TEAM].round_id]
    assert reveals[0].answer_count == 1
    assert all(row.display_name != "Mallory" for row in reveals[0].weekly_top)
    assert theirs.id != mine.id


async def test_admin_validation_saves_nothing(daily: Harness) -> None:
    from bot.engine.daily_schedule import ScheduleError

    with pytest.raises(ScheduleError, match="HH:MM"):
        await daily.engine.daily.set_schedule(GENERAL, time_of_day="9", timezone="UTC")
    with pytest.raises(ScheduleError, match="Europe/Berlin"):
        await daily.engine.daily.set_schedule(GENERAL, time_of_day="09:00", timezone="Berlin")
    assert await daily.engine.daily.schedules(TEAM) == ()


async def test_post_now_posts_without_taking_the_scheduled_slot(
    daily: Harness, clock: FakeClock
) -> None:
    clock.now = MONDAY_SLOT - 3 * 3600
    await schedule_general(daily.engine)
    card = await daily.engine.daily.post_now(GENERAL)
    assert card.kind == "daily" and daily.outbox.cards() == []  # queued: the worker posts it
    await daily.publish()
    assert [c.round_id for c in daily.outbox.cards()] == [card.round_id]
    clock.now = MONDAY_SLOT
    assert await daily.service.catch_up() == ["queued"]  # the 09:00 post still happens
    await daily.publish()
    assert [r.round_id for r in daily.outbox.reveals()] == [card.round_id]


# -- APScheduler wiring -----------------------------------------------------------------------


async def test_scheduler_arms_the_next_slot_and_rearms_on_change(
    engine: QuizEngine, clock: FakeClock
) -> None:
    clock.now = utc(2030, 1, 7, 16)  # a Monday afternoon (real time never reaches it)
    harness = make(engine)
    await harness.service.start()
    try:
        record = await schedule_general(engine, days="mon-fri")
        await harness.service.resync()
        job = harness.service.scheduler.get_job(harness.service.job_id(record))
        assert job.next_run_time == datetime(2030, 1, 8, 8, tzinfo=UTC)
        clock.now = utc(2030, 1, 11, 16)  # Friday afternoon → Monday
        record = await schedule_general(engine, time="10:30", days="mon-fri")
        await harness.service.resync()
        job = harness.service.scheduler.get_job(harness.service.job_id(record))
        assert job.next_run_time == datetime(2030, 1, 14, 9, 30, tzinfo=UTC)
        await engine.daily.disable(GENERAL)
        await harness.service.resync()
        assert harness.service.scheduler.get_job(harness.service.job_id(record)) is None
        assert harness.service.scheduler.get_job("daily:counts") is not None
    finally:
        await harness.service.stop()
    assert harness.service.scheduler is None


async def test_a_schedule_set_in_this_process_is_armed_without_waiting_for_the_sweep(
    engine: QuizEngine, clock: FakeClock
) -> None:
    clock.now = utc(2030, 1, 7, 16)
    harness = make(engine)
    await harness.service.start()
    try:
        record = await schedule_general(engine, days="mon-fri")
        for _ in range(100):  # the service watches engine.daily.schedules_changed
            if harness.service.scheduler.get_job(harness.service.job_id(record)) is not None:
                break
            await asyncio.sleep(0.01)
        job = harness.service.scheduler.get_job(harness.service.job_id(record))
        assert job.next_run_time == datetime(2030, 1, 8, 8, tzinfo=UTC)
    finally:
        await harness.service.stop()


# -- audited gaps -----------------------------------------------------------------------------


async def test_a_slot_that_finds_no_outbox_is_posted_once_the_adapter_registers(
    engine: QuizEngine, clock: FakeClock
) -> None:
    clock.now = MONDAY_SLOT - 60
    record = await schedule_general(engine)
    service = DailyService(engine)
    await service.start(jobs=False)
    try:
        clock.now = MONDAY_SLOT + 5
        await service._fire(record.id, slot_now(record, clock))  # the slot's job: no adapter yet
        db = engine.daily.db
        assert await db.slot_state(record.team_pk, "general", "2025-11-24") is None
        clock.now = MONDAY_SLOT + 3600  # the adapter comes an hour later, within the grace
        outbox = RecordingOutbox()
        engine.register_outbox("console", outbox)
        await asyncio.wait_for(service.catch_up_when_ready("console"), 5)
        await engine.publications.drain()
        assert len(outbox.cards()) == 1
        assert await db.slot_state(record.team_pk, "general", "2025-11-24") == "posted"
        assert await service.catch_up() == []  # and only once
    finally:
        await service.stop()


async def test_a_count_edit_in_flight_lands_before_the_reveal(
    daily: Harness, clock: FakeClock
) -> None:
    _, card = await post_monday(daily, clock)
    await daily.engine.answer(player("alice"), card.round_id, choice="A")
    entered, gate = asyncio.Event(), asyncio.Event()
    plain_edit = daily.outbox.edit

    async def slow_edit(ref: MessageRef, view: QuestionCard | Reveal) -> None:
        if isinstance(view, QuestionCard):
            entered.set()
            await gate.wait()  # the platform is slow to accept the count edit
        await plain_edit(ref, view)

    daily.outbox.edit = slow_edit  # type: ignore[method-assign]
    daily.engine.publications.lease_s = 2 * DAY  # outlasts the fake clock's jump to the close
    assert await daily.service.refresh_counts() == 1
    counting = asyncio.create_task(daily.engine.publications.run_once())
    await asyncio.wait_for(entered.wait(), 5)
    clock.now = MONDAY_SLOT + DAY
    await daily.service.sweep()  # closes the round and queues its reveal
    # While the count edit holds its lease, no worker takes the round's reveal.
    assert await daily.engine.publications.run_once() == 0
    gate.set()
    assert await counting == 1
    await daily.publish()
    assert [type(view) for _, view in daily.outbox.edits] == [QuestionCard, Reveal]


async def test_a_count_edit_never_lands_over_a_reveal(daily: Harness, clock: FakeClock) -> None:
    _, card = await post_monday(daily, clock)
    await daily.engine.answer(player("alice"), card.round_id, choice="A")
    assert await daily.service.refresh_counts() == 1

    async def close_meanwhile(platform: str, entry: Publication) -> None:
        if entry.kind == "count":  # claimed while open; the round closes before the edit
            clock.now = MONDAY_SLOT + DAY
            await daily.service.sweep()

    daily.engine.publications.pace = close_meanwhile
    daily.engine.publications.lease_s = 2 * DAY  # outlasts the fake clock's jump to the close
    await daily.publish()
    assert [type(view) for _, view in daily.outbox.edits] == [Reveal]
    assert await outcomes_of(daily.engine, card.round_id) == [
        ("daily_post", "published"),
        ("count", "abandoned"),
        ("reveal", "published"),
    ]


async def test_closing_a_round_drops_its_waiting_count_edit(
    daily: Harness, clock: FakeClock
) -> None:
    _, card = await post_monday(daily, clock)
    await daily.engine.answer(player("alice"), card.round_id, choice="A")
    assert await daily.service.refresh_counts() == 1
    clock.now = MONDAY_SLOT + DAY
    await daily.service.sweep()
    assert [kind for kind, _ in await outcomes_of(daily.engine, card.round_id)] == [
        "daily_post",
        "reveal",
    ]
    await daily.publish()
    assert [type(view) for _, view in daily.outbox.edits] == [Reveal]


async def test_a_trial_now_neither_breaks_nor_extends_a_streak(
    daily: Harness, bank: QuestionBank, clock: FakeClock
) -> None:
    record = await schedule_general(daily.engine)
    db = daily.engine.daily.db
    for day in range(3):
        card = await run_day(daily, record, day)
        for name in ("alice", "bob"):
            letter = correct_letter(bank, card)
            await daily.engine.answer(player(name), card.round_id, choice=letter)
        if day == 1:
            clock.advance(2 * 3600)
            trial = await daily.engine.daily.post_now(GENERAL)
            await daily.publish()
            # the scheduled round is neither closed nor revealed by the trial
            assert await db.open_rounds(record.team_pk, "general") == [
                card.round_id,
                trial.round_id,
            ]
            assert daily.outbox.reveals()[-1].round_id != card.round_id
            # bob answers the trial, alice ignores it: neither changes a streak
            await daily.engine.answer(
                player("bob"), trial.round_id, choice=correct_letter(bank, trial)
            )
    await run_day(daily, record, 3)  # closes day 2
    for name in ("alice", "bob"):
        stats = await daily.engine.stats(player(name))
        assert (stats.current_streak, stats.best_streak) == (3, 3), name
    assert trial.round_id in [r.round_id for r in daily.outbox.reveals()]


async def test_a_deleted_question_gets_its_reveal_as_a_new_message(
    daily: Harness, clock: FakeClock
) -> None:
    record, card = await post_monday(daily, clock)
    daily.outbox.refuse_edits(MessageGone, "404 Not Found (error code: 10008): Unknown Message")
    clock.now = MONDAY_SLOT + DAY
    assert await daily.service.run_slot(record, slot_now(record, clock)) == "queued"
    await daily.publish()
    assert daily.outbox.calls == ["post", "edit", "post", "post"]
    channel, reveal = daily.outbox.posts[1]
    assert channel.channel_id == "general"
    assert isinstance(reveal, Reveal) and reveal.round_id == card.round_id
    assert (await outcomes_of(daily.engine, card.round_id))[-1] == ("reveal", "published")


async def test_a_reveal_that_never_succeeds_is_given_up(
    engine: QuizEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await started(engine)
    record, card = await post_monday(harness, clock)
    harness.outbox.refuse_edits(ServerError, "500 Internal Server Error")
    clock.now = MONDAY_SLOT + DAY
    assert await harness.service.run_slot(record, slot_now(record, clock)) == "queued"
    with caplog.at_level(logging.ERROR, logger="bot.engine.publishing"):
        for _ in range(10):
            await harness.publish()
            clock.advance(600)
    assert harness.outbox.calls.count("edit") == 3  # the first attempt and two retries
    assert (await outcomes_of(engine, card.round_id))[-1] == ("reveal", "given_up")
    assert len([r for r in caplog.records if "gave up the reveal of round" in r.message]) == 1


async def test_one_stuck_reveal_does_not_hold_back_the_others(
    engine: QuizEngine, clock: FakeClock
) -> None:
    harness = await started(engine)
    clock.now = MONDAY_SLOT
    first = await schedule_general(engine)
    second = await schedule_general(engine, Channel(TEAM, "random", "random"))
    for record in (first, second):
        assert await harness.service.run_slot(record, slot_now(record, clock)) == "queued"
    await harness.publish()
    plain_edit = harness.outbox.edit

    async def edit(ref: MessageRef, view: QuestionCard | Reveal) -> None:
        if ref.channel_id == "general":
            raise ServerError("503")
        await plain_edit(ref, view)

    harness.outbox.edit = edit  # type: ignore[method-assign]
    clock.now = MONDAY_SLOT + DAY
    await harness.service.sweep()
    await harness.publish()
    [reveal] = harness.outbox.reveals()
    assert harness.outbox.edits[0][0].channel_id == "random"
    general = await engine.daily.db.slot_round(first.team_pk, "general", "2025-11-24")
    assert reveal.round_id == await engine.daily.db.slot_round(second.team_pk, "random",
                                                               "2025-11-24")  # fmt: skip
    assert general is not None
    assert (await outcomes_of(engine, general))[-1] == ("reveal", None)  # retried later


async def test_a_slot_claimed_but_never_posted_is_abandoned_without_a_reveal(
    engine: QuizEngine, clock: FakeClock
) -> None:
    clock.now = MONDAY_SLOT
    record = await schedule_general(engine)
    db = engine.daily.db
    # The bot stopped after claiming the slot and opening its round, before queueing its post.
    slot = slot_now(record, clock)
    slot_id = await db.claim(record.team_pk, "general", slot.key, slot.at, clock())
    assert slot_id is not None
    unseen = await engine.daily.open_round(GENERAL, spec_of(record), slot)

    clock.advance(600)
    harness = await started(engine)
    assert await db.slot_state(record.team_pk, "general", slot.key) == "failed"
    assert await db.open_rounds(record.team_pk, "general") == []
    assert await harness.service.catch_up() == []  # at most once: not posted again
    clock.now = MONDAY_SLOT + DAY
    assert await harness.service.catch_up() == ["queued"]
    await harness.publish()
    assert harness.outbox.reveals() == []  # nobody saw that question: no reveal
    assert await outcomes_of(engine, unseen.round_id) == []


def test_reveal_share_of_each_option() -> None:
    from bot.engine.model import ChoiceTally

    tallies = (ChoiceTally("A", "x", 3, True), ChoiceTally("B", "y", 1, False))
    reveal = Reveal(1, "q", "choice", "?", "A", "x", "", tallies, 4, (), None)
    assert [reveal.share(t) for t in tallies] == [0.75, 0.25]
    empty = Reveal(1, "q", "choice", "?", "A", "x", "", tallies[:0], 0, (), None)
    assert empty.share(tallies[0]) == 0.0
