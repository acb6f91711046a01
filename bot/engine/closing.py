"""Closing rounds; each round closes through one store method (``OutboxStore.close_round``).

Only the caller whose close changed the row reveals the round, so a reveal is never doubled.
A round whose time is up is closed by :meth:`RoundCloser.close_due_rounds` (called by the round
timer and before user requests): its reveal is *queued* in the same transaction and published
by the publication worker (:mod:`bot.engine.publishing`); no network call happens here. Review
rounds close silently: nobody else ever saw them. An admin closing a round now gets its reveal
back and shows it as the reply (:meth:`RoundCloser.publish`).

Whoever needs a platform's outbox before its adapter has started (the daily service's catch-up)
awaits :meth:`RoundCloser.wait_for_outbox`, which returns once ``register_outbox`` was called.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.engine import views
from bot.engine.core import Core
from bot.engine.errors import QuizError, RoundClosedError
from bot.engine.model import Channel, Reveal, Team
from bot.engine.ports import Outbox, channel_gone, message_gone
from bot.engine.publishing import Outboxes
from storage.interface import DailyStorage, PublicationStorage
from storage.store import RoundRecord

__all__ = ["RoundCloser"]

log = logging.getLogger(__name__)


class RoundCloser:
    """Closes rounds on demand or when their time is up; holds each platform's outbox."""

    def __init__(
        self,
        core: Core,
        outboxes: Outboxes,
        queue: PublicationStorage,
        daily_store: DailyStorage,
        *,
        poke: Callable[[], None],
    ) -> None:
        self._core = core
        self._outboxes = outboxes
        self._queue = queue
        self._daily_store = daily_store
        self._poke = poke

    def register_outbox(self, platform: str, outbox: Outbox) -> None:
        """Use ``outbox`` for unsolicited messages to teams of ``platform``."""
        self._outboxes.register(platform, outbox)
        self._poke()  # what waited for this platform can go now

    async def wait_for_outbox(self, platform: str) -> Outbox:
        """The outbox of ``platform``, waiting until its adapter registered one."""
        return await self._outboxes.wait(platform)

    def outbox_for(self, platform: str) -> Outbox | None:
        """The outbox registered for ``platform``, if its adapter is running."""
        return self._outboxes.get(platform)

    async def close_round(self, team: Team, round_id: int) -> Reveal:
        """Close a round of ``team`` now and return its reveal (the caller shows it)."""
        record = await self._core.ids.team_round(team, round_id)
        if not await self._queue.close_round(record.id, self._core.clock(), reveal=False):
            raise RoundClosedError()
        return await self.reveal(record)

    async def close_channel_round(self, channel: Channel) -> Reveal:
        """Close the channel's open quiz round now."""
        team_pk = await self._core.ids.team_pk(channel.team)
        record = await self._core.store.open_quiz_round(team_pk, channel.channel_id)
        if record is None:
            daily = await self._daily_store.open_rounds(team_pk, channel.channel_id)
            if daily:
                raise QuizError(
                    f"Only the daily question (round #{daily[-1]}) is open in this channel; "
                    "it closes on its schedule."
                )
            raise QuizError("There is no open question in this channel.")
        return await self.close_round(channel.team, record.id)

    async def close_due_rounds(self) -> list[Reveal]:
        """Close every quiz and review round whose time is up and queue each quiz round's
        reveal for the publication worker; the reveals as they stand (never published here)."""
        store, clock = self._core.store, self._core.clock
        reveals = []
        for record in await store.due_rounds(clock()):
            private = record.kind == "review"  # nothing to reveal
            if not await self._queue.close_round(record.id, clock(), reveal=not private):
                continue  # someone else closed it
            if not private:
                reveals.append(await self.reveal(record))
        if reveals:
            self._poke()
        return reveals

    async def reveal(self, record: RoundRecord) -> Reveal:
        """The reveal of a stored round, with the answers given so far."""
        question = self._core.bank.get(record.question_id)
        return views.reveal(record, question, await self._core.store.round_answers(record.id))

    async def publish(self, channel: Channel, reveal: Reveal) -> bool:
        """Show the reveal of a round an admin closed, as their reply: the round's question
        message becomes its reveal (a new message when it has none or it was deleted); False
        when the platform refused it.

        True also when there is nothing to retry: no adapter runs for the platform, or the
        platform says the channel is gone.
        """
        outbox = self._outboxes.get(channel.team.platform)
        if outbox is None:
            return True
        try:
            if reveal.message_ref is not None:
                await outbox.edit(reveal.message_ref, reveal)
            else:
                await outbox.post(channel, reveal)
        except Exception as exc:
            if channel_gone(outbox, exc):
                log.warning("reveal of round %s dropped: the channel is gone", reveal.round_id)
                return True
            if reveal.message_ref is not None and message_gone(outbox, exc):
                return await self._repost(outbox, channel, reveal)
            log.exception("could not publish the reveal of round %s", reveal.round_id)
            return False
        return True

    async def _repost(self, outbox: Outbox, channel: Channel, reveal: Reveal) -> bool:
        """The question's message was deleted: post the reveal as a new message."""
        try:
            await outbox.post(channel, reveal)
        except Exception:
            log.exception("could not post the reveal of round %s", reveal.round_id)
            return False
        return True
