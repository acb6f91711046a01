"""The daily question's use cases (``engine.daily``): schedules, the slot, streaks, its views.

Each rule of the daily question lives here once:

- **the slot claim** (:meth:`DailyRounds.run_slot`): claim ``(team, channel, slot date)``
  (UNIQUE: whoever loses posts nothing) → close the channel's previous daily rounds and queue
  their reveals → open the new round → queue its post, due with the reveal the slot queued in
  the channel (the reveal first; other channels' reveals queued since do not go before it).
  The publication worker marks the slot posted only once the platform accepted it
  (:mod:`bot.engine.publishing`);
- **the manual trial** (``/quiz-admin daily now``, :meth:`DailyRounds.post_now`): a slot of its
  own that closes nothing and that the streak rule ignores;
- **the streak rule** (:func:`streak_rule`): computed here, written by the store in the same
  transaction as the close;
- **the weekly digest** follows the week's first scheduled post (claimed first: at most once).

Nothing here does network I/O, and nothing refers to the scheduler that triggers it
(:mod:`bot.daily`); a schedule change sets :attr:`DailyRounds.schedules_changed`, which the
scheduler watches.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bot.engine import daily_schedule, options
from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.daily_schedule import ScheduleSpec, Slot, format_days, next_slot, parse_spec
from bot.engine.digest import SWITCH as DIGEST_SWITCH
from bot.engine.digest import WeeklyDigests
from bot.engine.errors import QuizError, RoundNotFoundError
from bot.engine.identity import channel_key
from bot.engine.model import Channel, QuestionCard, Reveal, Team
from bot.engine.ports import Outbox
from bot.engine.publishing import Outboxes
from storage.daily_store import DailySchedule, StreakFacts, StreakRow
from storage.interface import DailyStorage, PublicationStorage
from storage.store import RoundRecord

if TYPE_CHECKING:
    from bot.engine.rounds import RoundOpener
    from bot.engine.standings import Standings

__all__ = [
    "CLAIM_GRACE_S",
    "TOP_STREAKS",
    "WEEKLY_TOP",
    "DailyRounds",
    "DailySchedule",
    "Outcome",
    "manual_slot",
    "spec_of",
    "streak_rule",
]

log = logging.getLogger(__name__)

TOP_STREAKS = 5
WEEKLY_TOP = 5
CLAIM_GRACE_S = 60.0
"""A slot claimed this long ago whose post was never queued was left by a stopped process."""

Outcome = Literal["queued", "taken", "failed", "no-outbox"]
"""What running a slot did: its post queued, the slot already claimed, no round could be
opened, or no adapter of the platform runs yet (nothing claimed)."""

_NOW_REFUSED = {
    "taken": "A daily question was just posted in that channel.",
    "no-outbox": "That platform is not connected right now.",
    "failed": "No daily question could be opened in that channel.",
}


def spec_of(record: DailySchedule) -> ScheduleSpec:
    """The validated spec of a stored schedule."""
    return ScheduleSpec(
        local_time=daily_schedule.parse_time(record.local_time),
        timezone=record.timezone,
        days=daily_schedule.parse_days(record.days),
        difficulty=daily_schedule.parse_difficulty(record.difficulty),
        close_time=daily_schedule.parse_time(record.close_time) if record.close_time else None,
    )


def manual_slot(schedule: DailySchedule, now: float) -> Slot:
    """The slot of a trial posted by hand now: keyed by the schedule's local time with its UTC
    offset (e.g. ``2026-12-06@16:18:28+0100``), so it never takes a scheduled slot's key."""
    moment = datetime.fromtimestamp(now, spec_of(schedule).zone)
    return Slot(now, moment.date(), f"{moment:%Y-%m-%d@%H:%M:%S%z}")


