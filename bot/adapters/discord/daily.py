"""``/quiz-admin daily set|off|show|now``: the daily question's admin commands on Discord.

Discord nests them as a sub-command group of ``/quiz-admin``, so they inherit its gate
(``default_permissions(manage_guild)``) and each checks ``has_permissions`` again. Validation
of the options and the replies' words are shared with every platform
(:mod:`bot.adapters.daily_admin`), the schedule's values are the engine's
(:mod:`bot.engine.daily_schedule`); this module only translates.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.daily_admin import daily_request, run_daily
from bot.adapters.discord.identity import engine_of, team_of
from bot.adapters.discord.interaction import defer, reply
from bot.engine.errors import QuizError
from bot.engine.model import Channel
from questions.schema import DIFFICULTIES

__all__ = [
    "DIFFICULTY_CHOICES",
    "NOT_POSTABLE",
    "OTHER_SERVER",
    "POSTABLE_CHANNEL_TYPES",
    "PostableChannel",
    "add_daily_commands",
]

DIFFICULTY_CHOICES = [app_commands.Choice(name=d, value=d) for d in DIFFICULTIES]
POSTABLE_CHANNEL_TYPES = (discord.ChannelType.text, discord.ChannelType.news)
NOT_POSTABLE = (
    "The daily question can only be posted in a text or announcement channel; pick one of those."
)

OTHER_SERVER = "That channel is not in this server; pick one of this server's channels."


class PostableChannel(app_commands.Transformer[Any]):
    """A ``channel`` option Discord offers only text and announcement channels for.

    A category or voice channel would fail every daily post (50008); a forged or stale
    payload naming one is refused (:data:`NOT_POSTABLE`) before anything is saved.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        """A channel option."""
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """Text and announcement (news) channels only."""
        return list(POSTABLE_CHANNEL_TYPES)

    async def transform(
        self, interaction: discord.Interaction[Any], value: Any, /
    ) -> app_commands.AppCommandChannel:
        """The resolved channel, refused unless Quizbot can post a question in it."""
        if (
            not isinstance(value, app_commands.AppCommandChannel)
            or value.type not in POSTABLE_CHANNEL_TYPES
        ):
            raise QuizError(NOT_POSTABLE)
        return value


Postable = app_commands.Transform[app_commands.AppCommandChannel, PostableChannel]


async def _run(
    interaction: discord.Interaction[Any],
    action: str,
    options: dict[str, str | None],
    channel: app_commands.AppCommandChannel | None = None,
) -> None:
    """Check the options (the refusals every platform gives), defer privately, run the
    command (:mod:`bot.adapters.daily_admin`) and reply with its result."""
    engine = engine_of(interaction)
    request = daily_request(action, options, channel=None if channel is None else str(channel.id))
    here, target = _target(interaction, None), _target(interaction, channel)
    await defer(interaction)
    done = await run_daily(engine, request, here=here, resolve=lambda _: target)
    await reply(interaction, done.text(_mention))


def _mention(channel: Channel) -> str:
    return f"<#{channel.channel_id}>"


def _target(
    interaction: discord.Interaction[Any], channel: app_commands.AppCommandChannel | None
) -> Channel:
    team = team_of(interaction)
    if channel is not None:
        if any(guild != interaction.guild_id for guild in _guilds_of(interaction, channel.id)):
            raise QuizError(OTHER_SERVER)
        return Channel(team, str(channel.id), channel.name)
    if interaction.channel_id is None:
        raise app_commands.NoPrivateMessage()
    name = getattr(interaction.channel, "name", None) or ""
    return Channel(team, str(interaction.channel_id), str(name))


def _guilds_of(interaction: discord.Interaction[Any], channel_id: int) -> set[int | None]:
    """The servers a channel option's channel belongs to, as far as they are known: the one
    its resolved data names (when Discord names one) and the one of the bot's cached channel.

    discord.py gives a resolved channel the interaction's server whatever the payload says,
    so the payload itself is read.
    """
    guilds: set[int | None] = set()
    data: Any = interaction.data or {}
    resolved = data.get("resolved", {}).get("channels", {}).get(str(channel_id), {})
    named = resolved.get("guild_id") if isinstance(resolved, dict) else None
    if named is not None:
        guilds.add(int(named) if str(named).isdigit() else None)
    cached = interaction.client.get_channel(channel_id)
    if isinstance(cached, discord.abc.GuildChannel):
        guilds.add(cached.guild.id)
    return guilds


def add_daily_commands(admin: app_commands.Group) -> None:
    """Add the ``daily`` sub-command group to the ``/quiz-admin`` group."""
    daily = app_commands.Group(
        name="daily", description="Schedule the daily question of a channel", parent=admin
    )

    @daily.command(name="set", description="Post a daily question in a channel at a local time")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        channel="Where to post",
        time="Local time, HH:MM (24-hour), e.g. 09:00",
        timezone="IANA timezone, e.g. Europe/Berlin or America/New_York",
        days="Which days: mon-fri, mon,wed,fri or daily (default)",
        difficulty="Difficulty (default: any)",
        close="Close time HH:MM (default: at the next post)",
        digest="Post last week's digest with the week's first question (default: unchanged)",
    )
    @app_commands.choices(difficulty=DIFFICULTY_CHOICES)
    async def set_schedule(
        interaction: discord.Interaction[Any],
        channel: Postable,
        time: str,
        timezone: str,
        days: str | None = None,
        difficulty: app_commands.Choice[str] | None = None,
        close: str | None = None,
        digest: bool | None = None,
    ) -> None:
        options = {
            "time": time,
            "timezone": timezone,
            "days": days,
            "difficulty": difficulty.value if difficulty else None,
            "close": close,
            "digest": None if digest is None else ("on" if digest else "off"),
        }
        await _run(interaction, "set", options, channel)

    @daily.command(name="off", description="Stop the daily question of a channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(channel="Which channel (default: this one)")
    async def off(
        interaction: discord.Interaction[Any],
        channel: app_commands.AppCommandChannel | None = None,
    ) -> None:
        await _run(interaction, "off", {}, channel)

    @daily.command(name="show", description="Every daily question schedule of this server")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def show(interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "show", {})

    @daily.command(name="now", description="Post the channel's daily question now (to try it)")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(channel="Which channel (default: this one)")
    async def now(
        interaction: discord.Interaction[Any],
        channel: Postable | None = None,
    ) -> None:
        await _run(interaction, "now", {}, channel)
