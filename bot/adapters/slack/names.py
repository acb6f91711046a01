"""Display names of Slack users the engine does not know yet, per users.info (cached)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from cachetools import LRUCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.payloads import text_field

__all__ = ["NAME_CACHE_SIZE", "YOU", "UserNames"]

log = logging.getLogger(__name__)

YOU = "you"
"""The name shown for a user whose name users.info does not give."""
NAME_CACHE_SIZE = 1000
_MAX_NAME = 80


class UserNames:
    """users.info display names, the last :data:`NAME_CACHE_SIZE` kept (a failed look-up is
    not kept, so it is asked again next time)."""

    def __init__(self, client: AsyncWebClient, size: int = NAME_CACHE_SIZE) -> None:
        self.client = client
        self._cache: LRUCache[tuple[str, str], str] = LRUCache(maxsize=size)

    async def name(self, team_id: str, user_id: str) -> str:
        """The user's display name, or :data:`YOU` when Slack gives none."""
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError:
            log.warning("users.info failed for %s", user_id, exc_info=True)
            return YOU
        user = response.get("user")
        profile = user.get("profile") if isinstance(user, Mapping) else None
        found = (
            text_field(profile, "display_name", "real_name")
            or text_field(user, "real_name", "name")
        ).strip()[:_MAX_NAME] or YOU
        self._cache[key] = found
        return found
