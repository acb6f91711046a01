"""What the publication tests share: a platform outbox double that records, refuses on demand
and can hold a request until released, and a few set-ups on a real SQLite file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal, Team
from storage.outbox_store import OutboxStore

TEAM = Team("console", "acme")
GENERAL = Channel(TEAM, "general", "general")


class ServerError(Exception):
    """Stands in for a 5xx / 429 / network error of a platform."""


class ChannelGone(Exception):
    """Stands in for "Unknown Channel" / "channel_not_found"."""


class MessageGone(Exception):
    """Stands in for "Unknown Message" / "message_not_found"."""


@dataclass
class PlatformOutbox:
    """Records every call (``post`` / ``edit`` with the view); raises the queued ``failures``
    first; with ``hold`` set, each call waits until :meth:`release` (a slow platform)."""

    calls: list[tuple[str, QuestionCard | Reveal]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    edit_failures: list[Exception] = field(default_factory=list)
    hold: bool = False
    holding: asyncio.Event = field(default_factory=asyncio.Event)
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    active: dict[int, int] = field(default_factory=dict)
    most_at_once: dict[int, int] = field(default_factory=dict)

    def release(self) -> None:
        """Let every held call (and every later one) through."""
        self.hold = False
        self._released.set()

    async def _call(self, what: str, view: QuestionCard | Reveal) -> None:
        self.calls.append((what, view))
        round_id = view.round_id
        self.active[round_id] = self.active.get(round_id, 0) + 1
        self.most_at_once[round_id] = max(self.most_at_once.get(round_id, 0), self.active[round_id])
        try:
            if self.hold:
                self.holding.set()
                await self._released.wait()
            await asyncio.sleep(0)  # a real call gives the loop a turn
            if what == "edit" and self.edit_failures:
                raise self.edit_failures.pop(0)
            if self.failures:
                raise self.failures.pop(0)
        finally:
            self.active[round_id] -= 1

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        await self._call("post", view)
        return MessageRef(channel.channel_id, f"m{len(self.calls)}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        await self._call("edit", view)

    @staticmethod
    def channel_gone(exc: BaseException) -> bool:
        return isinstance(exc, ChannelGone)

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        return isinstance(exc, MessageGone)

    def reveals(self) -> list[int]:
        """Round ids of the reveals the platform was asked to show, in order."""
        return [view.round_id for _, view in self.calls if isinstance(view, Reveal)]


async def closed_quiz_round(engine: QuizEngine, channel: Channel = GENERAL) -> int:
    """Open a quiz round, let its time run out and close it (its reveal is queued); its id."""
    card = await engine.start_round(channel, None)
    engine.clock.advance(engine.round_seconds + 1)  # type: ignore[attr-defined]
    [reveal] = await engine.close_due_rounds()
    assert reveal.round_id == card.round_id
    return card.round_id


async def outcomes(engine: QuizEngine, round_id: int) -> list[tuple[str, str | None]]:
    """(kind, outcome) of a round's publication entries, oldest first."""
    return [(e.kind, e.outcome) for e in await OutboxStore(engine.store).entries(round_id)]
