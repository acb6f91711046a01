"""Writes waiting together are committed in one transaction, each in a savepoint of its own."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from storage.database import MAX_GROUP, Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "group.db")
    await db.write_in_thread(lambda raw: raw.execute("CREATE TABLE t (x INTEGER UNIQUE)"))
    yield db
    await db.close()


def insert(value: int) -> Callable[[sqlite3.Connection], int]:
    def work(raw: sqlite3.Connection) -> int:
        return int(raw.execute("INSERT INTO t (x) VALUES (?)", (value,)).lastrowid or 0)

    return work


async def test_concurrent_writes_share_commits_and_a_failure_stays_alone(
    database: Database,
) -> None:
    statements: list[str] = []
    await database.write_in_thread(lambda raw: raw.set_trace_callback(statements.append))
    values = [*range(100), 7]  # 7 twice: the second one fails on the UNIQUE constraint
    outcomes = await asyncio.gather(
        *(database.write_in_thread(insert(v)) for v in values),
        return_exceptions=True,
    )
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert failures == [outcomes[-1]]  # in order: the first 7 is stored, the second refused
    assert isinstance(outcomes[-1], sqlite3.IntegrityError)
    rows = await database.fetchall("SELECT x FROM t ORDER BY x")
    assert [r[0] for r in rows] == list(range(100))
    commits = statements.count("COMMIT")
    assert 2 <= commits < len(values) / 2  # grouped (at most MAX_GROUP writes per commit)
    assert commits >= len(values) / MAX_GROUP


async def test_a_write_alone_commits_and_its_error_rolls_it_back(database: Database) -> None:
    def half_then_fail(raw: sqlite3.Connection) -> None:
        raw.execute("INSERT INTO t (x) VALUES (1)")
        raise ValueError("second statement failed")

    with pytest.raises(ValueError, match="second statement failed"):
        await database.write_in_thread(half_then_fail)
    assert await database.write_in_thread(insert(2)) == 1
    assert await database.fetchall("SELECT x FROM t") == [(2,)]


async def test_close_waits_for_the_writes_still_waiting(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "close.db")
    await database.write_in_thread(lambda raw: raw.execute("CREATE TABLE t (x INTEGER)"))
    pending = [asyncio.ensure_future(database.write_in_thread(insert(v))) for v in range(20)]
    await asyncio.sleep(0)
    await database.close()
    assert all(task.done() and task.exception() is None for task in pending)
    reopened = await Database.open(tmp_path / "close.db")
    assert await reopened.fetchall("SELECT count(*) FROM t") == [(20,)]
    await reopened.close()
