"""The Discord adapter: slash commands, buttons and modals translated to the quiz engine.

Entry points: :func:`run_discord` (run until cancelled), :func:`create_bot` (tests),
:func:`sync_commands` and :func:`invite_url` (the ``quizbot discord`` CLI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.adapters.discord.client import QuizBot, configure_endpoints
from bot.adapters.discord.outbox import DiscordOutbox
from bot.adapters.discord.sharding import IDENTIFY_WINDOW_S, ShardedQuizBot
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine
from storage.database import Database
from storage.identify_store import IdentifyLock, IdentifyStore
from storage.interface import Storage

__all__ = [
    "INVITE_PERMISSIONS",
    "DiscordOutbox",
    "DiscordUnavailable",
    "QuizBot",
    "ShardedQuizBot",
    "create_bot",
    "invite_url",
    "run_discord",
    "sync_commands",
]

INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    read_message_history=True,
    manage_roles=True,  # roles as rewards only; Quizbot never touches roles above its own
)


class DiscordUnavailable(Exception):
    """Discord could not be reached or refused the token; the message says which, in one line."""


@asynccontextmanager
async def _logged_in(settings: Settings) -> AsyncIterator[QuizBot]:
    """A client logged in with the bot token, for one-off REST calls (no gateway).

    Network failures and refusals become :class:`DiscordUnavailable`.
    """
    token = _token(settings)
    configure_endpoints(settings)
    try:
        async with QuizBot(None) as bot:  # REST only: never sharded
            await bot.login(token)
            yield bot
    except discord.LoginFailure:
        raise DiscordUnavailable("Discord refused DISCORD_TOKEN; reset it in the portal") from None
    except discord.HTTPException as exc:
        raise DiscordUnavailable(f"Discord refused the request: {exc.status} {exc.text}") from None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise DiscordUnavailable(
            f"cannot reach {settings.discord_api_base_url}: {type(exc).__name__} {exc}"
        ) from None


def _token(settings: Settings) -> str:
    if not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN is not set; put the bot token in the environment or .env")
    return settings.discord_token


def identify_lock(store: Storage) -> IdentifyLock:
    """The identify lock on ``store``'s database: an SQLite file's, or PostgreSQL's (shared by
    the replicas)."""
    if isinstance(store, Database):
        return IdentifyStore(store)
    from storage.postgres.database import PostgresDatabase  # asyncpg: only with PostgreSQL
    from storage.postgres.identify import PostgresIdentifyStore

    if isinstance(store, PostgresDatabase):
        return PostgresIdentifyStore(store)
    raise TypeError(f"no identify lock for {type(store).__name__}")


def create_bot(
    engine: QuizEngine | None, settings: Settings, *, identify_hold_s: float = IDENTIFY_WINDOW_S
) -> QuizBot:
    """A Quizbot client talking to the configured API and gateway (not yet logged in).

    With ``DISCORD_SHARD_COUNT`` set it runs this replica's shards, each identify waiting for
    its bucket's lock in the engine's database (held ``identify_hold_s`` seconds).
    """
    configure_endpoints(settings)
    pace = settings.discord_posts_per_second
    if settings.discord_shard_count is None:
        return QuizBot(engine, posts_per_second=pace)
    return ShardedQuizBot(
        engine,
        posts_per_second=pace,
        count=settings.discord_shard_count,
        ids=settings.discord_shard_ids,
        identify=identify_lock(engine.store) if engine is not None else None,
        hold_s=identify_hold_s,
    )


async def run_discord(engine: QuizEngine, settings: Settings) -> None:
    """Log in, connect to the gateway and serve until cancelled; the client is always closed.

    On the way out (cancelled: a graceful shutdown) no new interaction is taken and those in
    flight get :data:`~bot.adapters.discord.client.DRAIN_S` to finish, so an answer being
    saved commits (and its reply is sent) before the caller closes the store.
    """
    token = _token(settings)
    async with create_bot(engine, settings) as bot:
        try:
            await bot.start(token)
        finally:
            await bot.shutdown()


async def sync_commands(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Upload the slash commands (to one guild when ``guild_id``, else globally); their names."""
    async with _logged_in(settings) as bot:
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
        return [command.name for command in synced]


async def invite_url(settings: Settings) -> str:
    """The OAuth2 URL that adds the bot with its commands and minimal permissions."""
    async with _logged_in(settings) as bot:
        assert bot.application_id is not None
        return discord.utils.oauth_url(
            bot.application_id,
            permissions=INVITE_PERMISSIONS,
            scopes=("bot", "applications.commands"),
        )
