"""Slack installations, OAuth states and the workspaces of org-wide installs (migration 0012).

SQL only: the Slack adapter (:mod:`bot.adapters.slack.installations`) turns these rows into
bolt's installations and back, and encrypts the tokens before they get here. An installation
is keyed by its *team key*: the workspace id, or the organisation id of an Enterprise Grid
org-wide install.

Refreshing a rotating token is claimed with a conditional update (:meth:`claim_refresh`) and
saved with another one (:meth:`finish_refresh`, only over the refresh token it used), so two
processes never spend one refresh token twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.database import Database

__all__ = ["InstallationRecord", "InstallationStore"]

_COLUMNS = (
    "team_key, enterprise_id, enterprise_name, enterprise_url, team_id, team_name, "
    "is_enterprise_install, app_id, bot_id, bot_user_id, bot_scopes, bot_token, "
    "bot_refresh_token, bot_token_expires_at, installer_user_id, token_type, installed_at"
)


@dataclass(frozen=True, slots=True)
class InstallationRecord:
    """One installation as stored (tokens as given: possibly encrypted)."""

    team_key: str
    enterprise_id: str | None
    enterprise_name: str | None
    enterprise_url: str | None
    team_id: str | None
    team_name: str | None
    is_enterprise_install: bool
    app_id: str | None
    bot_id: str | None
    bot_user_id: str | None
    bot_scopes: str
    bot_token: str
    bot_refresh_token: str | None
    bot_token_expires_at: int | None
    installer_user_id: str | None
    token_type: str | None
    installed_at: float


def _record(row: tuple[Any, ...]) -> InstallationRecord:
    values = list(row)
    values[6] = bool(values[6])  # is_enterprise_install: SQLite has no booleans
    return InstallationRecord(*values)


class InstallationStore:
    """Reads and writes of Slack installations on ``db``'s connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- installations ---------------------------------------------------------------------

    async def save(self, record: InstallationRecord) -> None:
        """Insert or replace the installation of ``record.team_key`` (a reinstall replaces)."""
        placeholders = ", ".join("?" * 17)
        await self._db.execute_write(
            f"INSERT OR REPLACE INTO slack_installations ({_COLUMNS}) VALUES ({placeholders})",
            (
                record.team_key,
                record.enterprise_id,
                record.enterprise_name,
                record.enterprise_url,
                record.team_id,
                record.team_name,
                int(record.is_enterprise_install),
                record.app_id,
                record.bot_id,
                record.bot_user_id,
                record.bot_scopes,
                record.bot_token,
                record.bot_refresh_token,
                record.bot_token_expires_at,
                record.installer_user_id,
                record.token_type,
                record.installed_at,
            ),
        )

    async def find(self, team_key: str) -> InstallationRecord | None:
        """The installation keyed ``team_key``, or None."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM slack_installations WHERE team_key = ?", (team_key,)
        )
        return _record(row) if row else None

    async def find_for_workspace(self, team_id: str) -> InstallationRecord | None:
        """The installation serving workspace ``team_id``: its own, else its organisation's
        org-wide install (when a request from it was seen), else None."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM slack_installations WHERE team_key = ? UNION ALL "
            f"SELECT {_COLUMNS} FROM slack_installations WHERE team_key = "
            "(SELECT enterprise_id FROM slack_org_workspaces WHERE team_id = ?) "
            "AND is_enterprise_install = 1 LIMIT 1",
            (team_id, team_id),
        )
        return _record(row) if row else None

    async def all(self) -> list[InstallationRecord]:
        """Every installation, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM slack_installations ORDER BY installed_at, team_key"
        )
        return [_record(row) for row in rows]

    async def delete(self, team_key: str) -> bool:
        """Remove the installation keyed ``team_key``; whether there was one."""
        changed = await self._db.execute_write(
            "DELETE FROM slack_installations WHERE team_key = ?", (team_key,)
        )
        return changed > 0

    # -- org-wide installs -------------------------------------------------------------------

    async def remember_org_workspace(self, team_id: str, enterprise_id: str) -> None:
        """Record that workspace ``team_id`` belongs to organisation ``enterprise_id``."""
        await self._db.execute_write(
            "INSERT INTO slack_org_workspaces (team_id, enterprise_id) VALUES (?, ?) "
            "ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id "
            "WHERE enterprise_id != excluded.enterprise_id",
            (team_id, enterprise_id),
        )

    async def workspaces_of(self, team_key: str) -> list[str]:
        """The workspace ids an installation serves: itself, and for an organisation every
        workspace of it seen so far."""
        rows = await self._db.fetchall(
            "SELECT team_id FROM slack_org_workspaces WHERE enterprise_id = ? ORDER BY team_id",
            (team_key,),
        )
        return [team_key, *(str(row[0]) for row in rows)]

    # -- daily schedules of an uninstalled workspace -----------------------------------------

    async def pause_daily(self, platform: str, team_ids: list[str], reason: str) -> int:
        """Pause every running daily schedule of the given teams; how many were paused."""
        if not team_ids:
            return 0
        marks = ", ".join("?" * len(team_ids))
        return await self._db.execute_write(
            "UPDATE daily_schedules SET paused = ? WHERE paused IS NULL AND team_id IN "
            f"(SELECT id FROM teams WHERE platform = ? AND external_id IN ({marks}))",
            (reason, platform, *team_ids),
        )

    # -- rotating tokens -------------------------------------------------------------------

    async def claim_refresh(
        self, team_key: str, refresh_token: str, now: float, lease_s: float
    ) -> bool:
        """Claim the right to spend ``refresh_token`` for ``lease_s`` seconds: True for the
        one caller (of any process) whose update found it unclaimed (or its lease over)."""
        changed = await self._db.execute_write(
            "UPDATE slack_installations SET refreshing_until = ? WHERE team_key = ? "
            "AND bot_refresh_token = ? AND (refreshing_until IS NULL OR refreshing_until <= ?)",
            (now + lease_s, team_key, refresh_token, now),
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
            "UPDATE slack_installations SET bot_token = ?, bot_refresh_token = ?, "
            "bot_token_expires_at = ?, refreshing_until = NULL "
            "WHERE team_key = ? AND bot_refresh_token = ?",
            (bot_token, bot_refresh_token, bot_token_expires_at, team_key, used_refresh_token),
        )
        return changed == 1

    async def release_refresh(self, team_key: str, refresh_token: str) -> None:
        """End a claim whose refresh failed, so the next caller may try again."""
        await self._db.execute_write(
            "UPDATE slack_installations SET refreshing_until = NULL "
            "WHERE team_key = ? AND bot_refresh_token = ?",
            (team_key, refresh_token),
        )

    # -- OAuth states ----------------------------------------------------------------------

    async def add_state(self, state: str, expires_at: float) -> None:
        """Store a new single-use state of the install flow."""
        await self._db.execute_write(
            "INSERT INTO slack_oauth_states (state, expires_at) VALUES (?, ?)", (state, expires_at)
        )

    async def consume_state(self, state: str, now: float) -> bool:
        """Delete ``state``; True only when it existed and had not expired (so a state works
        once). Expired states are deleted on the way."""

        def consume(conn: Any) -> bool:
            found = conn.execute(
                "DELETE FROM slack_oauth_states WHERE state = ? AND expires_at > ?", (state, now)
            ).rowcount
            conn.execute("DELETE FROM slack_oauth_states WHERE expires_at <= ?", (now,))
            return bool(found == 1)

        return await self._db.write_in_thread(consume)

    # -- messages --------------------------------------------------------------------------

    async def team_of_message(self, platform: str, channel_id: str, message_id: str) -> str | None:
        """The team (external id) whose round posted the message ``message_id`` in
        ``channel_id``, or None."""
        row = await self._db.fetchone(
            "SELECT t.external_id FROM rounds r JOIN teams t ON t.id = r.team_id "
            "WHERE r.message_channel = ? AND r.message_id = ? AND t.platform = ? LIMIT 1",
            (channel_id, message_id, platform),
        )
        return str(row[0]) if row else None
