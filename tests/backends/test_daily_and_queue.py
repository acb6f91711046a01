"""The daily store and the publication queue on both backends: the slot claimed once, a round
closed once with its reveal queued and its streak rows written, and the queue's lease rules."""

from __future__ import annotations

import asyncio

from storage.daily_store import StreakFacts, StreakRow
from tests.backends.conftest import Backend
from tests.backends.support import answer, open_round

PLATFORMS = ["console"]


async def test_a_slot_is_claimed_once_even_by_racing_claims(backend: Backend) -> None:
    daily = backend.store.daily
    team = await backend.store.team_pk("console", "acme")
    claims = await asyncio.gather(
        *(daily.claim(team, "general", "2025-11-24", 100.0, 101.0) for _ in range(6))
    )
    assert len([c for c in claims if c is not None]) == 1
    assert await daily.slot_state(team, "general", "2025-11-24") == "claimed"
    assert await daily.slot_state(team, "general", "2025-11-25") is None
    manual = await daily.claim(team, "general", "2025-11-24T12:00", 200.0, 201.0, manual=True)
    assert manual is not None
    record = await open_round(backend.store, team, "general", kind="daily")
    await backend.store.publications.queue_daily_post(manual, record.id, 202.0)
    assert await daily.slot_round(team, "general", "2025-11-24T12:00") == record.id
    assert await daily.slot_of_round(record.id) == (manual, True)
    assert await daily.round_slot_state(record.id) == "claimed"
    [entry] = await backend.store.publications.entries(record.id)
    assert (entry.kind, entry.outcome, entry.lease_owner) == ("daily_post", None, None)


async def test_schedules_are_upserted_disabled_and_paused(backend: Backend) -> None:
    daily = backend.store.daily
    team = await backend.store.team_pk("console", "acme")
    fields = {
        "team_pk": team,
        "channel_id": "general",
        "channel_name": "general",
        "local_time": "09:00",
        "timezone": "UTC",
        "days": "weekdays",
        "difficulty": None,
        "close_time": None,
        "now": 1.0,
    }
    first = await daily.upsert_schedule(**fields)  # type: ignore[arg-type]
    again = await daily.upsert_schedule(**{**fields, "local_time": "10:00"})  # type: ignore[arg-type]
    assert again.id == first.id and again.local_time == "10:00" and again.enabled is True
    assert await daily.schedule_by_id(first.id) == again
    assert [s.id for s in await daily.active_schedules()] == [first.id]
    await daily.pause(first.id, "Unknown Channel")
    assert await daily.active_schedules() == []
    assert [s.paused for s in await daily.team_schedules(team)] == ["Unknown Channel"]
    assert await daily.disable(team, "general") is True
    assert await daily.disable(team, "general") is False
    assert await daily.team_schedules(team) == []


async def test_a_round_closes_once_with_its_reveal_queued_and_its_count_dropped(
    backend: Backend,
) -> None:
    store = backend.store
    queue = store.publications
    team = await store.team_pk("console", "acme")
    record = await open_round(store, team)
    assert await queue.enqueue("count", record.id, 120.0) is True
    assert await queue.enqueue("count", record.id, 121.0) is False  # one waits already
    closes = await asyncio.gather(
        *(queue.close_round(record.id, 170.0, reveal=True) for _ in range(5))
    )
    assert sorted(closes) == [False] * 4 + [True]
    assert [(e.kind, e.outcome) for e in await queue.entries(record.id)] == [("reveal", None)]
    closed = await store.get_round(record.id)
    assert closed is not None and closed.closed_at == 170.0
    silent = await open_round(store, team, "review:u1", kind="review")
    assert await queue.close_round(silent.id, 170.0, reveal=False) is True
    assert await queue.entries(silent.id) == []


