"""The tests' PostgreSQL server: one per session, a fresh database per test."""

from __future__ import annotations

import asyncpg

from tests.postgres_server import PostgresServer


async def test_each_test_gets_a_fresh_database_with_the_schema(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM teams") == 0
        await conn.execute("INSERT INTO teams (platform, external_id) VALUES ('console', 'a')")
        assert await conn.fetchval("SELECT MAX(version) FROM schema_version") == 10
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
