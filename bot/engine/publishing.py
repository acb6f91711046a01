"""Publishing what the bot sends on its own, from the publication queue (``engine.publications``).

Every daily post, reveal and live count edit is an entry of the queue
(:class:`~storage.outbox_store.OutboxStore`); user requests only add entries (and
:meth:`Publications.poke` the worker). Each platform with an outbox is published on its own,
so a slow platform holds back no other: :meth:`Publications.run_platform` keeps a bounded number
of claimed entries in flight and claims more as soon as half of them are done;
:meth:`Publications.run_once` is one pass (a bounded claim per platform, published). A claim
leases due entries, oldest due first; each view is built from the database (so a reveal shows
every answer, a count the latest count), published through the platform's
:class:`~bot.engine.ports.Outbox` and its outcome recorded. Entries of one channel are
published in due order, one at a time (a reveal lands before the next question); different
channels of a platform at most :data:`CONCURRENCY` at a time. :attr:`Publications.pace` is
awaited before each platform call (a per-platform rate limiter fits there).

One policy for every kind:

- a refusal is retried after :data:`RETRY_DELAYS_S` (one per refusal); after the last the entry
  is given up with one log line (a daily post given up: its slot fails, its round closes
  unseen);
- ``channel_gone(exc)``: the entry ends ``gone``, the channel's daily schedule is paused (a log
  line), nothing is retried;
- ``message_gone(exc)`` on a reveal's edit: the reveal is posted as a new message.

Reveals and count edits are at least once: a worker that dies mid-publish leaves its lease to
expire and the entry is published again. A daily post is at most once: it is marked in flight
before the platform is called, and a later claim that finds it so abandons it (its slot fails,
its round closes unseen with no reveal).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.engine.core import Core
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal, Team
from bot.engine.ports import Outbox, channel_gone, message_gone
from storage.interface import PublicationStorage
from storage.outbox_store import Ending, Publication
from storage.store import RoundRecord

__all__ = [
    "BATCH",
    "CONCURRENCY",
    "LEASE_S",
    "RETRY_DELAYS_S",
    "DailyPublishing",
    "Outboxes",
    "Pace",
    "Publications",
]

log = logging.getLogger(__name__)

RETRY_DELAYS_S: tuple[float, ...] = (2.0, 10.0, 30.0, 120.0, 600.0)
"""Waits after each refusal of an entry; one more refusal after the last gives it up."""
LEASE_S = 120.0
"""How long a claim holds an entry; a worker that dies leaves it to expire."""
BATCH = 64
"""Entries of a platform claimed at once, and held in flight at most (memory stays flat however
many are due)."""
CONCURRENCY = 8
"""Channels of a platform published to at the same time."""

Pace = Callable[[str, Publication], Awaitable[None]]
"""Awaited before each platform call with (platform, entry): where a rate limiter goes."""


async def no_pace(platform: str, entry: Publication) -> None:
    """The default pace: publish at once."""
    return None


class Outboxes:
    """Each platform's outbox, registered by its adapter once it runs."""

    def __init__(self) -> None:
        self._outboxes: dict[str, Outbox] = {}
        self._registered: dict[str, asyncio.Event] = {}

    def register(self, platform: str, outbox: Outbox) -> None:
        """Use ``outbox`` for unsolicited messages to teams of ``platform``."""
        self._outboxes[platform] = outbox
        self._registered.setdefault(platform, asyncio.Event()).set()

    def get(self, platform: str) -> Outbox | None:
        """The outbox of ``platform``, if its adapter is running."""
        return self._outboxes.get(platform)

    def platforms(self) -> list[str]:
        """The platforms with an outbox."""
        return sorted(self._outboxes)

    async def wait(self, platform: str) -> Outbox:
        """The outbox of ``platform``, waiting until its adapter registered one."""
        while (outbox := self._outboxes.get(platform)) is None:
            await self._registered.setdefault(platform, asyncio.Event()).wait()
        return outbox


