"""The publication worker: leases, two workers on one database, gone channels and messages,
backoff, counts never over reveals, and user requests that never wait for a platform."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, Player, QuestionCard
from bot.engine.publishing import LEASE_S, RETRY_DELAYS_S
from bot.publisher import Publisher
from questions.loader import QuestionBank
from storage.outbox_store import OutboxStore, Publication
from storage.store import Store
from tests.conftest import FakeClock
from tests.publishing.support import (
    GENERAL,
    TEAM,
    ChannelGone,
    MessageGone,
    PlatformOutbox,
    ServerError,
    closed_quiz_round,
    outcomes,
)


@pytest.fixture
async def replica(
    tmp_path: Path, store: Store, bank: QuestionBank, clock: FakeClock
) -> AsyncIterator[QuizEngine]:
    """A second engine (another process, as far as the database knows) on the same file."""
    other = await Store.open(tmp_path / "quizbot.db")
    yield QuizEngine(other, bank, clock=clock, rng=random.Random(11), round_seconds=60)
    await other.close()


# -- leases ------------------------------------------------------------------------------------


async def test_an_entry_whose_worker_never_finishes_is_published_after_its_lease(
    engine: QuizEngine, replica: QuizEngine, clock: FakeClock
) -> None:
    stuck = PlatformOutbox(hold=True)  # this worker's platform call never returns
    engine.register_outbox("console", stuck)
    round_id = await closed_quiz_round(engine)
    first = asyncio.create_task(engine.publications.run_once())
    await asyncio.wait_for(stuck.holding.wait(), 5)

    healthy = PlatformOutbox()
    replica.register_outbox("console", healthy)
    assert await replica.publications.drain() == 0  # the lease holds: nobody else takes it
    clock.advance(LEASE_S + 1)
    assert await replica.publications.drain() == 1
    assert healthy.reveals() == [round_id]
    assert await outcomes(engine, round_id) == [("reveal", "published")]
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)


async def test_two_workers_never_publish_one_entry_at_once(
    engine: QuizEngine, replica: QuizEngine, clock: FakeClock
) -> None:
    shared = PlatformOutbox()  # one platform, two workers talking to it
    engine.register_outbox("console", shared)
    replica.register_outbox("console", shared)
    round_ids = [
        await closed_quiz_round(engine, Channel(TEAM, f"room-{n}", f"room-{n}")) for n in range(24)
    ]
    handled = await asyncio.gather(
        engine.publications.drain(), replica.publications.drain(), engine.publications.drain()
    )
    assert sum(handled) == len(round_ids)
    assert sorted(shared.reveals()) == sorted(round_ids)  # each once
    assert set(shared.most_at_once.values()) == {1}
    for round_id in round_ids:
        assert await outcomes(engine, round_id) == [("reveal", "published")]


async def test_a_worker_that_lost_its_lease_records_nothing(
    engine: QuizEngine, replica: QuizEngine, clock: FakeClock
) -> None:
    engine.register_outbox("console", PlatformOutbox())
    round_id = await closed_quiz_round(engine)
    queue = OutboxStore(engine.store)
    [mine] = await queue.claim("first", clock(), lease_s=10, limit=5, platforms=["console"])
    clock.advance(11)
    [theirs] = await queue.claim("second", clock(), lease_s=10, limit=5, platforms=["console"])
    assert mine.id == theirs.id
    assert not await queue.finish(mine.id, "first", "published", clock())  # too late
    assert await outcomes(engine, round_id) == [("reveal", None)]
    assert await queue.finish(theirs.id, "second", "published", clock())


# -- gone channels and messages ------------------------------------------------------------------


async def test_a_gone_channel_ends_the_entry_and_pauses_the_schedule(
    engine: QuizEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = PlatformOutbox(failures=[ChannelGone("Unknown Channel")])
    engine.register_outbox("console", outbox)
    await engine.daily.set_schedule(GENERAL, time_of_day="09:00", timezone="UTC")
    round_id = await closed_quiz_round(engine)
    with caplog.at_level(logging.WARNING):
        assert await engine.publications.drain() == 1
    assert await outcomes(engine, round_id) == [("reveal", "gone")]
    [schedule] = await engine.daily.schedules(TEAM)
    assert schedule.paused == "Unknown Channel"
    assert [r.message for r in caplog.records if "paused the schedule" in r.message] != []
    for _ in range(3):  # never retried
        clock.advance(max(RETRY_DELAYS_S))
        assert await engine.publications.drain() == 0
    assert len(outbox.calls) == 1


async def test_a_gone_message_gets_the_reveal_posted_anew(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = PlatformOutbox(edit_failures=[MessageGone("Unknown Message")])
    engine.register_outbox("console", outbox)
    card = await engine.start_round(GENERAL, None)
    await engine.attach_message(TEAM, card.round_id, MessageRef("general", "m0"))
    clock.advance(61)
    await engine.close_due_rounds()
    assert await engine.publications.drain() == 1
    assert [what for what, _ in outbox.calls] == ["edit", "post"]
    assert outbox.reveals() == [card.round_id, card.round_id]
    assert await outcomes(engine, card.round_id) == [("reveal", "published")]


# -- backoff -----------------------------------------------------------------------------------


async def test_backoff_then_given_up_with_one_log_line(
    engine: QuizEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    refusals = len(RETRY_DELAYS_S) + 1
    outbox = PlatformOutbox(failures=[ServerError("503") for _ in range(refusals + 5)])
    engine.register_outbox("console", outbox)
    round_id = await closed_quiz_round(engine)
    queue = OutboxStore(engine.store)
    with caplog.at_level(logging.ERROR, logger="bot.engine.publishing"):
        for attempt, delay in enumerate(RETRY_DELAYS_S, start=1):
            assert await engine.publications.drain() == 1
            [entry] = await queue.entries(round_id)
            assert (entry.attempts, entry.due_at, entry.outcome) == (attempt, clock() + delay, None)
            assert await engine.publications.drain() == 0  # nothing before its time
            clock.advance(delay)
        assert await engine.publications.drain() == 1
    assert await outcomes(engine, round_id) == [("reveal", "given_up")]
    assert len(outbox.calls) == refusals
    [line] = [r.message for r in caplog.records if r.levelno >= logging.ERROR]
    assert f"gave up the reveal of round {round_id} after {refusals} attempts" in line
    clock.advance(3600)
    assert await engine.publications.drain() == 0


# -- counts and reveals ------------------------------------------------------------------------


async def _posted_daily(engine: QuizEngine, clock: FakeClock) -> QuestionCard:
    await engine.daily.set_schedule(GENERAL, time_of_day="09:00", timezone="UTC")
    [schedule] = await engine.daily.db.active_schedules()
    assert await engine.daily.run_slot(schedule, last_slot(spec_of(schedule), clock())) == "queued"
    assert await engine.publications.drain() == 1
    round_id = await engine.daily.db.open_rounds(schedule.team_pk, "general")
    card, _ = await engine.daily.card(round_id[-1])
    return card


async def test_a_count_edit_held_by_one_worker_keeps_the_reveal_from_another(
    engine: QuizEngine, replica: QuizEngine, clock: FakeClock
) -> None:
    slow = PlatformOutbox()
    engine.register_outbox("console", slow)
    card = await _posted_daily(engine, clock)
    await engine.answer(Player(TEAM, "alice", "Alice"), card.round_id, choice="A")
    assert await engine.daily.queue_counts() == 1
    slow.hold = True
    counting = asyncio.create_task(engine.publications.run_once())
    await asyncio.wait_for(slow.holding.wait(), 5)  # the count edit is at the platform

    other = PlatformOutbox()
    replica.register_outbox("console", other)
    assert await replica.daily.close(card.round_id)  # the round closes; its reveal is queued
    assert await replica.publications.drain() == 0  # not while the count edit holds its lease
    slow.release()
    assert await counting == 1
    assert await replica.publications.drain() == 1
    assert [type(view).__name__ for _, view in slow.calls + other.calls] == [
        "QuestionCard",  # the daily post
        "QuestionCard",  # the count edit
        "Reveal",
    ]


async def test_a_count_edit_claimed_before_the_close_is_not_made_after_it(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    card = await _posted_daily(engine, clock)
    await engine.answer(Player(TEAM, "alice", "Alice"), card.round_id, choice="A")
    assert await engine.daily.queue_counts() == 1

    async def close_first(platform: str, entry: Publication) -> None:
        if entry.kind == "count":
            assert await engine.daily.close(entry.round_id)

    engine.publications.pace = close_first
    await engine.publications.drain()
    assert [what for what, _ in outbox.calls] == ["post", "edit"]
    assert outbox.reveals() == [card.round_id]  # the one edit is the reveal
    assert await outcomes(engine, card.round_id) == [
        ("daily_post", "published"),
        ("count", "abandoned"),
        ("reveal", "published"),
    ]


# -- user requests only queue --------------------------------------------------------------------


async def test_user_requests_return_while_the_platform_holds_the_reveal(
    engine: QuizEngine, clock: FakeClock
) -> None:
    slow = PlatformOutbox(hold=True)
    engine.register_outbox("console", slow)
    timed_out = await engine.start_round(GENERAL, None)
    other = Channel(TEAM, "random", "random")
    answered = await engine.start_round(other, None)
    clock.advance(61)
    # /quiz and an answer both close the due rounds first: they queue, never publish.
    card = await asyncio.wait_for(engine.start_round(GENERAL, None), 5)
    assert card.round_id not in (timed_out.round_id, answered.round_id)
    assert slow.calls == []
    publisher = Publisher(engine.publications, tick_s=0.05)
    publisher.start()
    try:
        await asyncio.wait_for(slow.holding.wait(), 5)  # the worker is stuck at the platform
        late = await asyncio.wait_for(engine.start_round(other, None), 5)
        feedback = await asyncio.wait_for(
            engine.answer(Player(TEAM, "bob", "Bob"), late.round_id, choice="A"), 5
        )
        assert feedback.round_id == late.round_id
        slow.release()
        for _ in range(500):
            if sorted(slow.reveals()) == sorted([timed_out.round_id, answered.round_id]):
                break
            await asyncio.sleep(0.01)
        assert sorted(slow.reveals()) == sorted([timed_out.round_id, answered.round_id])
    finally:
        await publisher.stop()


# -- bounded batches, pace ---------------------------------------------------------------------


async def test_entries_are_claimed_in_due_order_in_bounded_batches(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    rooms = [Channel(TEAM, f"room-{n}", f"room-{n}") for n in range(7)]
    round_ids = [await closed_quiz_round(engine, room) for room in rooms]
    paced: list[tuple[str, int]] = []

    async def pace(platform: str, entry: Publication) -> None:
        paced.append((platform, entry.round_id))

    engine.publications.pace = pace
    engine.publications.concurrency = 1
    assert await engine.publications.run_once(limit=3) == 3
    assert outbox.reveals() == round_ids[:3]  # oldest due first
    assert await engine.publications.drain() == 4
    assert outbox.reveals() == round_ids
    assert paced == [("console", round_id) for round_id in round_ids]


async def test_no_entry_is_claimed_for_a_platform_without_an_adapter(
    engine: QuizEngine, clock: FakeClock
) -> None:
    round_id = await closed_quiz_round(engine)
    assert await engine.publications.drain() == 0
    outbox = PlatformOutbox()
    engine.register_outbox("console", outbox)
    assert await engine.publications.drain() == 1
    assert outbox.reveals() == [round_id]


async def test_stopping_the_worker_leaves_a_held_publication_to_its_lease(
    engine: QuizEngine, replica: QuizEngine, clock: FakeClock
) -> None:
    held = PlatformOutbox(hold=True)
    engine.register_outbox("console", held)
    round_id = await closed_quiz_round(engine)
    publisher = Publisher(engine.publications)
    publisher.start()
    await asyncio.wait_for(held.holding.wait(), 5)
    await publisher.stop(grace_s=0.01)  # the platform still holds it: not waited for
    [entry] = await OutboxStore(engine.store).entries(round_id)
    assert entry.outcome is None and entry.lease_owner == engine.publications.owner

    other = PlatformOutbox()
    replica.register_outbox("console", other)
    clock.advance(LEASE_S + 1)
    assert await replica.publications.drain() == 1
    assert other.reveals() == [round_id]
