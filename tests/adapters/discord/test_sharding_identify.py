"""The identify lock on the database: two replicas (two stores on one SQLite file) claiming
buckets, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord.sharding import identify_bucket
from storage.identify_store import IdentifyStore
from storage.store import Store
from tests.conftest import FakeClock

HOLD_S = 5.0


@pytest.fixture
async def two_stores(tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two connections to one database file, as two replicas have."""
    first = await Store.open(tmp_path / "quizbot.db")
    second = await Store.open(tmp_path / "quizbot.db")
    yield first, second
    await second.close()
    await first.close()


async def test_a_bucket_is_held_by_one_replica_until_its_hold_has_passed(
    two_stores: tuple[Store, Store], clock: FakeClock
) -> None:
    first, second = (IdentifyStore(store, clock=clock) for store in two_stores)
    assert await first.claim(0, HOLD_S)
    assert not await second.claim(0, HOLD_S)
    assert not await first.claim(0, HOLD_S)  # the holder too waits for its own hold
    assert await second.claim(1, HOLD_S)  # another bucket is free
    assert await second.held_until(0) == clock.now + HOLD_S
    clock.advance(HOLD_S - 0.001)
    assert not await second.claim(0, HOLD_S)
    clock.advance(0.002)
    assert await second.claim(0, HOLD_S)
    assert await first.held_until(0) == clock.now + HOLD_S


async def test_acquire_sleeps_until_the_hold_ends_then_claims(
    two_stores: tuple[Store, Store], clock: FakeClock
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    holder = IdentifyStore(two_stores[0], clock=clock)
    waiter = IdentifyStore(two_stores[1], clock=clock, sleep=sleep)
    start = clock.now
    await holder.acquire(3, HOLD_S)
    assert slept == []
    clock.advance(1.0)
    await waiter.acquire(3, HOLD_S, step_s=0.25)
    assert slept == [HOLD_S - 1.0 + 0.25]
    assert clock.now - start >= HOLD_S
    assert await holder.held_until(3) == clock.now + HOLD_S


async def test_a_claim_with_a_bad_bucket_or_hold_is_refused_and_writes_nothing(
    two_stores: tuple[Store, Store], clock: FakeClock
) -> None:
    lock = IdentifyStore(two_stores[0], clock=clock)
    for bucket, hold in ((-1, HOLD_S), (0, 0.0), (0, -1.0)):
        with pytest.raises(ValueError, match="bucket must be 0 or more and the hold positive"):
            await lock.claim(bucket, hold)
    assert await two_stores[1].fetchall("SELECT * FROM identify_slots") == []


def test_a_shards_bucket_is_its_id_modulo_the_concurrency() -> None:
    assert [identify_bucket(shard, 1) for shard in range(4)] == [0, 0, 0, 0]
    assert [identify_bucket(shard, 2) for shard in range(4)] == [0, 1, 0, 1]
    assert [identify_bucket(shard, 16) for shard in (0, 15, 16, 33)] == [0, 15, 0, 1]
