"""PostgreSQL migrations: SQLite's schema and version numbers, applied once however many
runners start together, a newer or foreign database refused, a failing script rolled back."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from storage import migrations as sqlite_migrations
from storage.migrations import SchemaTooNewError
from storage.postgres import migrations
from storage.store import Store

SCRIPTS = sqlite_migrations.available(migrations.MIGRATIONS_DIR)
VERSIONS = [script.version for script in SCRIPTS]
LATEST = VERSIONS[-1]


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url)


async def test_an_empty_database_gets_the_schema_once(empty_postgres_url: str) -> None:
    conn = await _connect(empty_postgres_url)
    try:
        assert await migrations.applied_version(conn) == 0
        assert await migrations.apply(conn) == VERSIONS
        assert await migrations.applied_version(conn) == LATEST
        assert await migrations.apply(conn) == []
        rows = await conn.fetch("SELECT version, name FROM schema_version ORDER BY version")
        assert [(r["version"], r["name"]) for r in rows] == [
            (s.version, s.path.name) for s in SCRIPTS
        ]
    finally:
        await conn.close()


async def test_runners_starting_together_apply_each_script_exactly_once(
    empty_postgres_url: str,
) -> None:
    conns = [await _connect(empty_postgres_url) for _ in range(6)]
    try:
        results = await asyncio.gather(*(migrations.apply(conn) for conn in conns))
        applied = [version for result in results for version in result]
        assert sorted(applied) == VERSIONS  # each script once, whichever runner ran it
        assert await conns[0].fetchval("SELECT COUNT(*) FROM schema_version") == len(VERSIONS)
    finally:
        for conn in conns:
            await conn.close()


async def test_a_database_newer_than_the_code_is_refused_untouched(postgres_url: str) -> None:
    conn = await _connect(postgres_url)
    try:
        await conn.execute("INSERT INTO schema_version (version, name) VALUES (99, 'future')")
        with pytest.raises(SchemaTooNewError, match="99 is newer than this Quizbot knows"):
            await migrations.apply(conn)
        with pytest.raises(SchemaTooNewError):
            await migrations.pending(conn)
        assert await migrations.applied_version(conn) == 99
    finally:
        await conn.close()


async def test_another_applications_database_is_refused(empty_postgres_url: str) -> None:
    conn = await _connect(empty_postgres_url)
    try:
        await conn.execute("CREATE TABLE invoices (id INTEGER)")
        with pytest.raises(migrations.ForeignDatabaseError, match=r"tables \(invoices\)"):
            await migrations.apply(conn)
        assert await conn.fetchval("SELECT to_regclass('schema_version')") is None
        assert await conn.fetchval("SELECT to_regclass('teams')") is None
    finally:
        await conn.close()


async def test_a_failing_script_is_rolled_back_with_its_version(
    postgres_url: str, tmp_path: Path
) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for script in SCRIPTS:
        shutil.copy(script.path, scripts)
    (scripts / f"{LATEST + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (id INTEGER);\nSELECT 1 / 0;\n", encoding="utf-8"
    )
    conn = await _connect(postgres_url)
    try:
        with pytest.raises(asyncpg.DivisionByZeroError):
            await migrations.apply(conn, scripts)
        assert await migrations.applied_version(conn) == LATEST
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
    finally:
        await conn.close()


def test_postgres_versions_line_up_with_sqlite() -> None:
    assert migrations.latest_version() == sqlite_migrations.available()[-1].version
    shipped = {m.version for m in sqlite_migrations.available()}
    assert {m.version for m in sqlite_migrations.available(migrations.MIGRATIONS_DIR)} <= shipped


async def test_the_tables_and_columns_are_sqlites(postgres_url: str, tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "quizbot.db")
    await store.close()
    with sqlite3.connect(tmp_path / "quizbot.db") as lite:
        tables = [
            name
            for (name,) in lite.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        expected = {
            table: sorted(str(col[1]) for col in lite.execute(f"PRAGMA table_info({table})"))
            for table in tables
        }
        lite_indexes = {
            str(name)
            for (name,) in lite.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    conn = await _connect(postgres_url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name <> 'schema_version'"
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["table_name"], []).append(row["column_name"])
        assert {table: sorted(cols) for table, cols in found.items()} == expected
        pg_indexes = {
            str(r["indexname"])
            for r in await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            )
        }
        assert lite_indexes <= pg_indexes
    finally:
        await conn.close()
