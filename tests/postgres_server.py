"""A real PostgreSQL server for the tests: one per session, started on first use.

Registered from ``tests/conftest.py``. The server comes from the binaries of the Debian package
(``/usr/lib/postgresql/*/bin``): ``initdb`` and ``pg_ctl start`` in a temporary folder, with
fsync off, listening only on a Unix socket in that folder. Both refuse to run as root, so as
root they run as the ``postgres`` system user (``runuser``), the folder given to it.

Each test gets a fresh database copied from a template that already has Quizbot's schema
(``CREATE DATABASE … TEMPLATE`` is a file copy). Without the binaries the PostgreSQL tests
skip, except when the environment variable ``CI`` is set: there they fail.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from storage.postgres import migrations

__all__ = [
    "PostgresServer",
    "empty_postgres_url",
    "find_binaries",
    "fresh_database",
    "postgres_server",
    "postgres_url",
]

_BINARIES_GLOB = "/usr/lib/postgresql/*/bin/initdb"
_PORT = 5432
_TEMPLATE = "quizbot_template"
_SUPERUSER = "postgres"


def find_binaries() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` folder, or None."""
    found = sorted(glob.glob(_BINARIES_GLOB), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    """A running throw-away server: its folder, socket and the databases made so far."""

    folder: Path
    binaries: Path
    run_as: str | None
    template_ready: bool = False
    copy_files: bool = False  # CREATE DATABASE … STRATEGY FILE_COPY (PostgreSQL 15+): faster
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> Path:
        """Where the server's Unix socket is."""
        return self.folder / "socket"

    def url(self, database: str) -> str:
        """A ``postgresql://`` URL of ``database`` over the Unix socket."""
        return f"postgresql://{_SUPERUSER}@/{database}?host={self.socket_dir}&port={_PORT}"

    def next_database_name(self) -> str:
        """A database name not used yet in this session."""
        return f"quizbot_test_{next(self._names)}"

    def command(self, *argv: str | Path) -> list[str]:
        """``argv`` run as the server's user (through ``runuser`` when that is not us)."""
        args = [str(arg) for arg in argv]
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else args

    def run(self, *argv: str | Path) -> None:
        """Run a server program, failing with its output when it fails."""
        done = subprocess.run(self.command(*argv), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{done.stdout}{done.stderr}")


def _server_user() -> str | None:
    """The user to run the server as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_SUPERUSER)
    except KeyError:
        pytest.fail("running as root, but there is no 'postgres' user to run PostgreSQL as")
    return _SUPERUSER


def _start(binaries: Path) -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="quizbot-pg-"))
    server = PostgresServer(
        folder=folder,
        binaries=binaries,
        run_as=_server_user(),
        copy_files=int(binaries.parent.name) >= 15,
    )
    server.socket_dir.mkdir()
    if server.run_as:
        account = pwd.getpwnam(server.run_as)
        for path in (folder, server.socket_dir):
            os.chown(path, account.pw_uid, account.pw_gid)
    data = folder / "data"
    server.run(
        binaries / "initdb",
        "-D",
        data,
        "-U",
        _SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
    )
    options = (
        f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        f"-c listen_addresses='' -c unix_socket_directories={server.socket_dir} -p {_PORT} "
        "-c shared_buffers=16MB -c max_connections=100"
    )
    server.run(
        binaries / "pg_ctl", "start", "-w", "-D", data, "-l", folder / "server.log", "-o", options
    )
    return server


def _stop(server: PostgresServer) -> None:
    with contextlib.suppress(RuntimeError):
        server.run(server.binaries / "pg_ctl", "stop", "-m", "fast", "-D", server.folder / "data")
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, started the first time a test asks for it."""
    binaries = find_binaries()
    if binaries is None:
        reason = f"PostgreSQL server binaries not found ({_BINARIES_GLOB})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(reason)
    server = _start(binaries)
    try:
        yield server
    finally:
        _stop(server)


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
