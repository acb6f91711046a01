"""The Slack :class:`~bot.engine.ports.Outbox`, and the Web API client it posts with.

With one workspace the client carries ``SLACK_BOT_TOKEN``. Distributed with OAuth the outbox
gets :class:`~bot.adapters.slack.token_rotation.WorkspaceTokens` and sends each call with the
token of its own workspace: a post's channel names its team; an edited message's team is that
of the round that posted it. Quizbot no longer installed there, or its token revoked, counts as
the channel being gone (the daily schedule pauses).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.adapters.slack.digest_blocks import digest_blocks
from bot.adapters.slack.dispute_blocks import settlement_blocks, settlement_text
from bot.adapters.slack.pacing import SlackPacing
from bot.adapters.slack.payloads import PLATFORM
from bot.adapters.slack.token_rotation import NotInstalledError, WorkspaceTokens
from bot.adapters.wording import digest_title
from bot.engine.model import (
    Channel,
    MessageRef,
    Player,
    QuestionCard,
    Reveal,
    Settlement,
    WeeklyDigest,
)

__all__ = ["SlackOutbox", "make_client", "render"]

RATE_LIMIT_RETRIES = 5
CHANNEL_GONE_ERRORS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
    | {"restricted_action", "team_access_not_granted"}  # no access: posting restricted there
)
MESSAGE_GONE_ERRORS = frozenset({"message_not_found", "cant_update_message"})
WORKSPACE_GONE_ERRORS = frozenset({"token_revoked", "account_inactive"})


def make_client(token: str | None, base_url: str) -> AsyncWebClient:
    """A Web API client for ``base_url`` that retries 429s after ``Retry-After`` seconds."""
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def _slack_error(exc: BaseException) -> str:
    """The ``error`` code of a failed Web API call ("" for any other exception)."""
    if not isinstance(exc, SlackApiError):
        return ""
    data = exc.response.data if exc.response is not None else None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else ""


def render(view: QuestionCard | Reveal) -> dict[str, Any]:
    """``text`` and ``blocks`` arguments for a question (with buttons) or its reveal (without)."""
    if isinstance(view, Reveal):
        return {"text": blocks.reveal_text(view), "blocks": blocks.reveal_blocks(view)}
    return {"text": blocks.card_text(view), "blocks": blocks.card_blocks(view)}


class SlackOutbox:
    """Posts questions and reveals with chat.postMessage, turns a question into its reveal
    with chat.update (which removes the buttons). Each call first waits its turn under
    Slack's limits (:class:`~bot.adapters.slack.pacing.SlackPacing`)."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        tokens: WorkspaceTokens | None = None,
        pacing: SlackPacing | None = None,
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._pacing = pacing or SlackPacing()

    async def _turn(self, method: str, auth: dict[str, Any], channel_id: str) -> None:
        """Wait for this call's turn in its workspace (known by its token)."""
        workspace = str(auth.get("token") or self._client.token or "")
        await self._pacing.wait(method, workspace, channel_id)

    async def _auth(self, team_id: str) -> dict[str, Any]:
        """The ``token`` argument for a call in workspace ``team_id`` (none with one
        workspace: the client has it)."""
        if self._tokens is None:
            return {}
        return {"token": await self._tokens.bot_token(team_id)}

    async def _auth_of_message(self, ref: MessageRef) -> dict[str, Any]:
        """The ``token`` argument for editing the message at ``ref``."""
        if self._tokens is None:
            return {}
        team_id = await self._tokens.store.rows.team_of_message(
            PLATFORM, ref.channel_id, ref.message_id
        )
        if team_id is None:
            raise NotInstalledError(f"(unknown; no round posted message {ref.message_id})")
        return await self._auth(team_id)

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        """Post ``view`` to ``channel`` and return where it landed (channel id, ts)."""
        auth = await self._auth(channel.team.team_id)
        await self._turn("chat.postMessage", auth, channel.channel_id)
        response = await self._client.chat_postMessage(
            channel=channel.channel_id,
            unfurl_links=False,
            unfurl_media=False,
            **render(view),
            **auth,
        )
        return MessageRef(str(response["channel"]), str(response["ts"]))

    @staticmethod
    def channel_gone(exc: BaseException) -> bool:
        """Slack says the channel is gone, archived, or the bot is not (any longer) in it; or
        that Quizbot is not installed in the workspace any more (its token revoked)."""
        if isinstance(exc, NotInstalledError):
            return True
        return _slack_error(exc) in CHANNEL_GONE_ERRORS | WORKSPACE_GONE_ERRORS

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        """Slack says the message to update no longer exists (deleted) or cannot be edited."""
        return _slack_error(exc) in MESSAGE_GONE_ERRORS

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """Replace the message at ``ref`` with ``view``."""
        auth = await self._auth_of_message(ref)
        await self._turn("chat.update", auth, ref.channel_id)
        await self._client.chat_update(
            channel=ref.channel_id, ts=ref.message_id, **render(view), **auth
        )

    async def tell(self, player: Player, settlement: Settlement) -> None:
        """Message the player how their report was settled: posted to their user id, it lands
        in the app's DM with them (the Messages tab of Quizbot's App Home)."""
        await self._message(
            player.team.team_id,
            player.user_id,
            settlement_text(settlement),
            settlement_blocks(settlement),
        )

    async def post_digest(self, channel: Channel, digest: WeeklyDigest) -> None:
        """Post the channel's weekly digest."""
        await self._message(
            channel.team.team_id, channel.channel_id, digest_title(digest), digest_blocks(digest)
        )

    async def _message(
        self, team_id: str, channel_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> None:
        auth = await self._auth(team_id)
        await self._turn("chat.postMessage", auth, channel_id)
        await self._client.chat_postMessage(
            channel=channel_id,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            **auth,
        )
