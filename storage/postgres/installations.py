"""Slack installations, OAuth states and the workspaces of org-wide installs on PostgreSQL
(mirrors :mod:`storage.installation_store`: the same rows; SQL only, tokens as given).

Refreshing a rotating token is claimed and saved with conditional updates, as on SQLite: two
replicas never spend one refresh token twice, since the second update waits on the row and then
finds it claimed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from storage.installation_store import InstallationRecord

if TYPE_CHECKING:
    from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresInstallationStore"]

_FIELDS = (
    "team_key",
    "enterprise_id",
    "enterprise_name",
    "enterprise_url",
    "team_id",
    "team_name",
    "is_enterprise_install",
    "app_id",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token",
    "bot_refresh_token",
    "bot_token_expires_at",
    "installer_user_id",
    "token_type",
    "installed_at",
)
_COLUMNS = ", ".join(_FIELDS)
_SAVE = (
    f"INSERT INTO slack_installations ({_COLUMNS}, refreshing_until) VALUES "
    f"({', '.join(f'${n}' for n in range(1, len(_FIELDS) + 1))}, NULL) "
    "ON CONFLICT (team_key) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in (*_FIELDS[1:], "refreshing_until"))
)
"""Insert, or replace every column (a reinstall ends any refresh claim, as SQLite's REPLACE)."""


def _record(row: asyncpg.Record) -> InstallationRecord:
    values = list(row)[: len(_FIELDS)]
    values[6] = bool(values[6])  # is_enterprise_install: a 0/1 integer, as on SQLite
    return InstallationRecord(*values)


class PostgresInstallationStore:
    """Reads and writes of Slack installations on the PostgreSQL store's pool."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    # -- installations ---------------------------------------------------------------------

    async def save(self, record: InstallationRecord) -> None:
        """Insert or replace the installation of ``record.team_key`` (a reinstall replaces)."""
        values = [getattr(record, name) for name in _FIELDS]
        values[6] = int(record.is_enterprise_install)
        await self._db.execute_write(_SAVE, *values)

    async def find(self, team_key: str) -> InstallationRecord | None:
        """The installation keyed ``team_key``, or None."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM slack_installations WHERE team_key = $1", team_key
        )
        return _record(row) if row else None

    async def find_for_workspace(self, team_id: str) -> InstallationRecord | None:
        """The installation serving workspace ``team_id``: its own, else its organisation's
        org-wide install (when a request from it was seen), else None."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS}, 0 AS preference FROM slack_installations WHERE team_key = $1 "
            f"UNION ALL SELECT {_COLUMNS}, 1 FROM slack_installations WHERE team_key = "
            "(SELECT enterprise_id FROM slack_org_workspaces WHERE team_id = $1) "
            "AND is_enterprise_install = 1 ORDER BY preference LIMIT 1",
            team_id,
        )
        return _record(row) if row else None

    async def all(self) -> list[InstallationRecord]:
        """Every installation, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM slack_installations "
            'ORDER BY installed_at, team_key COLLATE "C"'
        )
        return [_record(row) for row in rows]

    async def delete(self, team_key: str) -> bool:
        """Remove the installation keyed ``team_key``; whether there was one."""
        changed = await self._db.execute_write(
            "DELETE FROM slack_installations WHERE team_key = $1", team_key
        )
        return changed > 0

    # -- org-wide installs -------------------------------------------------------------------

    async def remember_org_workspace(self, team_id: str, enterprise_id: str) -> None:
        """Record that workspace ``team_id`` belongs to organisation ``enterprise_id``."""
        await self._db.execute_write(
            "INSERT INTO slack_org_workspaces (team_id, enterprise_id) VALUES ($1, $2) "
            "ON CONFLICT (team_id) DO UPDATE SET enterprise_id = EXCLUDED.enterprise_id "
            "WHERE slack_org_workspaces.enterprise_id <> EXCLUDED.enterprise_id",
            team_id,
            enterprise_id,
        )

    async def workspaces_of(self, team_key: str) -> list[str]:
        """The workspace ids an installation serves: itself, and for an organisation every
        workspace of it seen so far."""
        rows = await self._db.fetchall(
            "SELECT team_id FROM slack_org_workspaces WHERE enterprise_id = $1 "
            'ORDER BY team_id COLLATE "C"',
            team_key,
        )
        return [team_key, *(str(row[0]) for row in rows)]

    # -- daily schedules of an uninstalled workspace -----------------------------------------

    async def pause_daily(self, platform: str, team_ids: list[str], reason: str) -> int:
        """Pause every running daily schedule of the given teams; how many were paused."""
        if not team_ids:
            return 0
        return await self._db.execute_write(
            "UPDATE daily_schedules SET paused = $1 WHERE paused IS NULL AND team_id IN "
            "(SELECT id FROM teams WHERE platform = $2 AND external_id = ANY($3::TEXT[]))",
            reason,
            platform,
            team_ids,
        )

    # -- rotating tokens -------------------------------------------------------------------

    async def claim_refresh(
        self, team_key: str, refresh_token: str, now: float, lease_s: float
    ) -> bool:
        """Claim the right to spend ``refresh_token`` for ``lease_s`` seconds: True for the
        one caller (of any process) whose update found it unclaimed (or its lease over)."""
        changed = await self._db.execute_write(
            "UPDATE slack_installations SET refreshing_until = $1 WHERE team_key = $2 "
            "AND bot_refresh_token = $3 AND (refreshing_until IS NULL OR refreshing_until <= $4)",
            now + lease_s,
            team_key,
            refresh_token,
            now,
        )
        return changed == 1

    async def finish_refresh(
        self,
        team_key: str,
        *,
        used_refresh_token: str,
        bot_token: str,
        bot_refresh_token: str,
        bot_token_expires_at: int | None,
    ) -> bool:
        """Save refreshed tokens over the ones ``used_refresh_token`` belonged to (and end the
        claim); False when the installation changed meanwhile (removed or reinstalled)."""
        changed = await self._db.execute_write(
            "UPDATE slack_installations SET bot_token = $1, bot_refresh_token = $2, "
            "bot_token_expires_at = $3, refreshing_until = NULL "
            "WHERE team_key = $4 AND bot_refresh_token = $5",
            bot_token,
            bot_refresh_token,
            bot_token_expires_at,
            team_key,
            used_refresh_token,
        )
        return changed == 1

    async def release_refresh(self, team_key: str, refresh_token: str) -> None:
        """End a claim whose refresh failed, so the next caller may try again."""
        await self._db.execute_write(
            "UPDATE slack_installations SET refreshing_until = NULL "
            "WHERE team_key = $1 AND bot_refresh_token = $2",
            team_key,
            refresh_token,
        )

    # -- OAuth states ----------------------------------------------------------------------

    async def add_state(self, state: str, expires_at: float) -> None:
        """Store a new single-use state of the install flow."""
        await self._db.execute_write(
            "INSERT INTO slack_oauth_states (state, expires_at) VALUES ($1, $2)",
            state,
            expires_at,
        )

    async def consume_state(self, state: str, now: float) -> bool:
        """Delete ``state``; True only when it existed and had not expired (so a state works
        once). Expired states are deleted on the way."""

        async def consume(conn: asyncpg.Connection) -> bool:
            found = await conn.execute(
                "DELETE FROM slack_oauth_states WHERE state = $1 AND expires_at > $2", state, now
            )
            await conn.execute("DELETE FROM slack_oauth_states WHERE expires_at <= $1", now)
            return found == "DELETE 1"

        return await self._db.in_transaction(consume)

    # -- messages --------------------------------------------------------------------------

    async def team_of_message(self, platform: str, channel_id: str, message_id: str) -> str | None:
        """The team (external id) whose round posted the message ``message_id`` in
        ``channel_id``, or None."""
        found = await self._db.fetchvalue(
            "SELECT t.external_id FROM rounds r JOIN teams t ON t.id = r.team_id "
            "WHERE r.message_channel = $1 AND r.message_id = $2 AND t.platform = $3 LIMIT 1",
            channel_id,
            message_id,
            platform,
        )
        return None if found is None else str(found)
