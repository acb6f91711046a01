"""What the engine needs from the outside world: a clock and an outbox per platform."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal

__all__ = ["Clock", "Outbox", "channel_gone", "message_gone", "system_clock"]

Clock = Callable[[], float]
"""Returns the current time as seconds since the epoch (UTC)."""


def system_clock() -> float:
    """The real time."""
    return time.time()


class Outbox(Protocol):
    """How the engine posts unsolicited messages (a round closing on its timer, the daily post).

    Each adapter implements it for its platform.
    """

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        """Post a new message to a channel and return where it landed."""
        ...

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """Replace an earlier message (e.g. the question becomes its reveal)."""
        ...


def channel_gone(outbox: Outbox, exc: BaseException) -> bool:
    """Whether ``exc`` (raised by ``outbox``) means the channel is gone for good.

    Outboxes may implement ``channel_gone(exc)``; every other error counts as temporary.
    """
    classify = getattr(outbox, "channel_gone", None)
    return bool(classify(exc)) if callable(classify) else False


def message_gone(outbox: Outbox, exc: BaseException) -> bool:
    """Whether ``exc`` (raised by ``outbox.edit``) means the message no longer exists.

    Outboxes may implement ``message_gone(exc)``; without it no error counts as such.
    """
    classify = getattr(outbox, "message_gone", None)
    return bool(classify(exc)) if callable(classify) else False
