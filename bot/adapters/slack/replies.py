"""How a Slack listener answers the user privately: the three kinds of ephemeral reply.

A :data:`Reply` takes the notification text and the blocks. Slash commands and button clicks
answer through their ``response_url`` (a click must not replace the message it came from).
View submissions have none of their own: a modal keeps the response_url of the click that
opened it (:func:`modal_reply`), because ``chat.postEphemeral`` fails where the bot is not a
member (a channel it posts to through chat:write.public, a DM); ``chat.postEphemeral`` is the
fallback when that URL is missing or refused (it expires after 30 minutes and 5 uses).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.payloads import modal_metadata, modal_response_url

__all__ = [
    "Reply",
    "action_reply",
    "command_reply",
    "ephemeral_reply",
    "modal_reply",
    "submission_reply",
]

log = logging.getLogger(__name__)

RESPONSE_URL_TIMEOUT_S = 10

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


def modal_reply(response_url: str, fallback: Reply) -> Reply:
    """Answer a modal submission through the opening click's ``response_url`` (a new
    ephemeral message), or through ``fallback`` when there is none or it is refused."""
    if not response_url:
        return fallback

    async def reply(text: str, message_blocks: list[dict[str, Any]]) -> None:
        webhook = AsyncWebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT_S)
        try:
            response = await webhook.send(
                text=text,
                blocks=message_blocks,
                response_type="ephemeral",
                replace_original=False,
            )
        except (aiohttp.ClientError, TimeoutError):
            log.warning("response_url unreachable; replying with chat.postEphemeral")
        else:
            if response.status_code == 200:
                return
            log.warning(
                "response_url refused (%s); replying with chat.postEphemeral",
                response.status_code,
            )
        await fallback(text, message_blocks)

    return reply


def submission_reply(client: AsyncWebClient, view: object, user_id: str) -> tuple[int, Reply]:
    """(the round its ``private_metadata`` keeps, the :func:`modal_reply`) of a submitted
    modal: the opening click's response_url, else chat.postEphemeral in its channel."""
    round_id, channel_id = modal_metadata(view)
    return round_id, modal_reply(
        modal_response_url(view), ephemeral_reply(client, channel_id, user_id)
    )
