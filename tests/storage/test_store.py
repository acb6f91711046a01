"""Opening databases: migrations, WAL, and refusing bad files without touching them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from storage import migrations
from storage.store import Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
DROP = "-dac_override,-dac_read_search"
WITHOUT_PERMISSION_BYPASS = (
    ["setpriv", f"--inh-caps={DROP}", f"--bounding-set={DROP}"] if os.geteuid() == 0 else []
)


async def test_new_database_is_created_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "quizbot.db"
    store = await Store.open(path)
    try:
        assert await store.schema_version() == migrations.available()[-1].version
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"teams", "players", "rounds", "answers", "scores"} <= tables


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    await (await Store.open(path)).close()
    store = await Store.open(path)
    try:
        assert await migrations.pending(store._conn) == []
    finally:
        await store.close()


async def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        await Store.open(tmp_path)


async def test_non_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an SQLite database"):
        await Store.open(path)
    assert path.read_bytes() == before


OPEN_AND_REPORT = """
import asyncio, sys
from storage.store import Store, StoreError
try:
    asyncio.run(Store.open(sys.argv[1]))
except StoreError as exc:
    print(exc)
"""


def test_unreadable_file_is_refused_and_left_untouched() -> None:
    # Root reads any file, so as root the open runs without the capabilities that bypass file
    # permissions (setpriv, from util-linux).
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        path = Path(folder) / "locked.db"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE precious (x)")
        before = path.read_bytes()
        path.chmod(0)
        result = subprocess.run(
            [*WITHOUT_PERMISSION_BYPASS, sys.executable, "-c", OPEN_AND_REPORT, str(path)],
            capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        )  # fmt: skip
        path.chmod(0o600)
        assert result.stdout.strip() == f"{path}: cannot read database file (Permission denied)"
        assert path.read_bytes() == before


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreError, match="newer"):
        await Store.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 999


async def test_another_applications_database_is_refused_and_left_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (9.5)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"not a Quizbot database \(no teams, .*left untouched"):
        await Store.open(path)
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert names == {"invoices"}


async def test_a_missing_database_with_its_log_beside_it_is_not_recreated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    (tmp_path / "q.db-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    with pytest.raises(StoreError, match=r"missing, but its write-ahead log q\.db-wal"):
        await Store.open(path)
    assert not path.exists()


OPEN_FOR_WRITING = """
import asyncio, sys
from storage.store import Store, StoreError
async def main():
    store = await Store.open(sys.argv[1])
    await store.close()
    print("opened")
try:
    asyncio.run(main())
except StoreError as exc:
    print(exc)
"""


@pytest.mark.parametrize("locked", ["file", "folder"])
def test_an_unwritable_database_is_refused_at_open(locked: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        path = Path(folder) / "q.db"
        made = subprocess.run(
            [sys.executable, "-c", OPEN_FOR_WRITING, str(path)],
            capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
        )  # fmt: skip
        assert made.stdout.strip() == "opened", made.stderr
        (path.chmod if locked == "file" else Path(folder).chmod)(0o555)
        before = path.read_bytes()
        try:
            result = subprocess.run(
                [*WITHOUT_PERMISSION_BYPASS, sys.executable, "-c", OPEN_FOR_WRITING, str(path)],
                capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
            )  # fmt: skip
        finally:
            path.chmod(0o644)
            Path(folder).chmod(0o755)
        shown = path if locked == "file" else Path(folder)
        what = "not writable" if locked == "file" else "folder not writable"
        assert result.stdout.strip() == f"{shown}: {what} by this user (uid {os.getuid()})"
        assert path.read_bytes() == before
