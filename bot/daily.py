"""The daily question's trigger: APScheduler jobs that call the engine's daily use cases.

The database is the source of truth, not a job store: at start the service arms one APScheduler
``date`` job per schedule for its next slot (each job re-arms itself), and, in the background, as
soon as a platform's adapter has registered its outbox, catches up that platform's slots missed
within the grace window (an older one is skipped, silently). Starting never waits for an adapter:
the adapters start after the service. A slot that finds no outbox stays unclaimed and is caught up
the same way when the outbox comes, while still within the grace.

Every rule is the engine's (:mod:`bot.engine.daily_rounds`): a slot's job calls
``engine.daily.run_slot``, which claims the slot, closes the previous rounds and queues their
reveals and the new post; the publication worker (:mod:`bot.publisher`) publishes them. Two
interval jobs close daily rounds whose close time has come (and re-arm every schedule from the
database, so a change made by another replica is seen) and queue the live answer count edits
(the interval is the count's one throttle). A schedule changed in this process re-arms at once
(``engine.daily.schedules_changed``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.engine.daily_rounds import DailySchedule, Outcome, spec_of
from bot.engine.daily_schedule import Slot, last_slot, next_slot
from bot.engine.engine import QuizEngine

__all__ = ["SWEEP_INTERVAL_S", "DailyService", "daily_for"]

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 30.0
"""How often due daily rounds are closed and every schedule's job re-armed from the database."""


class DailyService:
    """Triggers the daily question of every scheduled channel, for one engine."""

    def __init__(
        self, engine: QuizEngine, *, grace_s: float = 6 * 3600, count_interval_s: float = 5.0
    ) -> None:
        self.engine = engine
        self.daily = engine.daily
        self.grace_s = grace_s
        self.count_interval_s = count_interval_s
        self.scheduler: Any = None
        self._waiters: dict[str, asyncio.Task[None]] = {}
        self._watcher: asyncio.Task[None] | None = None

    @property
    def now(self) -> float:
        """The engine's clock."""
        return self.engine.clock()

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, *, jobs: bool = True) -> None:
        """Abandon slots a stopped process claimed but never queued; with ``jobs``, arm the
        jobs.

        Never waits for an adapter: each platform's missed slots are caught up in the
        background once its outbox is registered (:meth:`catch_up_when_ready`).
        """
        await self.daily.abandon_unqueued()
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
        self.daily.schedules_changed.clear()
        self._watcher = asyncio.create_task(self._watch_changes(), name="daily:changes")

    async def stop(self) -> None:
        """Stop the scheduler (running jobs are cancelled) and the background tasks."""
        tasks = list(self._waiters.values())
        self._waiters.clear()
        if self._watcher is not None:
            tasks.append(self._watcher)
            self._watcher = None
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
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
        """Close due rounds, and run the slots missed within the grace (only the schedules of
        ``platform`` when given). A slot missed by more than the grace is skipped silently."""
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

    def job_id(self, schedule: DailySchedule) -> str:
        """The APScheduler job id of a schedule."""
        return f"daily:{schedule.id}"

    def _arm(self, schedule: DailySchedule, after: float | None = None) -> Slot | None:
        """(Re-)arm the schedule's job for its next slot; drop it if it should not post."""
        if self.scheduler is None:
            return None
        job_id = self.job_id(schedule)
        if not schedule.enabled or schedule.paused:
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.remove_job(job_id)
            return None
        slot = next_slot(spec_of(schedule), max(self.now, after or 0.0))
        job = self.scheduler.get_job(job_id)
        if job is not None and job.args[1] == slot:
            return slot  # armed for that slot already
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
        """A slot's job: run it (if the schedule still wants it), then arm the next one."""
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

    async def resync(self) -> None:
        """Re-arm every schedule's job from the database (set, changed, off, paused)."""
        if self.scheduler is None:
            return
        active = {self.job_id(s): s for s in await self.daily.db.active_schedules()}
        for job in self.scheduler.get_jobs():
            if job.id not in active and job.id not in ("daily:sweep", "daily:counts"):
                job.remove()
        for schedule in active.values():
            self._arm(schedule)

    async def _watch_changes(self) -> None:
        while True:
            await self.daily.schedules_changed.wait()
            self.daily.schedules_changed.clear()
            try:
                await self.resync()
            except Exception:
                log.exception("daily: could not re-arm the schedules")

    async def run_slot(
        self, schedule: DailySchedule, slot: Slot, *, manual: bool = False
    ) -> Outcome:
        """Run a slot through the engine (claim, close the previous rounds, queue the post)."""
        return await self.daily.run_slot(schedule, slot, manual=manual)

    async def sweep(self) -> None:
        """Close daily rounds whose close time has come (their reveals are queued), and
        re-arm the schedules."""
        try:
            await self.daily.close_due()
            await self.resync()
        except Exception:
            log.exception("daily: sweep failed")

    async def refresh_counts(self) -> int:
        """Queue a count edit of each open daily question whose answer count changed; how
        many were queued."""
        try:
            return await self.daily.queue_counts()
        except Exception:
            log.exception("daily: could not queue the answer counts")
            return 0


@asynccontextmanager
async def daily_for(
    engine: QuizEngine, settings: Settings, *, jobs: bool = True
) -> AsyncIterator[DailyService]:
    """Run the daily service of ``engine`` while the block runs; stop it on exit.

    ``jobs=False`` arms nothing (``/quiz-admin daily now`` still works: it is the engine's).
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
