"""Posting a round: open it, let the adapter show its question, remember where it went.

Every chat adapter's ``/quiz`` is the same three steps around one platform call: open the
round, show its question card (the adapter's ``send``), then attach the message so the reveal
can edit it. When the platform refuses the question, the round is closed at once and silently
(no reveal, nothing counted): a round nobody could see must not hold the channel until its timer
runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.engine.core import Core
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, RoundKind, Team
from bot.engine.rounds import RoundOpener

__all__ = ["RoundPoster", "SendCard"]

log = logging.getLogger(__name__)

SendCard = Callable[[QuestionCard], Awaitable[MessageRef | None]]
"""The adapter's way of showing a question card: where it went, or None when the platform
gives nothing an edit could find later (the reveal is then posted anew)."""


class RoundPoster:
    """Opens a round and shows its question through an adapter-supplied ``send``."""

    def __init__(self, core: Core, rounds: RoundOpener) -> None:
        self._core = core
        self._rounds = rounds

    async def post(
        self,
        channel: Channel,
        player: Player | None,
        send: SendCard,
        *,
        category: str | None = None,
        difficulty: str | None = None,
        mode: str | None = None,
        kind: RoundKind = "quiz",
        closes_at: float | None = None,
    ) -> QuestionCard:
        """Open a round (the options of :meth:`RoundOpener.start`), ``send`` its card, attach
        the message ``send`` returned, and return the card.

        If ``send`` raises, the round is closed silently and the exception propagates to the
        adapter, which words the refusal for its platform.
        """
        card = await self._rounds.start(
            channel,
            player,
            category=category,
            difficulty=difficulty,
            mode=mode,
            kind=kind,
            closes_at=closes_at,
        )
        try:
            ref = await send(card)
        except BaseException:
            await self._close_unseen(channel.team, card.round_id)
            raise
        if ref is not None:
            await self._rounds.attach_message(channel.team, card.round_id, ref)
        return card

    async def _close_unseen(self, team: Team, round_id: int) -> None:
        """Close a round whose question was never shown: no reveal, nothing counted."""
        try:
            record = await self._core.ids.team_round(team, round_id)
            await self._core.store.publications.close_round(
                record.id, self._core.clock(), reveal=False
            )
        except Exception:
            # the send's own error is what the adapter must report; this one is only logged
            log.exception("could not close round %s after its question was refused", round_id)
