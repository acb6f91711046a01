"""What the engine needs from the outside world: a clock, an outbox per platform, and an
optional judge of free-text answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal
from questions.schema import Question

__all__ = [
    "Clock",
    "Judge",
    "JudgeVerdict",
    "Outbox",
    "channel_gone",
    "message_gone",
    "system_clock",
]

Clock = Callable[[], float]
"""Returns the current time as seconds since the epoch (UTC)."""


def system_clock() -> float:
    """The real time."""
    return time.time()


class Outbox(Protocol):
    """How the engine posts unsolicited messages (a round closing on its timer, the daily post,
    its live count), all of them from the publication queue (:mod:`bot.engine.publishing`),
    and an admin's close as their reply.

    Each adapter implements it for its platform. An outbox may also implement, where its
    platform can: ``tell(player, settlement)`` (a private notice, :mod:`bot.engine.disputes`),
    ``post_digest(channel, digest)`` (:mod:`bot.engine.digest`) and ``grant_role(team,
    user_id, role_id)`` (:mod:`bot.engine.rewards`).
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


@dataclass(frozen=True, slots=True)
class JudgeVerdict:
    """A judge's reading of a free-text answer: the grade (0..1), each key point's label by
    status, and one line of feedback to the learner (untrusted text: escape it to show it)."""

    grade: float
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    contradicted: tuple[str, ...]
    feedback: str


class Judge(Protocol):
    """Grades a free-text answer beyond what the offline rubric can see (e.g. a language model).

    Returns None when it cannot give a verdict (unreachable, too slow, an invalid reply); the
    engine then keeps the rubric's grade. It must return within a bounded time.
    """

    async def judge(self, question: Question, answer: str) -> JudgeVerdict | None:
        """The verdict on ``answer`` to ``question``, or None."""
        ...
