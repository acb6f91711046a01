"""A real PostgreSQL server for the tests: one per session, started on first use.

Registered from ``tests/conftest.py``. The server is
:mod:`benchmarks.pg_server`'s (the benchmarks start theirs the same way): ``initdb`` and
``pg_ctl start`` of the installed binaries in a temporary folder, with fsync off, listening
only on a Unix socket in that folder. Under pytest-xdist each worker is a session of its own,
so each starts its own server, in its own temporary folder: the workers' sockets never meet
(the port number only names the socket file).

Each test gets a fresh database copied from a template that already has Quizbot's schema
(``CREATE DATABASE … TEMPLATE`` is a file copy). Without the binaries the PostgreSQL tests
skip, except when the environment variable ``CI`` is set: there they fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from benchmarks.pg_server import (
    BINARIES_GLOB,
    PostgresServer,
    ServerUserError,
    find_binaries,
    start,
    stop,
)
from storage.postgres import migrations

__all__ = [
    "PostgresServer",
    "empty_postgres_url",
    "find_binaries",
    "fresh_database",
    "postgres_server",
    "postgres_url",
]

_BINARIES_GLOB = BINARIES_GLOB
_TEMPLATE = "quizbot_template"
_SUPERUSER = "postgres"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, started the first time a test asks for it."""
    binaries = find_binaries(_BINARIES_GLOB)
    if binaries is None:
        reason = f"PostgreSQL server binaries not found ({_BINARIES_GLOB})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(reason)
    try:
        server = start(binaries)
    except ServerUserError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        stop(server)


async def _prepare_template(server: PostgresServer) -> None:
    """Create the template database with the schema, once per session."""
    admin = await asyncpg.connect(server.url(_SUPERUSER))
    try:
        await admin.execute(f"CREATE DATABASE {_TEMPLATE}")
    finally:
        await admin.close()
    conn = await asyncpg.connect(server.url(_TEMPLATE))
    try:
        await migrations.apply(conn)
    finally:
        await conn.close()
    server.template_ready = True


async def _admin(server: PostgresServer, sql: str) -> None:
    admin = await asyncpg.connect(server.url(_SUPERUSER))
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def fresh_database(server: PostgresServer, *, empty: bool = False) -> AsyncIterator[str]:
    """A new database (a copy of the migrated template, or ``empty``) for the ``async with``
    block, dropped after it; yields its URL."""
    if not empty and not server.template_ready:
        await _prepare_template(server)
    name = server.next_database_name()
    template = "template0" if empty else _TEMPLATE
    strategy = " STRATEGY FILE_COPY" if server.copy_files else ""
    await _admin(server, f"CREATE DATABASE {name} TEMPLATE {template}{strategy}")
    try:
        yield server.url(name)
    finally:
        await _admin(server, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """The URL of a fresh database of the session's server with Quizbot's schema."""
    async with fresh_database(postgres_server) as url:
        yield url


@pytest.fixture
async def empty_postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """The URL of a fresh, empty database of the session's server (no schema)."""
    async with fresh_database(postgres_server, empty=True) as url:
        yield url
