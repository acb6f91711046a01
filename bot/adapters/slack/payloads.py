"""Translating Slack payloads (slash commands, interactions, events) into engine identities."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.engine.model import Channel, Player, Team

__all__ = [
    "PLATFORM",
    "PayloadError",
    "command_identity",
    "event_name",
    "event_team",
    "interaction_channel",
    "interaction_identity",
    "modal_metadata",
    "modal_response_url",
    "modal_step",
    "text_field",
    "view_value",
]

PLATFORM = "slack"
_MAX_NAME = 80
_MAX_URL = 2000
_MAX_STEP = 8

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


def event_team(body: Body) -> str:
    """The workspace id of any payload ("" when absent), for the event log."""
    return text_field(body, "team_id") or text_field(body.get("team"), "id")


def event_name(body: Body) -> str:
    """What a payload asks for, for the event log: ``/quiz``, ``action:quiz:open``,
    ``view:quiz:answer_modal`` or ``event:app_home_opened``."""
    if text_field(body, "command"):
        return text_field(body, "command")
    actions = body.get("actions")
    if isinstance(actions, list) and actions:
        return "action:" + (text_field(actions[0], "action_id") or "?")
    if isinstance(body.get("view"), Mapping) and body.get("type") == "view_submission":
        return "view:" + (text_field(body["view"], "callback_id") or "?")
    if isinstance(body.get("event"), Mapping):
        return "event:" + (text_field(body["event"], "type") or "?")
    return text_field(body, "type") or "unknown"


def modal_metadata(view: object) -> tuple[int, str]:
    """The round id and channel id a modal keeps in its ``private_metadata``."""
    try:
        raw = view.get("private_metadata") if isinstance(view, Mapping) else None
        meta = json.loads(raw) if isinstance(raw, str) else None
        round_id, channel_id = meta["round"], meta["channel"]  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        raise PayloadError("modal without valid private_metadata") from None
    if not isinstance(round_id, int) or not isinstance(channel_id, str) or not channel_id:
        raise PayloadError("modal without valid private_metadata")
    return round_id, channel_id


def _metadata_text(view: object, key: str, limit: int) -> str:
    """A text a modal keeps in its ``private_metadata`` under ``key`` ("" when none or longer
    than ``limit``)."""
    raw = view.get("private_metadata") if isinstance(view, Mapping) else None
    try:
        meta = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return ""
    value = meta.get(key) if isinstance(meta, dict) else None
    return value if isinstance(value, str) and len(value) <= limit else ""


def modal_step(view: object) -> str:
    """The interview step a modal keeps in its ``private_metadata`` ("" when none)."""
    return _metadata_text(view, "step", _MAX_STEP)


def modal_response_url(view: object) -> str:
    """The click's ``response_url`` a modal keeps in its ``private_metadata`` ("" when none).

    The metadata is what the app itself gave Slack with views.open, sent back in a signed
    payload; only an http(s) URL of sane length is accepted all the same.
    """
    url = _metadata_text(view, "response_url", _MAX_URL)
    return url if url.startswith(("https://", "http://")) else ""


def view_value(view: object, block_id: str, action_id: str) -> str:
    """The text typed into a submitted modal's input ("" when absent)."""
    state = view.get("state") if isinstance(view, Mapping) else None
    values = state.get("values") if isinstance(state, Mapping) else None
    block = values.get(block_id) if isinstance(values, Mapping) else None
    return text_field(block.get(action_id) if isinstance(block, Mapping) else None, "value")
