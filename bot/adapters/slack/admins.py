"""Who may use ``/quiz-admin`` on Slack: listed user ids, or workspace admins and owners."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["NOT_ADMIN", "AdminCheck", "parse_admin_ids"]

log = logging.getLogger(__name__)

NOT_ADMIN = "Only workspace admins and owners (or Quizbot admins) can use /quiz-admin."
_ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")


def parse_admin_ids(raw: str) -> frozenset[str]:
    """``SLACK_ADMIN_USER_IDS``: comma-separated Slack user ids."""
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


class AdminCheck:
    """Answers whether a user is a Quizbot admin (asked each time: a demotion counts at once)."""

    def __init__(self, client: AsyncWebClient, listed: frozenset[str]) -> None:
        self.client = client
        self.listed = listed

    async def is_admin(self, user_id: str) -> bool:
        """Listed in SLACK_ADMIN_USER_IDS, or a workspace admin or owner per users.info."""
        if user_id in self.listed:
            return True
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError:
            log.warning("users.info failed for %s", user_id, exc_info=True)
            return False
        user = response.get("user")
        if not isinstance(user, Mapping):
            return False
        return any(user.get(flag) is True for flag in _ADMIN_FLAGS)
