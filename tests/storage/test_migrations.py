"""The migration runner: ordering, gaps, failures rolled back, the foreign-keys-off directive."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage import migrations

PARENT = "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
CHILD = "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));"


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await aiosqlite.connect(tmp_path / "m.db", isolation_level=None)
    await connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    await connection.close()


def scripts(directory: Path, **named: str) -> Path:
    directory.mkdir(exist_ok=True)
    for name, sql in named.items():
        (directory / f"{name}.sql").write_text(sql, encoding="utf-8")
    return directory


async def tables(conn: aiosqlite.Connection) -> set[str]:
    rows = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(row[0]) for row in rows}


async def test_a_failing_script_is_rolled_back_and_leaves_no_open_transaction(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    directory = scripts(tmp_path / "m", **{"0001_a": PARENT, "0002_b": f"{CHILD}\nNOT SQL;"})
    with pytest.raises(sqlite3.OperationalError):
        await migrations.apply(conn, directory)
    assert not conn.in_transaction  # the connection stays usable
    assert await migrations.applied_version(conn) == 1
    assert await tables(conn) == {"parent"}


async def test_a_foreign_keys_off_script_that_fails_is_rolled_back(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    off = f"{migrations.FOREIGN_KEYS_OFF}\n{CHILD}\nNOT SQL;"
    directory = scripts(tmp_path / "m", **{"0001_a": PARENT, "0002_rebuild": off})
    with pytest.raises(sqlite3.OperationalError):
        await migrations.apply(conn, directory)
    assert not conn.in_transaction
    assert await migrations.applied_version(conn) == 1
    assert await tables(conn) == {"parent"}
    [(enabled,)] = await conn.execute_fetchall("PRAGMA foreign_keys")
    assert enabled == 1


async def test_a_foreign_keys_off_script_leaving_dangling_references_is_refused(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    dangling = f"{migrations.FOREIGN_KEYS_OFF}\n{CHILD}\nINSERT INTO child VALUES (1, 99);"
    directory = scripts(tmp_path / "m", **{"0001_a": PARENT, "0002_rebuild": dangling})
    with pytest.raises(sqlite3.IntegrityError, match="dangling"):
        await migrations.apply(conn, directory)
    assert await migrations.applied_version(conn) == 1
    assert await tables(conn) == {"parent"}


def test_the_directive_counts_only_as_the_first_line(tmp_path: Path) -> None:
    directory = scripts(
        tmp_path / "m",
        **{
            "0001_first": f"{migrations.FOREIGN_KEYS_OFF}\n{PARENT}",
            "0002_later": f"-- a comment\n{migrations.FOREIGN_KEYS_OFF}\n{CHILD}",
            "0003_prefix": f"{migrations.FOREIGN_KEYS_OFF}-please\n{CHILD}",
        },
    )
    assert [m.needs_foreign_keys_off() for m in migrations.available(directory)] == [
        True,
        False,
        False,
    ]


def test_two_scripts_with_one_version_are_refused(tmp_path: Path) -> None:
    directory = scripts(tmp_path / "m", **{"0001_a": PARENT, "0001_b": CHILD})
    with pytest.raises(ValueError, match="share version 1"):
        migrations.available(directory)


async def test_a_lower_numbered_script_added_later_is_never_applied(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    directory = scripts(tmp_path / "m", **{"0001_a": PARENT, "0003_c": CHILD})
    assert await migrations.apply(conn, directory) == [1, 3]  # a gap is harmless
    scripts(directory, **{"0002_late": "CREATE TABLE late (id INTEGER);"})
    assert await migrations.pending(conn, directory) == []
    assert "late" not in await tables(conn)