async def test_closing_a_posted_daily_round_writes_the_rules_streak_rows(
    backend: Backend,
) -> None:
    store = backend.store
    queue = store.publications
    team = await store.team_pk("console", "acme")
    ada = await store.player_pk(team, "u1", "Ada")
    bob = await store.player_pk(team, "u2", "Bob")
    slot = await store.daily.claim(team, "general", "2025-11-24", 100.0, 100.0)
    assert slot is not None
    record = await open_round(store, team, "general", kind="daily")
    await queue.queue_daily_post(slot, record.id, 100.0)
    [post] = await queue.claim("w1", 100.0, lease_s=30, limit=5, platforms=PLATFORMS)
    assert await queue.begin_daily_post(post.id, "w1", 100.0) is True
    assert await queue.begin_daily_post(post.id, "w1", 100.0) is False  # in flight already
    posted = await queue.daily_posted(
        post.id, "w1", slot_id=slot, round_id=record.id, message=("general", "m1"), now=101.0
    )
    assert posted is True
    assert [d.round_id for d in await store.daily.open_posted()] == [record.id]
    await answer(store, record, ada, 30)
    await answer(store, record, bob, 0, correct=False)
    seen: list[StreakFacts] = []

    def rule(facts: StreakFacts) -> list[StreakRow]:
        seen.append(facts)
        return [StreakRow(p, 1, 1, facts.slot_date) for p in facts.correct]

    assert await queue.close_round(record.id, 200.0, reveal=True, streaks=rule) is True
    [facts] = seen
    assert (facts.slot_date, facts.manual, facts.previous_date, facts.correct) == (
        "2025-11-24",
        False,
        None,
        (ada,),
    )
    assert await store.daily.current_streak(team, "general", ada) == 1
    assert await store.daily.current_streak(team, "general", bob) == 0
    assert await store.daily.player_streaks(ada) == (1, 1)
    assert await store.daily.top_streaks(team, "general", 5) == [("Ada", 1)]
    assert [e.kind for e in await queue.entries(record.id)] == ["daily_post", "reveal"]
    assert await store.daily.due_rounds(10_000.0) == []


async def test_a_lease_holds_until_it_expires_and_a_lost_lease_records_nothing(
    backend: Backend,
) -> None:
    store = backend.store
    queue = store.publications
    team = await store.team_pk("console", "acme")
    record = await open_round(store, team)
    await queue.close_round(record.id, 170.0, reveal=True)
    assert await queue.any_due(170.0, PLATFORMS) is True
    assert await queue.any_due(170.0, ["slack"]) is False
    assert await queue.claim("w1", 170.0, lease_s=10, limit=5, platforms=["slack"]) == []
    [mine] = await queue.claim("w1", 170.0, lease_s=10, limit=5, platforms=PLATFORMS)
    assert await queue.any_due(175.0, PLATFORMS) is False
    assert await queue.claim("w2", 175.0, lease_s=10, limit=5, platforms=PLATFORMS) == []
    [theirs] = await queue.claim("w2", 181.0, lease_s=10, limit=5, platforms=PLATFORMS)
    assert theirs.id == mine.id and theirs.kind == "reveal"
    assert await queue.finish(mine.id, "w1", "published", 182.0) is False
    await queue.retry_at(mine.id, "w1", 500.0)  # not the holder: nothing changes
    [state] = await queue.entries(record.id)
    assert (state.lease_owner, state.attempts, state.outcome) == ("w2", 0, None)
    await queue.retry_at(theirs.id, "w2", 300.0)
    [state] = await queue.entries(record.id)
    assert (state.lease_owner, state.attempts, state.due_at) == (None, 1, 300.0)
    assert await queue.claim("w1", 299.0, lease_s=10, limit=5, platforms=PLATFORMS) == []
    [again] = await queue.claim("w1", 300.0, lease_s=10, limit=5, platforms=PLATFORMS)
    assert again.attempts == 1
    assert await queue.finish(again.id, "w1", "published", 301.0) is True
    assert [e.outcome for e in await queue.entries(record.id)] == ["published"]


