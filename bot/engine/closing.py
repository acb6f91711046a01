"""Closing rounds and publishing their reveals through the platform's outbox.

Only the caller whose ``UPDATE … WHERE closed_at IS NULL`` changed the row reveals the round,
so a reveal is never doubled. Review rounds close silently: nobody else ever saw them.
"""

from __future__ import annotations

import logging

from bot.engine import views
from bot.engine.core import Core
from bot.engine.errors import QuizError, RoundClosedError
from bot.engine.model import Channel, Reveal, Team
from bot.engine.ports import Outbox
from storage.store import RoundRecord

__all__ = ["RoundCloser"]

log = logging.getLogger(__name__)


class RoundCloser:
    """Closes rounds on demand or when their time is up; holds each platform's outbox."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._outboxes: dict[str, Outbox] = {}

    def register_outbox(self, platform: str, outbox: Outbox) -> None:
        """Use ``outbox`` for unsolicited messages to teams of ``platform``."""
        self._outboxes[platform] = outbox

    def outbox_for(self, platform: str) -> Outbox | None:
        """The outbox registered for ``platform``, if its adapter is running."""
        return self._outboxes.get(platform)

    async def close_round(self, team: Team, round_id: int) -> Reveal:
        """Close a round of ``team`` now and return its reveal (the caller shows it)."""
        record = await self._core.ids.team_round(team, round_id)
        if not await self._core.store.mark_closed(record.id, self._core.clock()):
            raise RoundClosedError()
        return await self.reveal(record)

    async def close_channel_round(self, channel: Channel) -> Reveal:
        """Close the channel's open quiz round now."""
        team_pk = await self._core.ids.team_pk(channel.team)
        record = await self._core.store.open_quiz_round(team_pk, channel.channel_id)
        if record is None:
            raise QuizError("There is no open question in this channel.")
        return await self.close_round(channel.team, record.id)

    async def close_due_rounds(self) -> list[Reveal]:
        """Close every round whose time is up and publish each reveal through its outbox."""
        store, clock = self._core.store, self._core.clock
        reveals = []
        for record in await store.due_rounds(clock()):
            if not await store.mark_closed(record.id, clock()):
                continue  # someone else closed it
            if record.kind == "review":
                continue  # a private round: nothing to reveal
            reveal = await self.reveal(record)
            reveals.append(reveal)
            await self._publish(record, reveal)
        return reveals

    async def reveal(self, record: RoundRecord) -> Reveal:
        """The reveal of a stored round, with the answers given so far."""
        question = self._core.bank.get(record.question_id)
        return views.reveal(record, question, await self._core.store.round_answers(record.id))

    async def _publish(self, record: RoundRecord, reveal: Reveal) -> None:
        team = await self._core.ids.team_of(record.team_pk)
        outbox = self._outboxes.get(team.platform)
        if outbox is None:
            return
        try:
            if reveal.message_ref is not None:
                await outbox.edit(reveal.message_ref, reveal)
            else:
                await outbox.post(Channel(team, record.channel_id), reveal)
        except Exception:
            log.exception("could not publish the reveal of round %s", record.id)
