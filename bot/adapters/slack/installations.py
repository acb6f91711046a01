"""bolt's installation and OAuth state stores, on Quizbot's own database.

:class:`QuizbotInstallationStore` implements slack_sdk's ``AsyncInstallationStore`` and
:class:`QuizbotStateStore` its ``AsyncOAuthStateStore``, both over the rows of
:class:`storage.interface.InstallationStorage` (the SQL: SQLite's
:class:`storage.installation_store.InstallationStore` or ``PostgresStore.installations``).
Tokens are sealed with :class:`~bot.adapters.slack.token_cipher.TokenCipher` before they are
stored.

An installation's key is the workspace id, or the organisation id of an Enterprise Grid
org-wide install (:func:`team_key`). Quizbot asks only for bot scopes, so an installation
holds the bot token (and, with token rotation, its refresh token); user tokens are not kept.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.token_cipher import TokenCipher
from storage.installation_store import InstallationRecord
from storage.interface import InstallationStorage

__all__ = [
    "STATE_EXPIRATION_S",
    "QuizbotInstallationStore",
    "QuizbotStateStore",
    "team_key",
]

log = logging.getLogger(__name__)

STATE_EXPIRATION_S = 600
"""How long a state of the install flow is valid (10 minutes)."""


def team_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> str | None:
    """The key of an installation: the organisation id for an org-wide install, else the
    workspace id (None when the ids say neither)."""
    if is_enterprise_install and enterprise_id:
        return enterprise_id
    return team_id or None


class QuizbotInstallationStore(AsyncInstallationStore):
    """Installations in Quizbot's database (bolt's async installation store interface)."""

    def __init__(
        self, rows: InstallationStorage, cipher: TokenCipher, clock: Callable[[], float] = time.time
    ) -> None:
        self.rows = rows
        self.cipher = cipher
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        """The logger bolt may write to."""
        return log

    # -- conversions -----------------------------------------------------------------------

    def record_of(self, installation: Installation | Bot) -> InstallationRecord:
        """The row to store for ``installation`` (tokens sealed). BoltError when it has no
        bot token or no workspace or organisation id."""
        key = team_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if key is None or not installation.bot_token:
            raise BoltError("an installation without a bot token or a workspace id")
        refresh = installation.bot_refresh_token
        installed_at = installation.installed_at
        return InstallationRecord(
            team_key=key,
            enterprise_id=installation.enterprise_id,
            enterprise_name=installation.enterprise_name,
            enterprise_url=getattr(installation, "enterprise_url", None),
            team_id=installation.team_id,
            team_name=installation.team_name,
            is_enterprise_install=bool(installation.is_enterprise_install),
            app_id=installation.app_id,
            bot_id=installation.bot_id,
            bot_user_id=installation.bot_user_id,
            bot_scopes=",".join(installation.bot_scopes or ()),
            bot_token=self.cipher.seal(installation.bot_token),
            bot_refresh_token=self.cipher.seal(refresh) if refresh else None,
            bot_token_expires_at=installation.bot_token_expires_at,
            installer_user_id=getattr(installation, "user_id", None),
            token_type=getattr(installation, "token_type", None) or "bot",
            installed_at=float(installed_at) if installed_at else self._clock(),
        )

    def installation_of(self, record: InstallationRecord) -> Installation:
        """bolt's installation for a stored row (tokens opened)."""
        refresh = record.bot_refresh_token
        return Installation(
            app_id=record.app_id,
            enterprise_id=record.enterprise_id,
            enterprise_name=record.enterprise_name,
            enterprise_url=record.enterprise_url,
            team_id=record.team_id,
            team_name=record.team_name,
            bot_token=self.cipher.open(record.bot_token),
            bot_id=record.bot_id,
            bot_user_id=record.bot_user_id,
            bot_scopes=record.bot_scopes,
            bot_refresh_token=self.cipher.open(refresh) if refresh else None,
            bot_token_expires_at=record.bot_token_expires_at,
            user_id=record.installer_user_id or "",
            is_enterprise_install=record.is_enterprise_install,
            token_type=record.token_type,
            installed_at=record.installed_at,
        )

    # -- AsyncInstallationStore --------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        """Store an installation (a reinstall replaces the workspace's previous one)."""
        await self.rows.save(self.record_of(installation))

    async def async_save_bot(self, bot: Bot) -> None:
        """Store a bot installation."""
        await self.rows.save(self.record_of(bot))

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installation of the workspace (or organisation); None for a user other than
        the installer (Quizbot keeps no user tokens)."""
        key = team_key(enterprise_id, team_id, is_enterprise_install)
        record = await self.rows.find(key) if key else None
        if record is None:
            return None
        if user_id is not None and user_id != record.installer_user_id:
            return None
        return self.installation_of(record)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The bot of the workspace (or organisation), or None."""
        found = await self.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return found.to_bot() if found is not None else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Remove the installation of the workspace (or, without one, the organisation)."""
        key = team_id or enterprise_id
        if key:
            await self.rows.delete(key)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Remove the installation; a user's tokens alone are never stored, so revoking one
        (``user_id``) changes nothing."""
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Remove everything stored for the workspace (or organisation)."""
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class QuizbotStateStore(AsyncOAuthStateStore):
    """Single-use states of the install flow, valid for :data:`STATE_EXPIRATION_S`."""

    def __init__(
        self,
        rows: InstallationStorage,
        clock: Callable[[], float] = time.time,
        expiration_s: float = STATE_EXPIRATION_S,
    ) -> None:
        self.rows = rows
        self._clock = clock
        self.expiration_s = expiration_s

    @property
    def logger(self) -> logging.Logger:
        """The logger bolt may write to."""
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new random state, stored until it expires or is used."""
        state = secrets.token_urlsafe(32)
        await self.rows.add_state(state, self._clock() + self.expiration_s)
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a state issued here and not expired; False ever after."""
        if not state:
            return False
        return await self.rows.consume_state(state, self._clock())