async def test_a_count_and_a_reveal_of_one_round_are_never_leased_together(
    backend: Backend,
) -> None:
    store = backend.store
    queue = store.publications
    team = await store.team_pk("console", "acme")
    record = await open_round(store, team)
    await queue.enqueue("count", record.id, 120.0)
    [count] = await queue.claim("w1", 120.0, lease_s=30, limit=5, platforms=PLATFORMS)
    assert await queue.close_round(record.id, 125.0, reveal=True) is True  # count is leased
    assert [e.kind for e in await queue.entries(record.id)] == ["count", "reveal"]
    assert await queue.claim("w2", 126.0, lease_s=30, limit=5, platforms=PLATFORMS) == []
    await queue.count_shown(count.id, "w1", record.id, 3, 127.0)
    [reveal] = await queue.claim("w2", 127.0, lease_s=30, limit=5, platforms=PLATFORMS)
    assert reveal.kind == "reveal"

    other = await open_round(store, team, "c2")
    await queue.enqueue("count", other.id, 130.0)
    await queue.close_round(other.id, 131.0, reveal=True)  # drops the unleased count
    assert [e.kind for e in await queue.entries(other.id)] == ["reveal"]


async def test_racing_claims_lease_each_entry_to_one_worker(backend: Backend) -> None:
    store = backend.store
    queue = store.publications
    team = await store.team_pk("console", "acme")
    ids = []
    for n in range(30):
        record = await open_round(store, team, f"room-{n}")
        await queue.close_round(record.id, 170.0, reveal=True)
        ids.append(record.id)
    batches = await asyncio.gather(
        *(queue.claim(f"w{n}", 171.0, lease_s=60, limit=7, platforms=PLATFORMS) for n in range(6))
    )
    leased = [entry.round_id for batch in batches for entry in batch]
    assert len(leased) == len(set(leased))
    rest = await queue.claim("last", 171.0, lease_s=60, limit=100, platforms=PLATFORMS)
    assert sorted(leased + [entry.round_id for entry in rest]) == sorted(ids)


async def test_slots_claimed_but_never_queued_are_abandoned_with_their_rounds(
    backend: Backend,
) -> None:
    store = backend.store
    team = await store.team_pk("console", "acme")
    lost = await store.daily.claim(team, "general", "2025-11-24", 50.0, 50.0)
    kept = await store.daily.claim(team, "other", "2025-11-24", 50.0, 50.0)
    assert lost is not None and kept is not None
    orphan = await open_round(store, team, "general", kind="daily")  # opened at 100.0
    queued = await open_round(store, team, "other", kind="daily")
    await store.publications.queue_daily_post(kept, queued.id, 100.0)
    found = await store.publications.abandon_unqueued_slots(200.0, 150.0)
    assert [(s.slot_id, s.round_id) for s in found] == [(lost, None)]
    assert await store.daily.slot_state(team, "general", "2025-11-24") == "failed"
    assert await store.daily.open_rounds(team, "general") == []
    assert await store.daily.open_rounds(team, "other") == [queued.id]
    assert await store.publications.entries(orphan.id) == []


async def test_a_daily_post_is_due_with_its_channels_reveal(backend: Backend) -> None:
    """A slot's post is due when its channel's reveal was queued (the reveal first), not when
    it was queued itself, so other channels' reveals queued in between do not go first."""
    store, queue = backend.store, backend.store.publications
    team = await store.team_pk("console", "acme")
    yesterday = await open_round(store, team, "general", kind="daily")
    other = await open_round(store, team, "random", kind="daily")
    slot = await store.daily.claim(team, "general", "2025-11-25", 100.0, 100.0)
    assert slot is not None
    await queue.close_round(yesterday.id, 105.0, reveal=True)  # the slot closes yesterday's
    await queue.close_round(other.id, 107.0, reveal=True)  # another channel's reveal
    today = await open_round(store, team, "general", kind="daily")
    await queue.queue_daily_post(slot, today.id, 110.0)
    [post] = await queue.entries(today.id)
    [reveal] = await queue.entries(yesterday.id)
    assert (post.kind, post.due_at, reveal.due_at) == ("daily_post", 105.0, 105.0)
    alone = await store.daily.claim(team, "random", "2025-11-25", 100.0, 100.0)
    assert alone is not None
    fresh = await open_round(store, team, "random", kind="daily")
    await queue.queue_daily_post(alone, fresh.id, 111.0)
    [later] = await queue.entries(fresh.id)
    assert later.due_at == 107.0  # its channel's own reveal, queued after the slot's time