class DailyPublishing(Protocol):
    """What publishing needs from the daily question's use cases."""

    async def post_view(self, round_id: int) -> QuestionCard:
        """The card of a daily round to post."""
        ...

    async def count_view(self, round_id: int) -> tuple[QuestionCard, int]:
        """The card of an open daily round with its current answer count."""
        ...

    async def reveal_view(self, record: RoundRecord) -> Reveal:
        """The reveal of a closed daily round (with streaks and the weekly top)."""
        ...

    async def channel_name(self, team_pk: int, channel_id: str) -> str | None:
        """The scheduled channel's name, if it has a schedule."""
        ...

    async def channel_gone(self, team_pk: int, channel_id: str, reason: str) -> bool:
        """The platform says the channel is gone: pause its schedule (with a log line); False
        when it has no running schedule."""
        ...

    async def after_post(self, outbox: Outbox, channel: Channel, round_id: int) -> None:
        """A daily post of ``round_id`` landed (the weekly digest may follow)."""
        ...


RevealOf = Callable[[RoundRecord], Awaitable[Reveal]]


class Publications:
    """The publication worker's use case: claim, build, publish, record."""

    def __init__(
        self,
        core: Core,
        outboxes: Outboxes,
        store: PublicationStorage,
        *,
        reveal_of: RevealOf,
        daily: DailyPublishing,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
        lease_s: float = LEASE_S,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self._core = core
        self._outboxes = outboxes
        self.store = store
        self._reveal_of = reveal_of
        self._daily = daily
        self.retry_delays = tuple(retry_delays)
        self.lease_s = lease_s
        self.concurrency = concurrency
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self.pace: Pace = no_pace
        self._signals: set[asyncio.Event] = set()  # one per running lane

    # -- waking ----------------------------------------------------------------------------

    def poke(self) -> None:
        """Something was queued: wake every running lane now rather than at its next tick."""
        for signal in self._signals:
            signal.set()

    def platforms(self) -> list[str]:
        """The platforms with an outbox (each is published on its own)."""
        return self._outboxes.platforms()

    # -- the worker ------------------------------------------------------------------------

    async def run_once(self, limit: int = BATCH) -> int:
        """One pass: claim up to ``limit`` due entries of each platform with an outbox and
        publish them, every platform on its own (a slow platform holds back none of the
        others); how many entries were handled, over all platforms."""
        handled = await asyncio.gather(
            *(self._pass(platform, limit) for platform in self.platforms())
        )
        return sum(handled)

    async def drain(self) -> int:
        """Publish until nothing is due (each platform on its own); how many entries were
        handled."""

        async def drain_platform(platform: str) -> int:
            total = 0
            while handled := await self._pass(platform, BATCH):
                total += handled
            return total

        return sum(await asyncio.gather(*(drain_platform(p) for p in self.platforms())))

    async def _pass(self, platform: str, limit: int) -> int:
        lane = _Lane(self, platform)
        claimed = await lane.claim(limit)
        await lane.idle()
        return claimed

    async def run_platform(
        self, platform: str, stop: asyncio.Event, *, tick_s: float, in_flight: int = BATCH
    ) -> None:
        """Publish ``platform``'s entries until ``stop`` is set, continuously.

        Up to ``in_flight`` claimed entries are held; once at most half of them are left,
        more are claimed (no waiting for a whole batch), so the platform's limit is never left
        idle while entries are due. Between claims it waits for an entry to finish, a
        :meth:`poke` or ``tick_s``. Once ``stop`` is set it claims nothing more and returns
        when the entries in flight are done; cancelled, it leaves them to their leases.
        """
        lane = _Lane(self, platform)
        signal = lane.signal
        self._signals.add(signal)
        try:
            while not stop.is_set():
                if lane.held <= in_flight // 2:
                    try:
                        await lane.claim(in_flight - lane.held)
                    except Exception:
                        log.exception("publishing: claiming %s entries failed", platform)
                if stop.is_set():
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(signal.wait(), tick_s)
                signal.clear()
            await lane.idle()
        finally:
            self._signals.discard(signal)
            await lane.cancel()

    # -- one entry -------------------------------------------------------------------------

    async def _handle(self, entry: Publication) -> None:
        outbox = self._outboxes.get(entry.platform)
        if outbox is None:  # claimed only for registered platforms; never unregistered
            return
        try:
            if entry.kind == "daily_post":
                await self._daily_post(entry, outbox)
            elif entry.kind == "reveal":
                await self._reveal(entry, outbox)
            else:
                await self._count(entry, outbox)
        except asyncio.CancelledError:
            raise  # stopping: the lease expires and the entry is taken up again
        except Exception as exc:
            try:
                await self._refused(entry, outbox, exc)
            except Exception:  # e.g. the database: the lease expires and it is tried again
                log.exception("publishing: could not record the refusal of entry %s", entry.id)

    async def _channel(self, entry: Publication) -> Channel:
        team: Team = await self._core.ids.team_of(entry.team_pk)
        name = await self._daily.channel_name(entry.team_pk, entry.channel_id)
        return Channel(team, entry.channel_id, name or "")

    async def _daily_post(self, entry: Publication, outbox: Outbox) -> None:
        assert entry.slot_id is not None
        now = self._core.clock()
        if entry.in_flight:
            log.warning(
                "publishing: the daily question of round %s in channel %s was being posted "
                "when its worker stopped; abandoned (never posted twice), with no reveal",
                entry.round_id,
                entry.channel_id,
            )
            await self._abandon_post(entry, "abandoned")
            return
        record = await self._core.store.get_round(entry.round_id)
        if record is None or record.closed_at is not None:
            await self._abandon_post(entry, "abandoned")
            return
        card = await self._daily.post_view(entry.round_id)
        channel = await self._channel(entry)
        await self.pace(entry.platform, entry)
        if not await self.store.begin_daily_post(entry.id, self.owner, now):
            return  # the lease was lost: whoever holds it decides
        ref = await outbox.post(channel, card)
        try:
            recorded = await self.store.daily_posted(
                entry.id,
                self.owner,
                slot_id=entry.slot_id,
                round_id=entry.round_id,
                message=(ref.channel_id, ref.message_id),
                now=self._core.clock(),
            )
        except Exception:  # posted: never retried (a later claim abandons it, at most once)
            log.exception("publishing: daily round %s was posted but not recorded", entry.round_id)
            return
        if not recorded:
            log.warning("publishing: daily round %s was posted after its lease", entry.round_id)
            return
        log.info("publishing: posted daily round %s to %s", entry.round_id, entry.channel_id)
        try:
            await self._daily.after_post(outbox, channel, entry.round_id)
        except Exception:
            log.exception("publishing: what follows daily round %s failed", entry.round_id)

    async def _abandon_post(self, entry: Publication, outcome: Ending) -> None:
        assert entry.slot_id is not None
        await self.store.abandon_daily_post(
            entry.id,
            self.owner,
            outcome,
            slot_id=entry.slot_id,
            round_id=entry.round_id,
            now=self._core.clock(),
        )

    async def _reveal(self, entry: Publication, outbox: Outbox) -> None:
        record = await self._core.store.get_round(entry.round_id)
        if record is None:
            await self.store.finish(entry.id, self.owner, "gone", self._core.clock())
            return
        if record.kind == "daily":
            reveal = await self._daily.reveal_view(record)
        else:
            reveal = await self._reveal_of(record)
        channel = await self._channel(entry)
        await self.pace(entry.platform, entry)
        if reveal.message_ref is None:
            await outbox.post(channel, reveal)
        else:
            try:
                await outbox.edit(reveal.message_ref, reveal)
            except Exception as exc:
                if not message_gone(outbox, exc):
                    raise
                log.info(
                    "publishing: the question of round %s was deleted; its reveal is posted anew",
                    entry.round_id,
                )
                await self.pace(entry.platform, entry)
                await outbox.post(channel, reveal)
        await self.store.finish(entry.id, self.owner, "published", self._core.clock())

    async def _count(self, entry: Publication, outbox: Outbox) -> None:
        card, count = await self._daily.count_view(entry.round_id)
        await self.pace(entry.platform, entry)
        record = await self._core.store.get_round(entry.round_id)  # still open, right now?
        if record is None or record.closed_at is not None or not record.message_id:
            await self.store.finish(entry.id, self.owner, "abandoned", self._core.clock())
            return
        ref = MessageRef(record.message_channel or record.channel_id, record.message_id)
        await outbox.edit(ref, card)
        await self.store.count_shown(
            entry.id, self.owner, entry.round_id, count, self._core.clock()
        )

    # -- refusals --------------------------------------------------------------------------

    async def _refused(self, entry: Publication, outbox: Outbox, exc: Exception) -> None:
        """One policy for every refusal: gone channel, backoff, given up."""
        now = self._core.clock()
        what = f"{entry.kind.replace('_', ' ')} of round {entry.round_id}"
        if channel_gone(outbox, exc):
            if entry.kind == "daily_post":
                await self._abandon_post(entry, "gone")
            else:
                await self.store.finish(entry.id, self.owner, "gone", now)
            paused = await self._daily.channel_gone(entry.team_pk, entry.channel_id, str(exc))
            # one warning: the schedule's pause says it, else this line
            log.log(
                logging.INFO if paused else logging.WARNING,
                "publishing: %s dropped: the channel is gone (%s)",
                what,
                exc,
            )
            return
        refusals = entry.attempts + 1
        if refusals > len(self.retry_delays):
            log.error("publishing: gave up the %s after %d attempts: %r", what, refusals, exc)
            if entry.kind == "daily_post":
                await self._abandon_post(entry, "given_up")
            else:
                await self.store.finish(entry.id, self.owner, "given_up", now)
            return
        delay = self.retry_delays[refusals - 1]
        log.warning(
            "publishing: %s refused (attempt %d); retried in %.0f s: %r", what, refusals, delay, exc
        )
        await self.store.retry_at(entry.id, self.owner, now + delay)


class _Lane:
    """One platform's claimed entries: one task per channel publishes the channel's entries in
    due order, at most ``concurrency`` channels at a time; :attr:`held` counts those claimed
    and not yet done (the claims keep it bounded)."""

    def __init__(self, publications: Publications, platform: str) -> None:
        self._publications = publications
        self.platform = platform
        self.held = 0
        self.signal = asyncio.Event()  # an entry is done, or the worker was poked
        self._slots = asyncio.Semaphore(publications.concurrency)
        self._waiting: dict[tuple[int, str], collections.deque[Publication]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def claim(self, limit: int) -> int:
        """Claim up to ``limit`` due entries of the platform and start publishing them; how
        many were claimed (a read first: an idle worker writes nothing)."""
        publications = self._publications
        now = publications._core.clock()
        if limit <= 0 or not await publications.store.any_due(now, [self.platform]):
            return 0
        entries = await publications.store.claim(
            publications.owner,
            now,
            lease_s=publications.lease_s,
            limit=limit,
            platforms=[self.platform],
        )
        for entry in entries:
            self._add(entry)
        return len(entries)

    def _add(self, entry: Publication) -> None:
        self.held += 1
        key = (entry.team_pk, entry.channel_id)
        waiting = self._waiting.get(key)
        if waiting is not None:  # the channel's task publishes it after the earlier ones
            waiting.append(entry)
            return
        self._waiting[key] = collections.deque([entry])
        task = asyncio.create_task(self._publish_channel(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish_channel(self, key: tuple[int, str]) -> None:
        waiting = self._waiting[key]
        try:
            async with self._slots:
                while waiting:
                    try:
                        await self._publications._handle(waiting[0])
                    except Exception:  # _handle records refusals; anything else: the lease
                        log.exception("publishing: entry %s failed", waiting[0].id)
                    waiting.popleft()
                    self.held -= 1
                    self.signal.set()
        finally:
            del self._waiting[key]

    async def idle(self) -> None:
        """Return once every claimed entry is done."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def cancel(self) -> None:
        """Stop publishing: what is in flight keeps its lease, which expires."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
