"""Closing rounds and publishing their reveals through the platform's outbox.

Only the caller whose ``UPDATE … WHERE closed_at IS NULL`` changed the row reveals the round,
so a reveal is never doubled. Review rounds close silently: nobody else ever saw them.

A timer reveal the platform refuses is not dropped: the round is kept in ``quiz_reveals`` and
each later pass of the round timer that finds it due tries again, after
:data:`QUIZ_REVEAL_RETRY_S`; after the last one it is given up with a log line.

Whoever needs a platform's outbox before its adapter has started (the daily service's catch-up)
awaits :meth:`RoundCloser.wait_for_outbox`, which returns once ``register_outbox`` was called.
"""

from __future__ import annotations

import asyncio
import logging

from bot.engine import views
from bot.engine.core import Core
from bot.engine.errors import QuizError, RoundClosedError
from bot.engine.model import Channel, Reveal, Team
from bot.engine.ports import Outbox, channel_gone, message_gone
from storage.daily_store import DailyStore
from storage.store import RoundRecord

__all__ = ["QUIZ_REVEAL_RETRY_S", "RoundCloser"]

log = logging.getLogger(__name__)

QUIZ_REVEAL_RETRY_S: tuple[float, ...] = (2.0, 10.0, 30.0, 120.0)
"""Waits before each retry of a quiz round's refused timer reveal; then it is given up."""


class RoundCloser:
    """Closes rounds on demand or when their time is up; holds each platform's outbox."""

    def __init__(self, core: Core, reveals: DailyStore) -> None:
        self._core = core
        self._outboxes: dict[str, Outbox] = {}
        self._registered: dict[str, asyncio.Event] = {}
        self._pending = reveals

    def register_outbox(self, platform: str, outbox: Outbox) -> None:
        """Use ``outbox`` for unsolicited messages to teams of ``platform``."""
        self._outboxes[platform] = outbox
        self._registered.setdefault(platform, asyncio.Event()).set()

    async def wait_for_outbox(self, platform: str) -> Outbox:
        """The outbox of ``platform``, waiting until its adapter registered one."""
        while (outbox := self._outboxes.get(platform)) is None:
            await self._registered.setdefault(platform, asyncio.Event()).wait()
        return outbox

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
            daily = await self._pending.open_rounds(team_pk, channel.channel_id)
            if daily:
                raise QuizError(
                    f"Only the daily question (round #{daily[-1]}) is open in this channel; "
                    "it closes on its schedule."
                )
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
            if not await self._publish(record, reveal):
                await self._pending.add_quiz_reveal(record.id, clock() + QUIZ_REVEAL_RETRY_S[0])
        await self._retry_reveals()
        return reveals

    async def _retry_reveals(self) -> None:
        """Publish again the timer reveals the platform refused, a bounded number of times."""
        clock = self._core.clock
        for round_id, attempts in await self._pending.due_quiz_reveals(clock()):
            record = await self._core.store.get_round(round_id)
            try:
                published = record is not None and await self._publish(
                    record, await self.reveal(record)
                )
            except Exception:
                log.exception("could not build the reveal of round %s", round_id)
                published = False
            if published or record is None:
                await self._pending.drop_quiz_reveal(round_id)
            elif attempts >= len(QUIZ_REVEAL_RETRY_S):
                log.error(
                    "gave up the reveal of round %s after %d attempts", round_id, attempts + 1
                )
                await self._pending.drop_quiz_reveal(round_id)
            else:
                retry_at = clock() + QUIZ_REVEAL_RETRY_S[attempts]
                await self._pending.quiz_reveal_failed(round_id, retry_at)

    async def reveal(self, record: RoundRecord) -> Reveal:
        """The reveal of a stored round, with the answers given so far."""
        question = self._core.bank.get(record.question_id)
        return views.reveal(record, question, await self._core.store.round_answers(record.id))

    async def _publish(self, record: RoundRecord, reveal: Reveal) -> bool:
        """Publish a timer reveal; False when the platform refused it (retried later)."""
        team = await self._core.ids.team_of(record.team_pk)
        return await self.publish(Channel(team, record.channel_id), reveal)

    async def publish(self, channel: Channel, reveal: Reveal) -> bool:
        """Turn the round's question message into its reveal (a new message when it has none
        or it was deleted) through the platform's outbox; False when the platform refused it.

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
