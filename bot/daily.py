"""The daily question service: APScheduler jobs that post and close the daily question.

The database is the source of truth, not a job store: at start the service arms one APScheduler
``date`` job per schedule for its next slot (each job re-arms itself), and, in the background, as
soon as a platform's adapter has registered its outbox, catches up that platform's slots missed
within the grace window (an older one is skipped, silently). Starting never waits for an adapter:
the adapters start after the service. A slot that finds no outbox stays unclaimed and is caught up
the same way when the outbox comes, while still within the grace.
Two interval jobs close due daily rounds (retrying reveals the platform refused, each reveal on
its own, at most :data:`MAX_REVEAL_ATTEMPTS` sweeps) and refresh the live answer count on the
channel message (at most one edit per round per interval). A count edit and the reveal of the
same round hold one per-round lock, and the count edit re-checks that the round is still open
under it: a late count edit never puts the live question back over its reveal.

Exactly once: :meth:`DailyService.run_slot` claims ``(team, channel, date)`` with an INSERT under
a UNIQUE constraint *before* posting. Whoever loses the race (a restart, a second start, another
replica on the same database) posts nothing. The slot is marked posted only after the platform
accepted the message; posts and reveals are retried with backoff, and a channel that is gone
(deleted, bot removed) pauses the schedule with a log line instead of retrying forever. A slot
still 'claimed' at start (the bot stopped between claiming and posting) is abandoned quietly: its
round closes unseen, with no reveal, and it is not posted again (at most once is the rule).
A question message that was deleted gets its reveal as a new message instead of an edit.

``/quiz-admin daily now`` posts a *manual* slot: a trial round next to the scheduled one (which
it leaves open), closing at the next slot, never counted as a scheduled day for streaks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from bot.config import Settings
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import Slot, last_slot, next_slot
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, MessageRef, QuestionCard, Team
from bot.engine.ports import Outbox, channel_gone, message_gone
from storage.daily_store import ScheduleRecord

__all__ = [
    "MAX_REVEAL_ATTEMPTS",
    "RETRY_DELAYS_S",
    "DailyService",
    "Outcome",
    "daily_for",
]

log = logging.getLogger(__name__)

RETRY_DELAYS_S: tuple[float, ...] = (2.0, 10.0, 30.0, 120.0)
"""Waits between attempts of a post, edit or reveal that the platform refused."""
SWEEP_INTERVAL_S = 30.0
MAX_REVEAL_ATTEMPTS = 5
"""Sweeps whose reveal the platform refused (after its retries) before it is given up."""

Outcome = Literal["posted", "taken", "failed", "paused", "no-outbox"]
_T = TypeVar("_T")
Sleep = Callable[[float], Awaitable[None]]


class _ChannelGone(Exception):
    """The platform says the channel no longer exists or the bot cannot post there."""


class _Undelivered(Exception):
    """Every attempt failed with a temporary error."""


class DailyService:
    """Posts and closes the daily question of every scheduled channel, for one engine."""

    def __init__(
        self,
        engine: QuizEngine,
        *,
        grace_s: float = 6 * 3600,
        count_interval_s: float = 5.0,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
        sleep: Sleep = asyncio.sleep,
        max_reveal_attempts: int = MAX_REVEAL_ATTEMPTS,
    ) -> None:
        self.engine = engine
        self.daily = engine.daily
        self.grace_s = grace_s
        self.count_interval_s = count_interval_s
        self.retry_delays = tuple(retry_delays)
        self.sleep = sleep
        self.max_reveal_attempts = max_reveal_attempts
        self.scheduler: Any = None
        self._revealing: set[int] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[str, asyncio.Task[None]] = {}

    @property
    def now(self) -> float:
        """The engine's clock."""
        return self.engine.clock()

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, *, jobs: bool = True) -> None:
        """Attach to the engine and abandon unposted claims; with ``jobs``, arm the jobs.

        Never waits for an adapter: each platform's missed slots are caught up in the
        background once its outbox is registered (:meth:`catch_up_when_ready`).
        """
        self.daily.attach(self)
        for lost in await self.daily.db.abandon_unposted(self.now):
            log.warning(
                "daily: slot %s of channel %s was claimed but never posted (the bot stopped); "
                "skipped, with no reveal",
                lost.slot_date,
                lost.channel_id,
            )
        if not jobs:
            return
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.start()
        schedules = await self.daily.db.active_schedules()
        for schedule in schedules:
            self._arm(schedule)
        for platform in sorted({schedule.platform for schedule in schedules}):
            self.catch_up_when_ready(platform)
        self.scheduler.add_job(
            self.sweep,
            "interval",
            seconds=SWEEP_INTERVAL_S,
            id="daily:sweep",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.refresh_counts,
            "interval",
            seconds=self.count_interval_s,
            id="daily:counts",
            max_instances=1,
            coalesce=True,
        )

    async def stop(self) -> None:
        """Stop the scheduler (running jobs are cancelled) and detach from the engine."""
        self.daily.attach(None)
        waiters = list(self._waiters.values())
        self._waiters.clear()
        for task in waiters:
            task.cancel()
        if waiters:
            await asyncio.gather(*waiters, return_exceptions=True)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        await asyncio.sleep(0)  # let cancelled job tasks unwind

    def catch_up_when_ready(self, platform: str) -> asyncio.Task[None]:
        """Catch up ``platform``'s slots in the background once its outbox is registered.

        At most one such task per platform runs at a time.
        """
        task = self._waiters.get(platform)
        if task is None or task.done():
            task = asyncio.create_task(self._when_ready(platform), name=f"daily:{platform}")
            self._waiters[platform] = task
        return task

    async def _when_ready(self, platform: str) -> None:
        await self.engine.wait_for_outbox(platform)
        try:
            await self.catch_up(platform)
        except Exception:
            log.exception("daily: catching up %s failed", platform)

    async def catch_up(self, platform: str | None = None) -> list[Outcome]:
        """Publish pending reveals, close due rounds, and post slots missed within the grace.

        Only the schedules of ``platform`` when given. A slot missed by more than the grace
        window is skipped without a word.
        """
        await self.sweep()
        outcomes = []
        now = self.now
        for schedule in await self.daily.db.active_schedules():
            if platform is not None and schedule.platform != platform:
                continue
            slot = last_slot(spec_of(schedule), now)
            if now - slot.at > self.grace_s:
                log.info(
                    "daily: skipped the %s slot of channel %s (missed by more than the grace)",
                    slot.key,
                    schedule.channel_id,
                )
                continue
            state = await self.daily.db.slot_state(schedule.team_pk, schedule.channel_id, slot.key)
            if state is None:
                outcomes.append(await self.run_slot(schedule, slot))
        return outcomes

    # -- jobs ------------------------------------------------------------------------------

    def job_id(self, schedule: ScheduleRecord) -> str:
        """The APScheduler job id of a schedule."""
        return f"daily:{schedule.id}"

    def _arm(self, schedule: ScheduleRecord, after: float | None = None) -> Slot | None:
        """(Re-)arm the schedule's job for its next slot; drop it if it should not post."""
        if self.scheduler is None:
            return None
        job_id = self.job_id(schedule)
        if not schedule.enabled or schedule.paused:
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.remove_job(job_id)
            return None
        slot = next_slot(spec_of(schedule), max(self.now, after or 0.0))
        self.scheduler.add_job(
            self._fire,
            "date",
            run_date=datetime.fromtimestamp(slot.at, UTC),
            args=[schedule.id, slot],
            id=job_id,
            replace_existing=True,
            misfire_grace_time=max(int(self.grace_s), 1),
            coalesce=True,
        )
        return slot

    async def _fire(self, schedule_id: int, slot: Slot) -> None:
        """A slot's job: post it (if the schedule still wants it), then arm the next one."""
        schedule = await self.daily.db.schedule_by_id(schedule_id)
        if schedule is None:
            return
        try:
            if schedule.enabled and not schedule.paused:
                outcome = await self.run_slot(schedule, slot)
                if outcome == "no-outbox":  # posted when the adapter comes, within the grace
                    self.catch_up_when_ready(schedule.platform)
        except Exception:
            log.exception("daily: slot %s of channel %s failed", slot.key, schedule.channel_id)
        finally:
            fresh = await self.daily.db.schedule_by_id(schedule_id)
            if fresh is not None:
                self._arm(fresh, after=slot.at)

    async def schedule_changed(self, schedule: ScheduleRecord) -> None:
        """A schedule was set, changed or turned off: re-arm or drop its job."""
        self._arm(schedule)

    # -- posting ---------------------------------------------------------------------------

    async def _deliver(self, outbox: Outbox, what: str, call: Callable[[], Awaitable[_T]]) -> _T:
        """Call the platform, retrying temporary failures with backoff."""
        delays = (0.0, *self.retry_delays)
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                await self.sleep(delay)
            try:
                return await call()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if channel_gone(outbox, exc):
                    raise _ChannelGone(str(exc)) from exc
                log.warning(
                    "daily: %s failed (attempt %d of %d): %s", what, attempt, len(delays), exc
                )
        raise _Undelivered(what)

    async def run_slot(
        self, schedule: ScheduleRecord, slot: Slot, *, manual: bool = False
    ) -> Outcome:
        """Claim the slot, reveal the channel's previous daily round, post the new question.

        ``manual`` (``/quiz-admin daily now``): a trial next to the scheduled round, which
        stays open; it changes no streak. "no-outbox" claims nothing: the slot can still be
        caught up when the adapter registers its outbox.
        """
        outbox = self.engine.outbox_for(schedule.platform)
        if outbox is None:
            log.warning(
                "daily: no %s adapter is running yet; slot %s not posted",
                schedule.platform,
                slot.key,
            )
            return "no-outbox"
        slot_id = await self.daily.db.claim(
            schedule.team_pk, schedule.channel_id, slot.key, slot.at, self.now, manual=manual
        )
        if slot_id is None:
            log.info("daily: slot %s of channel %s already claimed", slot.key, schedule.channel_id)
            return "taken"
        channel = Channel(
            Team(schedule.platform, schedule.team_id), schedule.channel_id, schedule.channel_name
        )
        if not manual:
            previous = await self.daily.db.open_rounds(schedule.team_pk, schedule.channel_id)
            for round_id in previous:
                await self.daily.close(round_id)
            await self._publish_all(previous)
        current = await self.daily.db.schedule_by_id(schedule.id)
        if current is not None and current.paused:
            await self.daily.db.abandon(slot_id, None, self.now)
            return "paused"  # the reveal found the channel gone
        try:
            card = await self.daily.open_round(channel, spec_of(schedule), slot)
        except QuizError as exc:
            log.warning("daily: cannot open a round in %s: %s", channel.channel_id, exc)
            await self.daily.db.abandon(slot_id, None, self.now)
            return "failed"
        await self.daily.db.attach_round(slot_id, card.round_id)
        try:
            ref = await self._deliver(
                outbox, f"post to {channel.channel_id}", lambda: outbox.post(channel, card)
            )
        except _Undelivered:
            log.error("daily: gave up posting slot %s to %s", slot.key, channel.channel_id)
            await self.daily.db.abandon(slot_id, card.round_id, self.now)
            return "failed"
        except _ChannelGone as exc:
            await self.daily.db.abandon(slot_id, card.round_id, self.now)
            await self._pause(schedule, str(exc))
            return "paused"
        await self.engine.attach_message(channel.team, card.round_id, ref)
        await self.daily.db.mark_posted(slot_id, self.now)
        log.info("daily: posted slot %s to channel %s", slot.key, channel.channel_id)
        if not manual:
            await self._post_digest(outbox, channel)
        return "posted"

    async def _post_digest(self, outbox: Outbox, channel: Channel) -> None:
        """Post last week's digest under the week's first daily question, when the channel
        opted in and it was not posted yet (claimed first: at most once; a refusal is logged
        and that week's digest given up)."""
        post = getattr(outbox, "post_digest", None)
        if not callable(post):
            return
        digest = await self.engine.digests.claim(channel)
        if digest is None:
            return
        try:
            await post(channel, digest)
        except Exception:
            log.warning(
                "daily: the weekly digest of %s was refused", channel.channel_id, exc_info=True
            )
            return
        await self.engine.digests.posted(channel, digest)

    async def post_now(self, schedule: ScheduleRecord) -> QuestionCard:
        """Post a trial daily question now (admin "now"): a manual slot of its own.

        It leaves the scheduled round open, closes at the next slot, and counts for no streak.
        """
        moment = datetime.fromtimestamp(self.now, spec_of(schedule).zone)
        # The schedule's local time with its UTC offset, e.g. 2026-12-06@16:18:28+0100.
        manual = Slot(self.now, moment.date(), f"{moment:%Y-%m-%d@%H:%M:%S%z}")
        outcome = await self.run_slot(schedule, manual, manual=True)
        if outcome != "posted":
            raise QuizError(_NOW_REFUSED.get(outcome, _NOW_REFUSED["failed"]))
        round_id = await self.daily.db.slot_round(schedule.team_pk, schedule.channel_id, manual.key)
        assert round_id is not None
        card, _ = await self.daily.card(round_id)
        return card

    async def _pause(self, schedule: ScheduleRecord, reason: str) -> None:
        short = (reason or "channel not found").splitlines()[0][:200]
        log.warning(
            "daily: paused the schedule of channel %s (team %s:%s): %s",
            schedule.channel_id,
            schedule.platform,
            schedule.team_id,
            short,
        )
        await self.daily.db.pause(schedule.id, short)
        fresh = await self.daily.db.schedule_by_id(schedule.id)
        if fresh is not None:
            self._arm(fresh)

    # -- closing ---------------------------------------------------------------------------

    def _lock(self, round_id: int) -> asyncio.Lock:
        """The lock a round's count edits and its reveal share."""
        return self._locks.setdefault(round_id, asyncio.Lock())

    async def _publish_all(self, round_ids: Sequence[int]) -> None:
        """Publish reveals side by side: one reveal's backoff never holds back another's."""
        results = await asyncio.gather(
            *(self._publish_reveal(round_id) for round_id in round_ids), return_exceptions=True
        )
        for round_id, result in zip(round_ids, results, strict=True):
            if isinstance(result, Exception):
                log.error("daily: reveal of round %s failed: %s", round_id, result)

    async def _publish_reveal(self, round_id: int) -> bool:
        """Publish a closed daily round's pending reveal; True once the platform accepted it.

        On failure it stays pending for the next sweep, at most ``max_reveal_attempts`` times.
        """
        if round_id in self._revealing:
            return False
        self._revealing.add(round_id)
        try:
            async with self._lock(round_id):
                if not await self.daily.db.reveal_pending(round_id):
                    self._locks.pop(round_id, None)
                    return False  # already published (or given up) by someone else
                return await self._reveal_once(round_id)
        finally:
            self._revealing.discard(round_id)

    async def _reveal_once(self, round_id: int) -> bool:
        try:
            team, reveal = await self.daily.reveal(round_id)
            record = await self.engine.store.get_round(round_id)
            assert record is not None
        except Exception as exc:
            return await self._reveal_failed(round_id, exc)
        outbox = self.engine.outbox_for(team.platform)
        if outbox is None:
            return False  # not an attempt: the adapter has not started yet
        channel = Channel(team, record.channel_id)
        target = [reveal.message_ref]

        async def publish() -> None:
            ref = target[0]
            if ref is None:
                await outbox.post(channel, reveal)
                return
            try:
                await outbox.edit(ref, reveal)
            except Exception as exc:
                if not message_gone(outbox, exc):
                    raise
                log.info(
                    "daily: the question of round %s was deleted; posting its reveal anew",
                    round_id,
                )
                target[0] = None  # later attempts post too
                await outbox.post(channel, reveal)

        try:
            await self._deliver(outbox, f"reveal of round {round_id}", publish)
        except _ChannelGone as exc:
            log.warning("daily: reveal of round %s dropped: %s", round_id, exc)
            await self._revealed(round_id)
            schedule = await self.daily.db.schedule(record.team_pk, record.channel_id)
            if schedule is not None and schedule.enabled and not schedule.paused:
                await self._pause(schedule, str(exc))
            return False
        except Exception as exc:
            return await self._reveal_failed(round_id, exc)
        await self._revealed(round_id)
        return True

    async def _reveal_failed(self, round_id: int, exc: Exception) -> bool:
        """Count a refused reveal; give it up (logged, marked done) after the last attempt."""
        attempts = await self.daily.db.reveal_failed(round_id)
        why = "the platform refused it" if isinstance(exc, _Undelivered) else repr(exc)
        if attempts >= self.max_reveal_attempts:
            log.error(
                "daily: gave up the reveal of round %s after %d attempts (%s)",
                round_id,
                attempts,
                why,
            )
            await self._revealed(round_id)
        else:
            log.error("daily: reveal of round %s not accepted (%s); will retry", round_id, why)
        return False

    async def _revealed(self, round_id: int) -> None:
        await self.daily.db.mark_revealed(round_id)
        self._locks.pop(round_id, None)

    async def sweep(self) -> None:
        """Close daily rounds whose time is up and publish every reveal still pending."""
        try:
            for round_id in await self.daily.db.due_rounds(self.now):
                await self.daily.close(round_id)
            pending = await self.daily.db.pending_reveals()
        except Exception:
            log.exception("daily: sweep failed")
            return
        await self._publish_all(pending)

    async def refresh_counts(self) -> int:
        """Edit each open daily question whose answer count changed; returns the edits made.

        Called every ``count_interval_s`` seconds: that interval is the one throttle of the
        live count for every platform. The edit holds the round's lock and happens only if
        the round is still open then, so it never lands over the round's reveal.
        """
        edits = 0
        for row in await self.daily.db.open_posted():
            if row.round_id in self._revealing:
                continue
            try:
                card, count = await self.daily.card(row.round_id)
                if count == row.shown_count:
                    continue
                platform = (await self.engine.identities.team_of(row.team_pk)).platform
                outbox = self.engine.outbox_for(platform)
                if outbox is None:
                    continue
                async with self._lock(row.round_id):
                    record = await self.engine.store.get_round(row.round_id)
                    if (
                        row.round_id in self._revealing
                        or record is None
                        or record.closed_at is not None
                        or not (record.message_channel and record.message_id)
                    ):
                        continue
                    await outbox.edit(MessageRef(record.message_channel, record.message_id), card)
                    await self.daily.db.set_shown_count(row.slot_id, count)
                edits += 1
            except Exception:
                log.warning("daily: could not update the answer count of round %s", row.round_id)
        return edits


_NOW_REFUSED = {
    "taken": "A daily question was just posted in that channel.",
    "paused": "I cannot post in that channel (deleted, or I was removed); the schedule is paused.",
    "no-outbox": "That platform is not connected right now.",
    "failed": "The platform did not accept the question; please try again later.",
}


@asynccontextmanager
async def daily_for(
    engine: QuizEngine, settings: Settings, *, jobs: bool = True
) -> AsyncIterator[DailyService]:
    """Run the daily service of ``engine`` while the block runs; stop it on exit.

    ``jobs=False`` only attaches it (``/quiz-admin daily now`` works, nothing is scheduled).
    """
    service = DailyService(
        engine,
        grace_s=settings.quizbot_daily_grace_hours * 3600,
        count_interval_s=settings.quizbot_daily_count_seconds,
    )
    await service.start(jobs=jobs)
    try:
        yield service
    finally:
        await service.stop()
