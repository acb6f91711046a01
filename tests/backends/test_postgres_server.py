"""The tests' PostgreSQL server: one per session, a fresh database per test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from storage.postgres.migrations import latest_version
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parents[2]


async def test_each_test_gets_a_fresh_database_with_the_schema(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM teams") == 0
        await conn.execute("INSERT INTO teams (platform, external_id) VALUES ('console', 'a')")
        assert await conn.fetchval("SELECT MAX(version) FROM schema_version") == latest_version()
    finally:
        await conn.close()


async def test_a_second_test_does_not_see_the_first_ones_rows(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM teams") == 0
    finally:
        await conn.close()


async def test_the_server_is_shared_and_runs_with_fsync_off(
    postgres_server: PostgresServer, empty_postgres_url: str
) -> None:
    conn = await asyncpg.connect(empty_postgres_url)
    try:
        assert await conn.fetchval("SHOW fsync") == "off"
        assert await conn.fetchval("SELECT to_regclass('teams')") is None
        assert str(postgres_server.socket_dir) in empty_postgres_url
    finally:
        await conn.close()


_WITHOUT_BINARIES = """
import tests.postgres_server as server

server._BINARIES_GLOB = "/nonexistent/postgresql/*/bin/initdb"
pytest_plugins = ["tests.postgres_server"]
"""


@pytest.mark.parametrize(("ci", "outcome"), [(None, "1 skipped"), ("true", "1 error")])
def test_without_server_binaries_tests_skip_except_in_ci(
    tmp_path: Path, ci: str | None, outcome: str
) -> None:
    (tmp_path / "conftest.py").write_text(_WITHOUT_BINARIES, encoding="utf-8")
    (tmp_path / "test_needs_postgres.py").write_text(
        "def test_needs_postgres(postgres_server):\n    pass\n", encoding="utf-8"
    )
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert outcome in done.stdout, done.stdout
    assert "PostgreSQL server binaries not found" in done.stdout
    if ci is not None:
        assert "CI must run the PostgreSQL tests" in done.stdout
