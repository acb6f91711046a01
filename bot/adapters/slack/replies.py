"""How a Slack listener answers the user privately: the three kinds of ephemeral reply.

A :data:`Reply` takes the notification text and the blocks. Slash commands and button clicks
answer through their ``response_url`` (a click must not replace the message it came from);
view submissions have none, so they post with ``chat.postEphemeral``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["Reply", "action_reply", "command_reply", "ephemeral_reply"]

Reply = Callable[[str, list[dict[str, Any]]], Awaitable[None]]


def command_reply(respond: AsyncRespond) -> Reply:
    """Answer a slash command with an ephemeral message."""

    async def reply(text: str, message_blocks: list[dict[str, Any]]) -> None:
        await respond(text=text, blocks=message_blocks, response_type="ephemeral")

    return reply


def action_reply(respond: AsyncRespond) -> Reply:
    """Answer a button click with a new ephemeral message (the original stays)."""

    async def reply(text: str, message_blocks: list[dict[str, Any]]) -> None:
        await respond(
            text=text, blocks=message_blocks, response_type="ephemeral", replace_original=False
        )

    return reply


def ephemeral_reply(client: AsyncWebClient, channel_id: str, user_id: str) -> Reply:
    """Answer with ``chat.postEphemeral`` to ``user_id`` in ``channel_id``."""

    async def reply(text: str, message_blocks: list[dict[str, Any]]) -> None:
        await client.chat_postEphemeral(
            channel=channel_id, user=user_id, text=text, blocks=message_blocks
        )

    return reply
