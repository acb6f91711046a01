"""Translating Slack payloads (slash commands, interactions, events) into engine identities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.model import Channel, Player, Team

__all__ = [
    "PLATFORM",
    "PayloadError",
    "command_identity",
    "interaction_channel",
    "interaction_identity",
    "text_field",
]

PLATFORM = "slack"
_MAX_NAME = 80

Body = Mapping[str, Any]


class PayloadError(Exception):
    """A payload missing a field every genuine Slack payload has."""


def text_field(mapping: object, *keys: str) -> str:
    """The first non-empty string among ``keys`` of ``mapping`` ("" when none)."""
    if not isinstance(mapping, Mapping):
        return ""
    for key in keys:
        value = mapping.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _required(mapping: object, key: str) -> str:
    value = text_field(mapping, key)
    if not value:
        raise PayloadError(f"payload without {key}")
    return value


def _name(raw: str, fallback: str) -> str:
    return (raw or fallback)[:_MAX_NAME]


def command_identity(body: Body) -> tuple[Channel, Player]:
    """The channel and caller of a slash command (a form body as a dict)."""
    team = Team(PLATFORM, _required(body, "team_id"))
    user_id = _required(body, "user_id")
    channel = Channel(team, _required(body, "channel_id"), text_field(body, "channel_name"))
    return channel, Player(team, user_id, _name(text_field(body, "user_name"), user_id))


def interaction_identity(body: Body) -> tuple[Team, Player]:
    """The team and user of a block action or a view submission."""
    user = body.get("user")
    team_id = text_field(body.get("team"), "id") or text_field(user, "team_id")
    if not team_id:
        raise PayloadError("payload without team")
    team = Team(PLATFORM, team_id)
    user_id = _required(user, "id")
    name = _name(text_field(user, "name", "username"), user_id)
    return team, Player(team, user_id, name)


def interaction_channel(body: Body, team: Team) -> Channel | None:
    """The channel a block action came from (None for a view submission)."""
    channel = body.get("channel")
    channel_id = text_field(channel, "id")
    if not channel_id:
        return None
    return Channel(team, channel_id, text_field(channel, "name"))
