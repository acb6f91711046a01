"""Per-workspace bot tokens, refreshed before they expire (Slack's token rotation).

:class:`WorkspaceTokens` gives the outbox the bot token of a workspace (it has no incoming
request whose ``authorize`` step would), and :class:`SerialisedAuthorize` is bolt's own
``AsyncInstallationStoreAuthorize`` with its rotation step replaced by the same code. A token
that expires within ``minutes_before_expiration`` is refreshed with slack_sdk's
``AsyncTokenRotator`` (``oauth.v2.access``, ``grant_type=refresh_token``), serialised per
workspace: a lock in this process, and in the database a claim on the refresh token
(a conditional update) and a save conditional on it, so two processes never spend one
refresh token twice. A process that finds the claim taken keeps using the current token while
it is still valid, and otherwise waits for the other process's new one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

from bot.adapters.slack.installations import QuizbotInstallationStore, team_key

__all__ = [
    "NotInstalledError",
    "SerialisedAuthorize",
    "TokenRefreshError",
    "WorkspaceTokens",
]

log = logging.getLogger(__name__)

REFRESH_LEASE_S = 30.0
"""How long a claim on a refresh token holds when its process never finishes the refresh."""
WAIT_STEP_S = 0.2
"""How often a process waiting for another one's refresh looks again."""


class NotInstalledError(Exception):
    """Quizbot is not (any longer) installed in the workspace."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"Quizbot is not installed in Slack workspace {team_id}")
        self.team_id = team_id


class TokenRefreshError(Exception):
    """A workspace's expired token could not be refreshed."""


class WorkspaceTokens:
    """The bot token of each installed workspace, refreshed before it expires."""

    def __init__(
        self,
        store: QuizbotInstallationStore,
        rotator: AsyncTokenRotator,
        *,
        minutes_before_expiration: int = 120,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lease_s: float = REFRESH_LEASE_S,
    ) -> None:
        self.store = store
        self.rotator = rotator
        self.minutes_before_expiration = minutes_before_expiration
        self._clock = clock
        self._sleep = sleep
        self.lease_s = lease_s
        self._locks: dict[str, asyncio.Lock] = {}

    async def bot_token(self, team_id: str) -> str:
        """The bot token for workspace ``team_id`` (its own installation, or its organisation's
        org-wide one), refreshed first when it expires soon. :class:`NotInstalledError` when
        Quizbot is not installed there."""
        record = await self.store.rows.find_for_workspace(team_id)
        if record is None:
            raise NotInstalledError(team_id)
        installation = self.store.installation_of(record)
        fresh = await self.refreshed(installation)
        token = (fresh or installation).bot_token
        if not token:
            raise NotInstalledError(team_id)
        return token

    def expiring(self, installation: Installation) -> bool:
        """Whether the installation's bot token rotates and expires within the window."""
        expires_at = installation.bot_token_expires_at
        return (
            installation.bot_refresh_token is not None
            and expires_at is not None
            and expires_at <= self._clock() + self.minutes_before_expiration * 60
        )

    async def refreshed(self, installation: Installation) -> Installation | None:
        """The installation with a fresh bot token when its token expires soon (refreshed here,
        or by another process meanwhile); None when it needs no refresh."""
        if not self.expiring(installation):
            return None
        key = team_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if key is None:
            return None
        async with self._locks.setdefault(key, asyncio.Lock()):
            return await self._refresh(key)

    async def _refresh(self, key: str) -> Installation:
        rows = self.store.rows
        deadline = self._clock() + self.lease_s
        while True:
            record = await rows.find(key)
            if record is None:
                raise NotInstalledError(key)
            current = self.store.installation_of(record)
            if not self.expiring(current):
                return current  # refreshed meanwhile (here or by another process)
            used = record.bot_refresh_token
            assert used is not None  # expiring() requires a refresh token
            if await rows.claim_refresh(key, used, self._clock(), self.lease_s):
                return await self._spend(key, current, used)
            expires_at = current.bot_token_expires_at or 0
            if expires_at > self._clock() + 1:
                return current  # another process is refreshing; this token still works
            if self._clock() >= deadline:
                raise TokenRefreshError(f"the token of Slack workspace {key} expired unrefreshed")
            await self._sleep(WAIT_STEP_S)

    async def _spend(self, key: str, current: Installation, used: str) -> Installation:
        """Refresh with the claimed refresh token and save the result over it."""
        rows = self.store.rows
        try:
            bot = await self.rotator.perform_bot_token_rotation(
                bot=current.to_bot(), minutes_before_expiration=self.minutes_before_expiration
            )
        except BaseException:
            await rows.release_refresh(key, used)
            raise
        if bot is None or not bot.bot_token or not bot.bot_refresh_token:
            await rows.release_refresh(key, used)
            raise TokenRefreshError(f"Slack refused to refresh the token of workspace {key}")
        cipher = self.store.cipher
        saved = await rows.finish_refresh(
            key,
            used_refresh_token=used,
            bot_token=cipher.seal(bot.bot_token),
            bot_refresh_token=cipher.seal(bot.bot_refresh_token),
            bot_token_expires_at=bot.bot_token_expires_at,
        )
        if not saved:
            log.warning("slack: workspace %s changed while its token was refreshed", key)
        log.info("slack: refreshed the bot token of workspace %s", key)
        current.bot_token = bot.bot_token
        current.bot_refresh_token = bot.bot_refresh_token
        current.bot_token_expires_at = bot.bot_token_expires_at
        return current


class SerialisedAuthorize(AsyncInstallationStoreAuthorize):
    """bolt's authorize over the installation store, refreshing through :class:`WorkspaceTokens`
    (serialised per workspace) instead of on its own."""

    def __init__(self, tokens: WorkspaceTokens, **kwargs: Any) -> None:
        super().__init__(installation_store=tokens.store, **kwargs)
        self.tokens = tokens

    async def _rotate_and_save_tokens_if_necessary(
        self, installation: Installation | None
    ) -> Installation | None:
        if installation is None or installation.bot_refresh_token is None:
            return None
        try:
            return await self.tokens.refreshed(installation)
        except (NotInstalledError, TokenRefreshError) as exc:
            log.warning("slack: %s", exc)
            return None
