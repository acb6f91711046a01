"""Connecting to PostgreSQL: the pool, the checks before it is used, and ``migrate``.

Every failure to reach or use the server becomes one :class:`~storage.database.StoreError`
line naming the database by its URL without the password.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from storage.database import StoreError
from storage.migrations import SchemaTooNewError
from storage.postgres import migrations
from storage.postgres.url import PostgresUrl

__all__ = [
    "APPLICATION_NAME",
    "CONNECT_TIMEOUT_SECONDS",
    "MIN_SERVER_VERSION",
    "check_server",
    "connect",
    "create_pool",
    "keep_session",
    "migrate",
    "other_quizbot_connections",
    "schema_version",
]

APPLICATION_NAME = "quizbot"
"""How a pooled connection names itself to the server (``pg_stat_activity``), so a command can
tell whether a bot is connected: :func:`other_quizbot_connections`."""
CONNECT_TIMEOUT_SECONDS = 10.0
"""How long connecting may take before it is given up."""
MIN_SERVER_VERSION = 120000
"""The oldest PostgreSQL the schema runs on (12: identity columns, ``EXECUTE FUNCTION``)."""

_VERSION = "SHOW server_version_num"
_FAILURES = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


def _failure(url: PostgresUrl, doing: str, exc: BaseException) -> StoreError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for secret in url.secrets():
        reason = reason.replace(secret, "***")
    return StoreError(f"{url}: {doing} ({reason})")


def check_server(version: int, url: PostgresUrl) -> None:
    """Refuse a server whose ``server_version_num`` is older than :data:`MIN_SERVER_VERSION`
    (:class:`StoreError`)."""
    if version < MIN_SERVER_VERSION:
        raise StoreError(
            f"{url}: PostgreSQL {version // 10000} is too old; Quizbot needs 12 or newer"
        )


@asynccontextmanager
async def connect(url: PostgresUrl) -> AsyncIterator[asyncpg.Connection]:
    """One checked connection, closed on exit; :class:`StoreError` when it cannot be made."""
    try:
        conn = await asyncpg.connect(url.dsn, timeout=CONNECT_TIMEOUT_SECONDS)
    except _FAILURES as exc:
        raise _failure(url, "cannot connect", exc) from None
    try:
        check_server(int(await conn.fetchval(_VERSION)), url)
        yield conn
    finally:
        await conn.close()


async def keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset of a connection it takes back: nothing beyond what asyncpg always does
    (an open transaction is rolled back). Quizbot leaves no session state behind — no
    ``SET``, ``LISTEN``, cursor or session-level advisory lock: its locks are transaction-level
    — so asyncpg's default reset query would be a round trip per query for nothing."""


async def create_pool(url: PostgresUrl, *, min_size: int, max_size: int) -> asyncpg.Pool:
    """A pool of ``min_size`` to ``max_size`` connections, the first one checked."""
    try:
        pool = await asyncpg.create_pool(
            url.dsn,
            min_size=min_size,
            max_size=max_size,
            timeout=CONNECT_TIMEOUT_SECONDS,
            reset=keep_session,
            server_settings={"application_name": APPLICATION_NAME},
        )
    except _FAILURES as exc:
        raise _failure(url, "cannot connect", exc) from None
    try:
        check_server(int(await pool.fetchval(_VERSION)), url)
    except BaseException as exc:
        await pool.close()
        if isinstance(exc, _FAILURES):
            raise _failure(url, "cannot connect", exc) from None
        raise
    return pool


async def migrate(url: PostgresUrl) -> tuple[int, list[int]]:
    """Apply the pending migrations; return (the version now, the versions applied).

    A database newer than the code or another application's is refused (:class:`StoreError`).
    """
    async with connect(url) as conn:
        try:
            applied = await migrations.apply(conn)
            return await migrations.applied_version(conn), applied
        except (SchemaTooNewError, migrations.ForeignDatabaseError) as exc:
            raise StoreError(f"{url}: {exc}") from None
        except _FAILURES as exc:
            raise _failure(url, "migration failed", exc) from None


async def schema_version(url: PostgresUrl) -> int:
    """The schema version of the database at ``url`` (0 before any migration), read over one
    checked connection; :class:`StoreError` when the server cannot be reached or read."""
    async with connect(url) as conn:
        try:
            return await migrations.applied_version(conn)
        except _FAILURES as exc:
            raise _failure(url, "cannot read the schema version", exc) from None


async def other_quizbot_connections(conn: asyncpg.Connection) -> int:
    """How many other Quizbot pool connections (a running bot's, or another command's) are open
    to the database of ``conn``."""
    return int(
        await conn.fetchval(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = $1 AND pid <> pg_backend_pid()",
            APPLICATION_NAME,
        )
    )
