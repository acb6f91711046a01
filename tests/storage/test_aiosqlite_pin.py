"""aiosqlite is pinned exactly, because the group commit uses two of its private members.

``Database.write_in_thread`` runs a whole group of writes in the connection's own thread with
``Connection._execute(fn, *args)`` on the plain ``sqlite3.Connection`` (``Connection._conn``);
aiosqlite has no public way to do that. An upgrade must be deliberate: change the pin in
pyproject.toml after checking that these two members still behave as below.
"""

from __future__ import annotations

import inspect
import re
import sqlite3
import threading
import tomllib
from importlib.metadata import version
from pathlib import Path

import aiosqlite

ROOT = Path(__file__).resolve().parents[2]


def _pinned() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    [line] = [d for d in dependencies if re.match(r"aiosqlite\b", d)]
    found = re.fullmatch(r"aiosqlite==([0-9][0-9.]*)", line.replace(" ", ""))
    assert found, f"pyproject.toml must pin aiosqlite exactly (aiosqlite==X.Y.Z), not {line!r}"
    return found[1]


def test_the_installed_aiosqlite_is_the_pinned_version() -> None:
    pinned, installed = _pinned(), version("aiosqlite")
    assert installed == pinned, (
        f"aiosqlite {installed} is installed but pyproject.toml pins {pinned}: "
        "storage/database.py uses its private Connection._execute and Connection._conn; "
        "check them in the new version (tests/storage/test_aiosqlite_pin.py), then move the pin"
    )


def test_the_private_members_keep_their_shape() -> None:
    execute = aiosqlite.Connection._execute
    assert inspect.iscoroutinefunction(execute), "Connection._execute is no longer async"
    shape = [(p.name, p.kind) for p in inspect.signature(execute).parameters.values()]
    assert shape == [
        ("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("fn", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("args", inspect.Parameter.VAR_POSITIONAL),
        ("kwargs", inspect.Parameter.VAR_KEYWORD),
    ], f"Connection._execute changed shape: {inspect.signature(execute)}"
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property), (
        "Connection._conn is no longer a property"
    )


async def test_execute_runs_the_callable_in_the_connection_thread(tmp_path: Path) -> None:
    conn = await aiosqlite.connect(tmp_path / "q.db", isolation_level=None)
    try:

        def work(raw: sqlite3.Connection, value: int) -> tuple[int, int]:
            return threading.get_ident(), raw.execute("SELECT ?", (value,)).fetchone()[0]

        raw = conn._conn
        assert isinstance(raw, sqlite3.Connection)
        thread, value = await conn._execute(work, raw, 42)
        assert value == 42
        assert thread != threading.get_ident()  # not the event loop's thread
        assert thread == (await conn._execute(threading.get_ident))  # always the same one
    finally:
        await conn.close()
