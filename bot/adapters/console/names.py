"""The names a console user picks: player, channel and team, typed as ``/as``, ``/channel``
and ``/team`` or given as ``quizbot console --as`` / ``--channel``: one rule for both."""

from __future__ import annotations

from typing import Literal

from bot.adapters.console.commands import CommandError

__all__ = ["MAX_NAME", "NameKind", "valid_channel", "valid_name"]

MAX_NAME = 32
NameKind = Literal["player", "channel", "team"]
_EXAMPLE: dict[NameKind, str] = {"player": "bob", "channel": "general", "team": "rivals"}


def valid_name(name: str, kind: NameKind) -> str:
    """``name`` trimmed; :class:`CommandError` when it is empty or longer than ``MAX_NAME``."""
    name = name.strip()
    if not name:
        raise CommandError(f"A {kind} name can't be empty; e.g. {_EXAMPLE[kind]}.")
    if len(name) > MAX_NAME:
        raise CommandError(f"A {kind} name is at most {MAX_NAME} characters.")
    return name


def valid_channel(name: str) -> str:
    """A channel name without its ``#`` (``#general`` is ``general``), as :func:`valid_name`."""
    return valid_name(name.strip().lstrip("#"), "channel")
