"""``quizbot discord …``: sync the slash commands, print the invite URL.

This module imports no discord code at import time: only bot/adapters/** may, and only when a
sub-command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from bot.commands.groups import Subparsers, add_group
from bot.config import Settings, describe_shards, load_settings

__all__ = ["register"]

NO_TOKEN = (
    "quizbot: error: DISCORD_TOKEN is not set. Create a bot at "
    "https://discord.com/developers/applications and put its token in the environment or .env."
)


def _settings_with_token() -> Settings | None:
    settings = load_settings(postgres=True)  # no database: any QUIZBOT_DATABASE
    if not settings.discord_token:
        print(NO_TOKEN, file=sys.stderr)
        return None
    return settings


_T = TypeVar("_T")

_NOT_SHARD_ZERO = (
    "Skipped: this replica runs shards {shards} (DISCORD_SHARD_IDS); "
    "the replica running shard 0 syncs the commands"
)


def _call_discord(call: Callable[[], Coroutine[Any, Any, _T]]) -> _T | None:
    """Run one call to Discord; print one line and return None when Discord is unavailable."""
    from bot.adapters.discord import DiscordUnavailable

    try:
        return asyncio.run(call())
    except DiscordUnavailable as exc:
        print(f"quizbot: error: {exc} (quizbot doctor checks the settings)", file=sys.stderr)
        return None


def _sync(args: argparse.Namespace) -> int:
    settings = _settings_with_token()
    if settings is None:
        return 2
    if not settings.discord_holds_shard_zero:
        print(_NOT_SHARD_ZERO.format(shards=describe_shards(settings.discord_shard_ids or ())))
        return 0
    from bot.adapters.discord import sync_commands

    guild_id: int | None = args.guild or settings.discord_dev_guild_id
    names = _call_discord(lambda: sync_commands(settings, guild_id))
    if names is None:
        return 2
    where = f"guild {guild_id} (available now)" if guild_id else "globally (may take up to an hour)"
    print(f"Synced {len(names)} commands {where}: {', '.join('/' + n for n in names)}")
    return 0


def _invite_url(args: argparse.Namespace) -> int:
    settings = _settings_with_token()
    if settings is None:
        return 2
    from bot.adapters.discord import invite_url

    url = _call_discord(lambda: invite_url(settings))
    if url is None:
        return 2
    print(url)
    return 0


def register(subparsers: Subparsers) -> None:
    """Add ``discord sync [--guild ID]`` and ``discord invite-url`` to the CLI."""
    sub = add_group(
        subparsers,
        "discord",
        help="Discord set-up: sync commands, invite",
        title="discord commands",
        metavar="COMMAND",
    )

    sync = sub.add_parser(
        "sync",
        help="upload the slash commands (to one guild with --guild or DISCORD_DEV_GUILD_ID)",
    )
    sync.add_argument("--guild", type=int, default=None, metavar="ID", help="guild (server) id")
    sync.set_defaults(func=_sync)

    invite = sub.add_parser("invite-url", help="print the URL that adds the bot to a server")
    invite.set_defaults(func=_invite_url)
