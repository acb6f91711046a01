"""The identify lock on the database: two replicas (two connections to one SQLite file, or two
pools on one PostgreSQL database) claiming buckets, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

import pytest

from bot.adapters.discord.sharding import identify_bucket
from storage.identify_store import IdentifyLock, IdentifyStore
from storage.postgres.database import PostgresDatabase
from storage.postgres.identify import PostgresIdentifyStore
from storage.postgres.url import PostgresUrl
from storage.store import Store
from tests.conftest import FakeClock
from tests.postgres_server import PostgresServer, fresh_database

HOLD_S = 5.0


LockFactory = Callable[..., IdentifyLock]


@pytest.fixture(params=["sqlite", "postgres"])
async def two_replicas(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[LockFactory, LockFactory]]:
    """How each of two replicas (two connections to one database, SQLite or PostgreSQL)
    makes its identify lock (``clock=``, ``sleep=`` passed on)."""
    if request.param == "sqlite":
        first = await Store.open(tmp_path / "quizbot.db")
        second = await Store.open(tmp_path / "quizbot.db")
        try:
            yield (partial(IdentifyStore, first), partial(IdentifyStore, second))
        finally:
            await second.close()
            await first.close()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    async with fresh_database(server) as url:
        pools = [
            await PostgresDatabase.open(PostgresUrl.parse(url), min_size=1, max_size=2)
            for _ in range(2)
        ]
        try:
            yield (
                partial(PostgresIdentifyStore, pools[0]),
                partial(PostgresIdentifyStore, pools[1]),
            )
        finally:
            for pool in pools:
                await pool.close()


async def test_a_bucket_is_held_by_one_replica_until_its_hold_has_passed(
    two_replicas: tuple[LockFactory, LockFactory], clock: FakeClock
) -> None:
    first, second = (make(clock=clock) for make in two_replicas)
    assert await first.held_until(0) == 0.0
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
    two_replicas: tuple[LockFactory, LockFactory], clock: FakeClock
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    holder = two_replicas[0](clock=clock)
    waiter = two_replicas[1](clock=clock, sleep=sleep)
    start = clock.now
    await holder.acquire(3, HOLD_S)
    assert slept == []
    clock.advance(1.0)
    await waiter.acquire(3, HOLD_S, step_s=0.25)
    assert slept == [HOLD_S - 1.0 + 0.25]
    assert clock.now - start >= HOLD_S
    assert await holder.held_until(3) == clock.now + HOLD_S


async def test_a_claim_with_a_bad_bucket_or_hold_is_refused_and_writes_nothing(
    two_replicas: tuple[LockFactory, LockFactory], clock: FakeClock
) -> None:
    lock, other = (make(clock=clock) for make in two_replicas)
    for bucket, hold in ((-1, HOLD_S), (0, 0.0), (0, -1.0)):
        with pytest.raises(ValueError, match="bucket must be 0 or more and the hold positive"):
            await lock.claim(bucket, hold)
    assert [await other.held_until(bucket) for bucket in (-1, 0)] == [0.0, 0.0]
    assert await other.claim(0, HOLD_S)


def test_a_shards_bucket_is_its_id_modulo_the_concurrency() -> None:
    assert [identify_bucket(shard, 1) for shard in range(4)] == [0, 0, 0, 0]
    assert [identify_bucket(shard, 2) for shard in range(4)] == [0, 1, 0, 1]
    assert [identify_bucket(shard, 16) for shard in (0, 15, 16, 33)] == [0, 15, 0, 1]
