"""What ``quizbot db info`` shows of a PostgreSQL database: the server, the database's size,
its schema version and the row counts of the main tables."""

from __future__ import annotations

import asyncpg

from storage.errors import StoreError
from storage.postgres import migrations
from storage.postgres.pool import connect
from storage.postgres.url import PostgresUrl

__all__ = ["COUNTED", "database_summary"]

COUNTED = ("teams", "players", "rounds", "answers")
"""The tables whose rows are counted (as ``db info`` counts them on SQLite)."""


async def database_summary(url: PostgresUrl) -> dict[str, object]:
    """The URL (without its password), server version, size in bytes, schema version (and the
    latest this Quizbot knows), row counts and open rounds of the database at ``url``.

    Read in one read-only transaction. :class:`StoreError` (one line, no password) when the
    server cannot be reached or read, or the database holds no Quizbot schema.
    """
    async with connect(url) as conn:
        try:
            async with conn.transaction(readonly=True):
                version = await migrations.applied_version(conn)
                if version == 0:
                    raise StoreError(
                        f"{url}: no Quizbot schema in this database "
                        "(`quizbot db migrate` creates it)"
                    )
                server = await conn.fetchval("SHOW server_version")
                size = await conn.fetchval("SELECT pg_database_size(current_database())")
                counts = {
                    table: int(await conn.fetchval(f"SELECT COUNT(*) FROM {table}"))
                    for table in COUNTED
                }
                open_rounds = await conn.fetchval(
                    "SELECT COUNT(*) FROM rounds WHERE closed_at IS NULL"
                )
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            for secret in url.secrets():
                reason = reason.replace(secret, "***")
            raise StoreError(f"{url}: cannot read the database ({reason})") from None
    return {
        "url": str(url),
        "server_version": str(server),
        "size_bytes": int(size),
        "schema_version": version,
        "latest_schema": migrations.latest_version(),
        **counts,
        "open_rounds": int(open_rounds),
    }
