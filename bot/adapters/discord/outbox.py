"""The Discord :class:`~bot.engine.ports.Outbox`: unsolicited posts and edits over REST.

Discord allows a bot about 50 REST requests a second in all (the global limit) besides each
route's bucket. discord.py's HTTP client keeps the route buckets (it reads the
``X-RateLimit-*`` headers, waits when one is empty and sleeps on a 429, the global one
included) but sends as fast as it is asked until Discord refuses; so the outbox paces its own
requests under the global limit (:data:`GLOBAL_PACE`): a thousand daily posts due in the same
minute go out at that rate, in the order they were asked for, instead of a burst of 429s.
"""

from __future__ import annotations

import discord

from bot.adapters.discord import render
from bot.adapters.discord.components import card_view, reveal_view
from bot.adapters.discord.digest_embed import digest_embed
from bot.adapters.discord.dispute_embeds import settlement_embed
from bot.adapters.discord.roles import ServerRoles
from bot.engine.model import (
    Channel,
    MessageRef,
    Player,
    QuestionCard,
    Reveal,
    Settlement,
    Team,
    WeeklyDigest,
)
from bot.pacing import RateLimiter

__all__ = [
    "CANNOT_SEND_HERE",
    "GLOBAL_BURST",
    "GLOBAL_PACE",
    "UNKNOWN_CHANNEL",
    "UNKNOWN_MESSAGE",
    "DiscordOutbox",
    "embed_and_view",
]

UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
CANNOT_SEND_HERE = 50008  # "Cannot send messages in a non-text channel" (a category, voice…)
GLOBAL_PACE = 48.0
"""Requests a second the outbox sends at most: under Discord's global 50, which other REST
calls of the bot (command sync; replies to interactions are exempt) share."""
GLOBAL_BURST = 5.0


def embed_and_view(view: QuestionCard | Reveal) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and buttons of a question (live) or a reveal (buttons disabled)."""
    if isinstance(view, Reveal):
        return render.reveal_embed(view), reveal_view(view)
    return render.card_embed(view), card_view(view)


class DiscordOutbox:
    """Posts to a channel and edits the round's message, with mentions disabled; every request
    waits for its turn under the global limit (``pacing``, by default :data:`GLOBAL_PACE`)."""

    def __init__(self, client: discord.Client, pacing: RateLimiter | None = None) -> None:
        self._client = client
        self._pacing = pacing or RateLimiter(GLOBAL_PACE, GLOBAL_BURST)

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        """Post ``view`` as a new message in ``channel`` and return where it landed."""
        await self._pacing.acquire()
        embed, buttons = embed_and_view(view)
        target = self._client.get_partial_messageable(
            int(channel.channel_id), guild_id=int(channel.team.team_id)
        )
        message = await target.send(
            embed=embed, view=buttons, allowed_mentions=discord.AllowedMentions.none()
        )
        return MessageRef(str(message.channel.id), str(message.id))

    @staticmethod
    def channel_gone(exc: BaseException) -> bool:
        """The channel was deleted (Unknown Channel), the bot may no longer post there, or it
        is not a channel messages can be sent in (a category or voice channel): retrying
        will not help."""
        if isinstance(exc, discord.Forbidden):
            return True
        if isinstance(exc, discord.NotFound) and exc.code == UNKNOWN_CHANNEL:
            return True
        return isinstance(exc, discord.HTTPException) and exc.code == CANNOT_SEND_HERE

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        """Editing failed because the round's message was deleted (Unknown Message)."""
        return isinstance(exc, discord.NotFound) and exc.code == UNKNOWN_MESSAGE

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """Replace the round's message (the question becomes its reveal, buttons disabled)."""
        await self._pacing.acquire()
        embed, buttons = embed_and_view(view)
        channel = self._client.get_partial_messageable(int(ref.channel_id))
        await channel.get_partial_message(int(ref.message_id)).edit(
            embed=embed, view=buttons, allowed_mentions=discord.AllowedMentions.none()
        )

    async def tell(self, player: Player, settlement: Settlement) -> None:
        """DM the player how their report was settled. Discord refuses (403) when they take
        no DMs from server members; the engine then tries again later, a few times, and the
        player's next private reply shows it meanwhile (:func:`interaction.reply`)."""
        await self._pacing.acquire()  # opening the DM channel
        await self._pacing.acquire()  # the message
        channel = await self._client.create_dm(discord.Object(id=int(player.user_id)))
        await channel.send(
            embed=settlement_embed(settlement), allowed_mentions=discord.AllowedMentions.none()
        )

    async def post_digest(self, channel: Channel, digest: WeeklyDigest) -> None:
        """Post the channel's weekly digest."""
        await self._pacing.acquire()
        target = self._client.get_partial_messageable(
            int(channel.channel_id), guild_id=int(channel.team.team_id)
        )
        await target.send(
            embed=digest_embed(digest), allowed_mentions=discord.AllowedMentions.none()
        )

    async def grant_role(self, team: Team, user_id: str, role_id: str) -> None:
        """Give a member a reward role (only one below the bot's own highest role)."""
        await self._pacing.acquire()  # the guild's roles
        await self._pacing.acquire()  # the grant
        roles = ServerRoles.of(self._client)
        await roles.grant(int(team.team_id), int(user_id), int(role_id))
