"""Opening rounds: drawing the question, one open quiz round per channel, the open rounds."""

from __future__ import annotations

from bot.engine import drawing, options
from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.errors import QuizError, RoundAlreadyOpenError
from bot.engine.identity import channel_key
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, RoundKind, Team
from storage.interface import DailyStorage
from storage.store import OpenRoundExistsError

__all__ = ["RoundOpener"]


class RoundOpener:
    """Starts rounds in channels and reports the channel's current one."""

    def __init__(
        self, core: Core, closer: RoundCloser, daily_store: DailyStorage, *, round_seconds: int
    ) -> None:
        self._core = core
        self._closer = closer
        self._daily_store = daily_store
        self.round_seconds = round_seconds

    async def start(
        self,
        channel: Channel,
        player: Player | None,
        *,
        category: str | None = None,
        difficulty: str | None = None,
        mode: str | None = None,
        kind: RoundKind = "quiz",
        closes_at: float | None = None,
    ) -> QuestionCard:
        """Open a round in ``channel`` (see :meth:`QuizEngine.start_round`)."""
        core = self._core
        channel_id = channel_key(channel)
        chosen_category = options.parse_category(category, core.bank.categories)
        chosen_difficulty = options.parse_difficulty(difficulty)
        chosen_mode = options.parse_mode(mode)
        matching = core.bank.select(chosen_category, chosen_difficulty)
        candidates = [q for q in matching if drawing.askable(q, chosen_mode)]
        if not matching:
            raise QuizError("No question matches those options; try fewer filters.")
        if not candidates:
            raise QuizError(
                "The questions matching those options are multiple choice only; "
                "ask for multiple choice, or use fewer filters."
            )
        await self._closer.close_due_rounds()
        team_pk = await core.ids.team_pk(channel.team)
        if kind == "quiz":
            existing = await core.store.open_quiz_round(team_pk, channel_id)
            if existing is not None:
                raise RoundAlreadyOpenError(existing.id)
        opener = await core.ids.player_pk(player) if player else None
        uses = await core.store.question_use_counts(team_pk, channel_id)
        question = drawing.draw_question(candidates, uses, core.rng)
        now = core.clock()
        try:
            record = await core.store.create_round(
                team_pk=team_pk,
                channel_id=channel_id,
                kind=kind,
                mode=chosen_mode,
                question_id=question.id,
                category=question.category,
                difficulty=question.difficulty,
                choice_order=drawing.shuffled_order(len(question.choices), core.rng),
                opened_by=opener,
                opened_at=now,
                closes_at=closes_at if closes_at is not None else now + self.round_seconds,
            )
        except OpenRoundExistsError:
            existing = await core.store.open_quiz_round(team_pk, channel_id)
            raise RoundAlreadyOpenError(existing.id if existing else 0) from None
        return core.card(core.opened(record))

    async def current(self, channel: Channel) -> QuestionCard | None:
        """The channel's open quiz round, if any (closing it first if its time is up)."""
        await self._closer.close_due_rounds()
        team_pk = await self._core.ids.team_pk(channel.team)
        record = await self._core.store.open_quiz_round(team_pk, channel.channel_id)
        if record is None:
            return None
        return self._core.card(record, answer_count=await self._core.store.answer_count(record.id))

    async def open_rounds(self, channel: Channel) -> tuple[QuestionCard, ...]:
        """The channel's open quiz and daily rounds, the last posted first."""
        await self._closer.close_due_rounds()
        store, now = self._core.store, self._core.clock()
        team_pk = await self._core.ids.team_pk(channel.team)
        records = [await store.open_quiz_round(team_pk, channel.channel_id)]
        for round_id in await self._daily_store.open_rounds(team_pk, channel.channel_id):
            records.append(await store.get_round(round_id))
        open_now = [r for r in records if r is not None and r.closes_at > now]
        return tuple(
            [
                self._core.card(record, answer_count=await store.answer_count(record.id))
                for record in sorted(open_now, key=lambda r: r.id, reverse=True)
            ]
        )

    async def attach_message(self, team: Team, round_id: int, ref: MessageRef) -> None:
        """Remember where an adapter posted the round's question, for the reveal to edit it."""
        record = await self._core.ids.team_round(team, round_id)
        await self._core.store.set_message(record.id, ref.channel_id, ref.message_id)