def streak_rule(facts: StreakFacts) -> list[StreakRow]:
    """The streak rows a closing daily round writes.

    A trial posted by hand is not a scheduled day: it changes nothing. Otherwise a player who
    answered correctly continues their streak when their last correct date is the channel's
    previous posted scheduled slot (else it starts at 1); everyone else with a running streak
    in the channel loses it (their best stays).
    """
    if facts.manual:
        return []
    known = {row.player_pk: row for row in facts.rows}
    correct = set(facts.correct)
    rows = []
    for player_pk in facts.correct:
        row = known.get(player_pk)
        continued = row is not None and row.last_date == facts.previous_date
        current = row.current + 1 if continued and row is not None else 1
        best = max(row.best if row is not None else 0, current)
        rows.append(StreakRow(player_pk, current, best, facts.slot_date))
    for row in facts.rows:
        if row.player_pk not in correct and row.current > 0:
            rows.append(dataclasses.replace(row, current=0))
    return rows


class DailyRounds:
    """Daily schedules and daily rounds of one engine."""

    def __init__(
        self,
        core: Core,
        db: DailyStorage,
        *,
        queue: PublicationStorage,
        outboxes: Outboxes,
        poke: Callable[[], None],
        rounds: RoundOpener,
        closer: RoundCloser,
        standings: Standings,
        digests: WeeklyDigests,
    ) -> None:
        self._core = core
        self.db = db
        self._queue = queue
        self._outboxes = outboxes
        self._poke = poke
        self._rounds = rounds
        self._closer = closer
        self._standings = standings
        self._digests = digests
        self.schedules_changed = asyncio.Event()
        """Set when a schedule was set, turned off or paused (the scheduler re-arms)."""

    # -- admin use cases -------------------------------------------------------------------

    async def set_schedule(
        self,
        channel: Channel,
        *,
        time_of_day: str | None,
        timezone: str | None,
        days: str | None = None,
        difficulty: str | None = None,
        close: str | None = None,
        digest: str | None = None,
    ) -> DailySchedule:
        """Validate and save a channel's schedule (replacing any) and, when ``digest`` is
        given (on|off), whether the channel gets the weekly digest; nothing saved on error."""
        channel_id = channel_key(channel)
        if digest is not None:
            options.choose("digest", digest, DIGEST_SWITCH)
        spec = parse_spec(
            time_of_day=time_of_day,
            timezone=timezone,
            days=days,
            difficulty=difficulty,
            close=close,
        )
        team_pk = await self._core.ids.team_pk(channel.team)
        record = await self.db.upsert_schedule(
            team_pk=team_pk,
            channel_id=channel_id,
            channel_name=channel.name or channel_id,
            local_time=f"{spec.local_time:%H:%M}",
            timezone=spec.timezone,
            days=format_days(spec.days),
            difficulty=spec.difficulty,
            close_time=f"{spec.close_time:%H:%M}" if spec.close_time else None,
            now=self._core.clock(),
        )
        self.schedules_changed.set()
        if digest is not None:
            await self._digests.set_digest(channel, digest)
        return dataclasses.replace(self._view(record), digest=await self._digests.opted_in(channel))

    async def disable(self, channel: Channel) -> None:
        """Turn the channel's schedule off (the open daily round still closes and reveals)."""
        team_pk = await self._core.ids.team_pk(channel.team)
        if not await self.db.disable(team_pk, channel.channel_id):
            raise QuizError("There is no daily question scheduled in that channel.")
        self.schedules_changed.set()

    async def schedules(self, team: Team) -> tuple[DailySchedule, ...]:
        """Every channel schedule of a team."""
        team_pk = await self._core.ids.team_pk(team)
        digests = await self._digests.store.opted_in(team_pk)
        return tuple(
            dataclasses.replace(self._view(record), digest=record.channel_id in digests)
            for record in await self.db.team_schedules(team_pk)
        )

    async def post_now(self, channel: Channel) -> QuestionCard:
        """Queue a trial daily question in the channel now (a manual slot: it closes nothing
        and changes no streak); its card."""
        team_pk = await self._core.ids.team_pk(channel.team)
        record = await self.db.schedule(team_pk, channel.channel_id)
        if record is None or not record.enabled:
            raise QuizError(
                "There is no daily question scheduled in that channel; set one first. "
                + daily_schedule.DAILY_FORMAT
            )
        slot = manual_slot(record, self._core.clock())
        outcome = await self.run_slot(record, slot, manual=True)
        round_id = await self.db.slot_round(record.team_pk, record.channel_id, slot.key)
        if outcome != "queued" or round_id is None:
            raise QuizError(_NOW_REFUSED.get(outcome, _NOW_REFUSED["failed"]))
        card, _ = await self.card(round_id)
        return card

    def _view(self, record: DailySchedule) -> DailySchedule:
        upcoming = None
        if record.enabled and not record.paused:
            upcoming = next_slot(spec_of(record), self._core.clock()).at
        return dataclasses.replace(record, next_post=upcoming)

    # -- the slot (for the scheduler) ------------------------------------------------------

    async def run_slot(
        self, schedule: DailySchedule, slot: Slot, *, manual: bool = False
    ) -> Outcome:
        """Claim the slot, close the channel's previous daily rounds (queueing their reveals),
        open the new round and queue its post.

        ``manual``: a trial next to the scheduled round, which stays open. "no-outbox" claims
        nothing: the slot can still be caught up when the adapter registers its outbox.
        """
        if self._outboxes.get(schedule.platform) is None:
            log.warning(
                "daily: no %s adapter is running yet; slot %s not posted",
                schedule.platform,
                slot.key,
            )
            return "no-outbox"
        now = self._core.clock()
        slot_id = await self.db.claim(
            schedule.team_pk, schedule.channel_id, slot.key, slot.at, now, manual=manual
        )
        if slot_id is None:
            log.info("daily: slot %s of channel %s already claimed", slot.key, schedule.channel_id)
            return "taken"
        channel = Channel(
            Team(schedule.platform, schedule.team_id), schedule.channel_id, schedule.channel_name
        )
        if not manual:
            for round_id in await self.db.open_rounds(schedule.team_pk, schedule.channel_id):
                await self.close(round_id)
        try:
            card = await self.open_round(channel, spec_of(schedule), slot)
        except QuizError as exc:
            log.warning("daily: cannot open a round in %s: %s", channel.channel_id, exc)
            await self.db.fail(slot_id)
            return "failed"
        await self._queue.queue_daily_post(slot_id, card.round_id, self._core.clock())
        self._poke()
        return "queued"

    async def open_round(self, channel: Channel, spec: ScheduleSpec, slot: Slot) -> QuestionCard:
        """Open the daily round of ``slot``: multiple choice, closing at the next slot."""
        return await self._rounds.start(
            channel,
            None,
            difficulty=spec.difficulty,
            mode="choice",
            kind="daily",
            closes_at=daily_schedule.close_instant(spec, slot),
        )

    async def abandon_unqueued(self) -> int:
        """Abandon slots a stopped process claimed but never queued: their rounds close
        unseen, with no reveal, and they are not posted again. How many there were."""
        now = self._core.clock()
        lost = await self._queue.abandon_unqueued_slots(now, now - CLAIM_GRACE_S)
        for slot in lost:
            log.warning(
                "daily: slot %s of channel %s was claimed but never posted (the bot stopped); "
                "skipped, with no reveal",
                slot.slot_date,
                slot.channel_id,
            )
        return len(lost)

    # -- closing ---------------------------------------------------------------------------

    async def close(self, round_id: int) -> bool:
        """Close a daily round, applying the streak rule and queueing its reveal when its
        question was seen; True for the caller that closed it."""
        seen = await self.db.round_slot_state(round_id) == "posted"  # else never revealed
        closed = await self._queue.close_round(
            round_id, self._core.clock(), reveal=seen, streaks=streak_rule
        )
        if closed and seen:
            self._poke()
        return closed

    async def close_due(self) -> int:
        """Close the daily rounds whose close time has come; how many."""
        closed = 0
        for round_id in await self.db.due_rounds(self._core.clock()):
            closed += await self.close(round_id)
        return closed

    async def queue_counts(self) -> int:
        """Queue a count edit of each posted open daily round whose answer count changed since
        its message last showed it; how many were queued (the caller's interval is the one
        throttle of the live count)."""
        queued = 0
        for row in await self.db.open_posted():
            count = await self._core.store.answer_count(row.round_id)
            if count != row.shown_count and await self._queue.enqueue(
                "count", row.round_id, self._core.clock()
            ):
                queued += 1
        if queued:
            self._poke()
        return queued

    # -- views and reactions (for the publication worker) ----------------------------------

    async def card(self, round_id: int) -> tuple[QuestionCard, int]:
        """A daily round's card with its current answer count (for the live count)."""
        record = await self._round(round_id)
        count = await self._core.store.answer_count(record.id)
        return self._core.card(record, answer_count=count), count

    async def post_view(self, round_id: int) -> QuestionCard:
        """The card of a daily round to post."""
        card, _ = await self.card(round_id)
        return card

    async def count_view(self, round_id: int) -> tuple[QuestionCard, int]:
        """The card of an open daily round with its current answer count."""
        return await self.card(round_id)

    async def reveal_view(self, record: RoundRecord) -> Reveal:
        """The reveal of a closed daily round with today's top streaks and the weekly top 5."""
        team = await self._core.ids.team_of(record.team_pk)
        reveal = await self._closer.reveal(record)
        streaks = await self.db.top_streaks(record.team_pk, record.channel_id, TOP_STREAKS)
        board = await self._standings.leaderboard(team, period="week", channel_id=None, caller=None)
        return dataclasses.replace(
            reveal,
            kind="daily",
            top_streaks=tuple(streaks),
            weekly_top=board.rows[:WEEKLY_TOP],
        )

    async def channel_name(self, team_pk: int, channel_id: str) -> str | None:
        """The scheduled channel's name, if it has a schedule."""
        schedule = await self.db.schedule(team_pk, channel_id)
        return schedule.channel_name if schedule is not None else None

    async def channel_gone(self, team_pk: int, channel_id: str, reason: str) -> bool:
        """The platform says the channel is gone: pause its schedule until an admin sets it
        again (one log line); False when it has no running schedule."""
        schedule = await self.db.schedule(team_pk, channel_id)
        if schedule is None or not schedule.enabled or schedule.paused:
            return False
        short = (reason or "channel not found").splitlines()[0][:200]
        log.warning(
            "daily: paused the schedule of channel %s (team %s:%s): %s",
            schedule.channel_id,
            schedule.platform,
            schedule.team_id,
            short,
        )
        await self.db.pause(schedule.id, short)
        self.schedules_changed.set()
        return True

    async def after_post(self, outbox: Outbox, channel: Channel, round_id: int) -> None:
        """A daily post landed: last week's digest follows the week's first scheduled one,
        when the channel opted in (claimed first: at most once; a refusal is logged and that
        week's digest given up)."""
        post = getattr(outbox, "post_digest", None)
        slot = await self.db.slot_of_round(round_id)
        if not callable(post) or slot is None or slot[1]:
            return  # the platform has no digest, or a trial posted by hand
        digest = await self._digests.claim(channel)
        if digest is None:
            return
        try:
            await post(channel, digest)
        except Exception:
            log.warning(
                "daily: the weekly digest of %s was refused", channel.channel_id, exc_info=True
            )
            return
        await self._digests.posted(channel, digest)

    async def _round(self, round_id: int) -> RoundRecord:
        record = await self._core.store.get_round(round_id)
        if record is None:
            raise RoundNotFoundError()
        return record
