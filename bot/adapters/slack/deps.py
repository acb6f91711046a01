"""What the Slack listeners work with: the engine, the Web API client and the helpers."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.admins import AdminCheck
from bot.adapters.slack.names import UserNames
from bot.adapters.slack.outbox import SlackOutbox
from bot.engine.engine import QuizEngine

__all__ = ["SlackDeps"]


@dataclass(slots=True)
class SlackDeps:
    """Shared by every listener; read at each request (the engine may be replaced)."""

    engine: QuizEngine
    client: AsyncWebClient
    outbox: SlackOutbox
    admins: AdminCheck
    names: UserNames
