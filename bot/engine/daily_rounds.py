"""The daily question's use cases on the engine side: schedules, closing with streaks, reveals.

Adapters call :class:`DailyRounds` (as ``engine.daily``) for the admin commands; the daily
service (:mod:`bot.daily`) calls it to open, close and reveal daily rounds. Posting and timing
live in the service; nothing here does network I/O.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from bot.engine import daily_schedule, options
from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.daily_schedule import ScheduleSpec, Slot, format_days, next_slot, parse_spec
from bot.engine.digest import SWITCH as DIGEST_SWITCH
from bot.engine.digest import WeeklyDigests
from bot.engine.errors import QuizError, RoundNotFoundError
from bot.engine.identity import channel_key
from bot.engine.model import Channel, QuestionCard, Reveal, Team
from storage.daily_store import DailyStore, ScheduleRecord
from storage.store import RoundRecord

if TYPE_CHECKING:
    from bot.engine.rounds import RoundOpener
    from bot.engine.standings import Standings

__all__ = [
    "TOP_STREAKS",
    "WEEKLY_TOP",
    "DailyRounds",
    "DailyRunner",
    "DailySchedule",
    "spec_of",
]

log = logging.getLogger(__name__)

TOP_STREAKS = 5
WEEKLY_TOP = 5
NOT_RUNNING = "The daily scheduler is not running in this process; try again in a moment."


@dataclass(frozen=True, slots=True)
class DailySchedule:
    """A channel's daily schedule as shown to admins."""

    channel_id: str
    channel_name: str
    local_time: str
    timezone: str
    days: str
    difficulty: str | None
    close_time: str | None
    paused: str | None
    next_post: float | None
    digest: bool = False  # the channel gets the weekly digest

    def describe(self) -> str:
        """One plain line: where, when, what (adapters format the channel themselves)."""
        parts = [f"{self.local_time} {self.timezone}", self.days]
        parts.append(self.difficulty or "any difficulty")
        parts.append(f"closes {self.close_time}" if self.close_time else "closes at the next post")
        if self.digest:
            parts.append("weekly digest")
        if self.paused:
            parts.append(f"PAUSED ({self.paused}); set it again to resume")
        elif self.next_post is not None:
            moment = datetime.fromtimestamp(self.next_post, UTC)
            parts.append(f"next post {moment:%Y-%m-%d %H:%M} UTC")
        return " · ".join(parts)


class DailyRunner(Protocol):
    """What the daily service offers the engine: post now, and hear about schedule changes."""

    async def post_now(self, schedule: ScheduleRecord) -> QuestionCard:
        """Post a daily question in the schedule's channel at once."""
        ...

    async def schedule_changed(self, schedule: ScheduleRecord) -> None:
        """A schedule was set, changed or turned off: re-arm (or drop) its job."""
        ...


def spec_of(record: ScheduleRecord) -> ScheduleSpec:
    """The validated spec of a stored schedule."""
    return ScheduleSpec(
        local_time=daily_schedule.parse_time(record.local_time),
        timezone=record.timezone,
        days=daily_schedule.parse_days(record.days),
        difficulty=daily_schedule.parse_difficulty(record.difficulty),
        close_time=daily_schedule.parse_time(record.close_time) if record.close_time else None,
    )


class DailyRounds:
    """Daily schedules and daily rounds of one engine."""

    def __init__(
        self,
        core: Core,
        db: DailyStore,
        *,
        rounds: RoundOpener,
        closer: RoundCloser,
        standings: Standings,
        digests: WeeklyDigests,
    ) -> None:
        self._core = core
        self.db = db
        self._rounds = rounds
        self._closer = closer
        self._standings = standings
        self._digests = digests
        self._runner: DailyRunner | None = None

    def attach(self, runner: DailyRunner | None) -> None:
        """The daily service that posts (None detaches it)."""
        self._runner = runner

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
        await self._changed(record)
        if digest is not None:
            await self._digests.set_digest(channel, digest)
        return dataclasses.replace(self._view(record), digest=await self._digests.opted_in(channel))

    async def disable(self, channel: Channel) -> None:
        """Turn the channel's schedule off (the open daily round still closes and reveals)."""
        team_pk = await self._core.ids.team_pk(channel.team)
        if not await self.db.disable(team_pk, channel.channel_id):
            raise QuizError("There is no daily question scheduled in that channel.")
        record = await self.db.schedule(team_pk, channel.channel_id)
        if record is not None:
            await self._changed(record)

    async def schedules(self, team: Team) -> tuple[DailySchedule, ...]:
        """Every channel schedule of a team."""
        team_pk = await self._core.ids.team_pk(team)
        digests = await self._digests.store.opted_in(team_pk)
        return tuple(
            dataclasses.replace(self._view(record), digest=record.channel_id in digests)
            for record in await self.db.team_schedules(team_pk)
        )

    async def post_now(self, channel: Channel) -> QuestionCard:
        """Post the channel's daily question now (for trying it out)."""
        team_pk = await self._core.ids.team_pk(channel.team)
        record = await self.db.schedule(team_pk, channel.channel_id)
        if record is None or not record.enabled:
            raise QuizError(
                "There is no daily question scheduled in that channel; set one first. "
                + daily_schedule.DAILY_FORMAT
            )
        if self._runner is None:
            raise QuizError(NOT_RUNNING)
        return await self._runner.post_now(record)

    async def _changed(self, record: ScheduleRecord) -> None:
        if self._runner is not None:
            try:
                await self._runner.schedule_changed(record)
            except Exception:
                log.exception("could not re-arm the daily schedule %s", record.id)

    def _view(self, record: ScheduleRecord) -> DailySchedule:
        upcoming = None
        if record.enabled and not record.paused:
            upcoming = next_slot(spec_of(record), self._core.clock()).at
        return DailySchedule(
            channel_id=record.channel_id,
            channel_name=record.channel_name,
            local_time=record.local_time,
            timezone=record.timezone,
            days=record.days,
            difficulty=record.difficulty,
            close_time=record.close_time,
            paused=record.paused,
            next_post=upcoming,
        )

    # -- rounds (for the daily service) ----------------------------------------------------

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

    async def close(self, round_id: int) -> bool:
        """Close a daily round and apply the streak rule; True for the caller that closed it."""
        return await self.db.close_round(round_id, self._core.clock())

    async def reveal(self, round_id: int) -> tuple[Team, Reveal]:
        """The reveal of a closed daily round with today's top streaks and the weekly top 5."""
        record = await self._round(round_id)
        team = await self._core.ids.team_of(record.team_pk)
        reveal = await self._closer.reveal(record)
        streaks = await self.db.top_streaks(record.team_pk, record.channel_id, TOP_STREAKS)
        board = await self._standings.leaderboard(team, period="week", channel_id=None, caller=None)
        return team, dataclasses.replace(
            reveal,
            kind="daily",
            top_streaks=tuple(streaks),
            weekly_top=board.rows[:WEEKLY_TOP],
        )

    async def card(self, round_id: int) -> tuple[QuestionCard, int]:
        """A daily round's card with its current answer count (for the live count)."""
        record = await self._round(round_id)
        count = await self._core.store.answer_count(record.id)
        return self._core.card(record, answer_count=count), count

    async def _round(self, round_id: int) -> RoundRecord:
        record = await self._core.store.get_round(round_id)
        if record is None:
            raise RoundNotFoundError()
        return record
