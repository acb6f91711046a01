"""Discord shards: the sharded client, whose identifies every replica takes in turns.

Past 2 500 guilds Discord requires shards: gateway connections that each receive the events of
the guilds with ``(guild_id >> 22) % shard_count == shard_id``. Each replica runs a slice of
them (``DISCORD_SHARD_IDS``) in one :class:`discord.AutoShardedClient`.

Discord allows ``max_concurrency`` identifies per 5 seconds, one per bucket
(``shard_id % max_concurrency``). discord.py spaces the identifies of one process only; here
:meth:`ShardedQuizBot.before_identify_hook` waits for the bucket's lock in the database
(:class:`storage.identify_store.IdentifyStore`), which every replica shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Literal

import discord

from bot.adapters.discord.client import QuizBot
from bot.adapters.discord.outbox import GLOBAL_PACE
from bot.config import ConfigError, check_shard_ids, describe_shards
from bot.engine.engine import QuizEngine
from storage.identify_store import IdentifyLock

__all__ = ["IDENTIFY_WINDOW_S", "ShardedQuizBot", "identify_bucket"]

log = logging.getLogger(__name__)

IDENTIFY_WINDOW_S = 5.0
"""Discord's window: one identify per bucket every 5 seconds."""


def identify_bucket(shard_id: int, max_concurrency: int) -> int:
    """The rate-limit bucket of a shard's identify (Discord: ``shard_id % max_concurrency``)."""
    return shard_id % max(max_concurrency, 1)


class ShardedQuizBot(QuizBot, discord.AutoShardedClient):
    """Quizbot on Discord with shards ``ids`` (None: all) of ``count`` (``"auto"``: the count
    ``GET /gateway/bot`` recommends, read at login).

    ``identify`` is the lock shared by the replicas (None: discord.py's own spacing, for one
    process); each identify holds its bucket for ``hold_s`` seconds.
    """

    def __init__(
        self,
        engine: QuizEngine | None,
        *,
        count: int | Literal["auto"],
        ids: tuple[int, ...] | None,
        identify: IdentifyLock | None,
        hold_s: float = IDENTIFY_WINDOW_S,
        posts_per_second: float = GLOBAL_PACE,
    ) -> None:
        known = count if isinstance(count, int) else None
        super().__init__(
            engine,
            posts_per_second=posts_per_second,
            shard_count=known,
            shard_ids=list(ids) if ids is not None and known is not None else None,
        )
        self.requested_shards = (count, ids)
        self.identify_lock = identify
        self.identify_hold_s = hold_s
        self.max_concurrency = 1

    async def setup_hook(self) -> None:
        """Read ``GET /gateway/bot`` (the recommended count, the identify concurrency) and
        settle the shards this replica runs; then the client's own set-up."""
        recommended, _, limits = await self.http.get_bot_gateway()
        self.max_concurrency = max(int(limits.get("max_concurrency", 1)), 1)
        count, ids = self.requested_shards
        if count == "auto":
            if ids is not None:
                try:
                    check_shard_ids(ids, recommended)
                except ValueError as exc:
                    raise ConfigError(
                        f"invalid setting DISCORD_SHARD_IDS: {exc} "
                        "(DISCORD_SHARD_COUNT=auto reads the count from Discord)"
                    ) from None
            self.shard_count = recommended
            self.shard_ids = list(ids) if ids is not None else None
        total = int(self.shard_count or recommended)
        mine = describe_shards(ids if ids is not None else tuple(range(total)))
        log.info(
            "Discord shards %s of %d on this replica (Discord recommends %d; "
            "identify concurrency %d)",
            mine,
            total,
            recommended,
            self.max_concurrency,
        )
        if total < recommended:
            log.warning(
                "DISCORD_SHARD_COUNT (%d) is below the %d shards Discord recommends; "
                "raise it (or set auto) and re-slice DISCORD_SHARD_IDS across the replicas",
                total,
                recommended,
            )
        await super().setup_hook()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait for this shard's identify bucket, held by one replica at a time."""
        if self.identify_lock is None or shard_id is None:
            await super().before_identify_hook(shard_id, initial=initial)
            return
        bucket = identify_bucket(shard_id, self.max_concurrency)
        await self.identify_lock.acquire(bucket, self.identify_hold_s)
        log.debug("shard %d identifies (bucket %d)", shard_id, bucket)

    async def close_gateway(self) -> None:
        """Close every shard's gateway connection (at most 1 s in all)."""
        shards = list(self.shards.values())
        if shards:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    asyncio.gather(*(shard.disconnect() for shard in shards)), 1.0
                )
