"""The daily question at scale: thousands of channels due in the same minute, posted at the
platforms' rate limits.

``python -m benchmarks.fanout [--quick] [--channels N] [--time-scale S]``

N daily schedules (10 000; ``--quick`` 1 000), half on Discord (guilds of
:data:`CHANNELS_PER_GUILD` channels), half on Slack (spread over :data:`SLACK_WORKSPACES`
workspaces, so Discord's global limit is the one that binds: a workspace's 50 updates a minute
would otherwise hold everything up), all due at the same slot, each with yesterday's round still
open, so the slot also reveals it (an edit of yesterday's message). Yesterday's slot is run
first through the real daily service and publication worker with an outbox that only hands out
the ids of messages seeded in the fakes; then today's slot runs through the real daily service
(``catch_up``: the reveals and posts queued) while the real publication worker
(``bot.publisher``) publishes them through the real adapters' outboxes (their pacing included)
against the loopback fakes with the platforms' limits enforced (``tests/fakes``: Discord 50
requests a second and its route buckets; Slack one post a second per channel and per workspace
300 posts and 50 updates a minute).

The fakes run in a process of their own and count requests and 429s; each size runs the bot
side in a fresh process (it holds what a bot process holds: engine, SQLite, both outboxes) that
reports its peak resident memory. Figures (the JSON last line):

- ``fanout_seconds``: from the slot's time until the last post or reveal was accepted;
- ``fanout_ratio``: the time the binding limit alone needs for the requests made (Discord:
  requests ÷ 50 a second; Slack: the busiest workspace and method, or channel) ÷
  ``fanout_seconds`` — the requests per second achieved over the limit's;
- ``fanout_429_share``: 429 answers ÷ requests (both platforms);
- ``fanout_late_p99_s``: the 99th percentile of how late each post was accepted after its
  slot time;
- ``fanout_posted_once``: the share of channels whose question was posted exactly once;
- ``fanout_rss_growth_mb``: peak resident memory with 10 000 channels minus with 1 000.

``--time-scale S`` runs the fakes' limits and the outboxes' pacing S times faster (the ratios
stay computed against the scaled limits; the output says so); the default and
``python -m benchmarks`` use the real limits. ``--quick`` skips the memory runs. Progress goes to
stderr; Ctrl-C stops every process and leaves no file behind (all of it lives in a temporary
folder).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import make_engine, percentile
from benchmarks.memory import proc_status_mb
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal, Team

__all__ = ["CHANNELS", "QUICK_CHANNELS", "run"]

CHANNELS = 10_000
QUICK_CHANNELS = 1_000
RSS_SIZES = (1_000, 10_000)
CHANNELS_PER_GUILD = 20
SLACK_WORKSPACES = 50
TODAY = datetime(2025, 11, 25, 9, 0, tzinfo=UTC).timestamp()
"""Today's slot (09:00 UTC); yesterday's was a day before."""
SETUP_BATCH = 250
PROGRESS_EVERY_S = 10.0
STOP_WAIT_S = 30.0
"""How long an interrupted run may take to stop its processes and remove its folder."""
ROOT = Path(__file__).resolve().parent.parent


def _say(text: str) -> None:
    print(f"fanout: {text}", file=sys.stderr, flush=True)


# -- the fakes' process -----------------------------------------------------------------------


def _fakes_stats(discord: Any, slack: Any) -> dict[str, Any]:
    """Requests, 429s, posts per channel and the time the binding limit needs, per platform."""
    posts = Counter(
        r.path.split("/")[2]
        for r in discord.requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.status == 200
    )
    dl, sl = discord.limits, slack.limits
    slack_bounds = [count / sl.rate(method) for (_, method), count in sl.calls.items()]
    per_channel = sl.post_per_channel_per_s * sl.time_scale
    slack_bounds += [count / per_channel for count in sl.channel_posts.values()]
    return {
        "discord": {
            "requests": dl.requests,
            "refused": dl.refused,
            "bound_s": dl.requests / dl.global_rate,
            "posts": dict(posts),
        },
        "slack": {
            "requests": sl.requests,
            "refused": sl.refused,
            "bound_s": max(slack_bounds, default=0.0),
            "posts": dict(sl.channel_posts),
        },
    }


async def _serve_fakes(scale: float) -> None:
    """Serve both fakes with their limits until stdin closes; answer commands line by line:
    ``{"seed": [channel ids]}`` → a message in each (ids by channel), ``{"stats": 1}``."""
    from tests.fakes.discord_api import DiscordLimits, FakeDiscord
    from tests.fakes.slack_api import FakeSlack, SlackLimits

    discord = FakeDiscord(limits=DiscordLimits(time_scale=scale))
    await discord.start()
    try:
        async with FakeSlack(limits=SlackLimits(time_scale=scale)) as slack:
            print(json.dumps({"discord": discord.api_url, "slack": slack.api_url}), flush=True)
            while line := await asyncio.to_thread(sys.stdin.readline):
                command = json.loads(line)
                if "seed" in command:
                    body = {"content": "yesterday's question"}
                    reply: Any = {c: discord.message(c, body)["id"] for c in command["seed"]}
                else:
                    reply = _fakes_stats(discord, slack)
                print(json.dumps(reply), flush=True)
    finally:
        await discord.close()


class _Fakes:
    """The fakes' process, seen from the bot's."""

    def __init__(self, scale: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fanout", "--serve-fakes", str(scale)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
        self.urls: dict[str, str] = self.ask(None)

    def ask(self, command: dict[str, Any] | None) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fakes' process ended (exit {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


# -- the bot's process ------------------------------------------------------------------------


class _Clock:
    """The engine's clock: the real time moved by ``offset`` (set to a slot's time)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def set(self, moment: float) -> None:
        self.offset = moment - time.time()


@dataclass
class _Plan:
    """Which channels of which guilds and workspaces the benchmark schedules."""

    channels: int
    discord: list[Channel] = field(default_factory=list)
    slack: list[Channel] = field(default_factory=list)

    def __post_init__(self) -> None:
        for n in range(self.channels):  # interleaved, as schedules are set over time
            if n % 2 == 0:
                guild = str(800_000_000_000_000_000 + n // 2 // CHANNELS_PER_GUILD)
                channel = str(700_000_000_000_000_000 + n)
                self.discord.append(Channel(Team("discord", guild), channel, f"daily-{n}"))
            else:
                workspace = f"T{n // 2 % self.workspaces:05d}"
                self.slack.append(Channel(Team("slack", workspace), f"C{n:07d}", f"daily-{n}"))

    @property
    def workspaces(self) -> int:
        return max(1, min(SLACK_WORKSPACES, self.channels // 2))

    def every(self) -> Iterator[Channel]:
        for pair in zip(self.discord, self.slack, strict=False):
            yield from pair
        yield from self.discord[len(self.slack) :]


class _SeedOutbox:
    """Yesterday's posts: hands out the ids of messages seeded in the fakes, calls nothing."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        return MessageRef(channel.channel_id, self.ids[channel.channel_id])

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        return None


class _Metered:
    """The real outbox of a platform, timing when each daily question was accepted and when
    its last call ended."""

    def __init__(self, inner: Any, clock: Callable[[], float]) -> None:
        self.inner = inner
        self.clock = clock
        self.accepted: list[float] = []
        self.edits = 0
        self.last_s = 0.0  #: perf_counter of the last call's end
        self.channel_gone = inner.channel_gone
        self.message_gone = inner.message_gone

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        try:
            ref: MessageRef = await self.inner.post(channel, view)
        finally:
            self.last_s = time.perf_counter()
        if isinstance(view, QuestionCard):
            self.accepted.append(self.clock())
        return ref

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        try:
            await self.inner.edit(ref, view)
        finally:
            self.last_s = time.perf_counter()
        self.edits += 1


class _SlackWorkspaces:
    """Slack's outbox for many workspaces: one client (token) per workspace, one pacing for all;
    an edit finds its workspace by its channel."""

    def __init__(self, plan: _Plan, api_url: str, scale: float) -> None:
        from bot.adapters.slack import SlackOutbox, make_client
        from bot.adapters.slack.pacing import SlackPacing

        pacing = SlackPacing(scale=scale)
        teams = sorted({channel.team.team_id for channel in plan.slack})
        self.outboxes = {
            team: SlackOutbox(make_client(f"xoxb-{team}", api_url), pacing=pacing) for team in teams
        }
        self.team_of = {channel.channel_id: channel.team.team_id for channel in plan.slack}
        self.channel_gone = SlackOutbox.channel_gone
        self.message_gone = SlackOutbox.message_gone

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        return await self.outboxes[channel.team.team_id].post(channel, view)

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        await self.outboxes[self.team_of[ref.channel_id]].edit(ref, view)


async def _set_schedules(engine: Any, plan: _Plan) -> None:
    channels = list(plan.every())
    for first in range(0, len(channels), SETUP_BATCH):
        await asyncio.gather(
            *(
                engine.daily.set_schedule(channel, time_of_day="09:00", timezone="UTC")
                for channel in channels[first : first + SETUP_BATCH]
            )
        )


async def _run_yesterday(service: Any, engine: Any) -> None:
    """Yesterday's slot of every schedule (rounds left open until today's slot)."""
    from bot.engine.daily_rounds import spec_of
    from bot.engine.daily_schedule import last_slot

    schedules = await engine.daily.db.active_schedules()
    now = engine.clock()
    for first in range(0, len(schedules), SETUP_BATCH):
        outcomes = await asyncio.gather(
            *(
                service.run_slot(schedule, last_slot(spec_of(schedule), now))
                for schedule in schedules[first : first + SETUP_BATCH]
            )
        )
        if set(outcomes) != {"queued"}:
            raise RuntimeError(f"yesterday's slots: {Counter(outcomes)}")
    await engine.publications.drain()


async def _discord_client(api_url: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
        import discord
    from discord.http import Route

    Route.BASE = api_url
    client = discord.Client(intents=discord.Intents.none())
    await client.login("bench-token")
    return client


async def _published(outboxes: list[_Metered], total: int, started: float, limit_s: float) -> None:
    """Wait until every channel got its reveal and its question (or ``limit_s`` passed),
    saying how far it got every :data:`PROGRESS_EVERY_S` seconds."""
    said = started
    while time.perf_counter() - started < limit_s:
        posts = sum(len(outbox.accepted) for outbox in outboxes)
        edits = sum(outbox.edits for outbox in outboxes)
        if posts >= total and edits >= total:
            return
        if time.perf_counter() - said >= PROGRESS_EVERY_S:
            said = time.perf_counter()
            _say(f"{posts}/{total} posted, {edits} revealed after {said - started:.0f} s")
        await asyncio.sleep(0.2)
    _say(f"gave up waiting after {limit_s:.0f} s")


async def _measure(channels: int, scale: float, folder: Path) -> dict[str, Any]:
    """One size in this process: set up, run today's slot, collect the figures."""
    from bot.adapters.discord.outbox import GLOBAL_BURST, GLOBAL_PACE, DiscordOutbox
    from bot.daily import DailyService
    from bot.heap import tune_collector
    from bot.pacing import RateLimiter
    from bot.publisher import Publisher
    from storage.store import Store

    plan = _Plan(channels)
    fakes = _Fakes(scale)
    store = await Store.open(folder / "fanout.db")
    client: Any = None
    try:
        clock = _Clock()
        clock.set(TODAY - 86_400 + 60)
        engine = make_engine(store, clock)
        _say(
            f"{channels} channels: {len(plan.discord)} on Discord, {len(plan.slack)} on Slack "
            f"in {plan.workspaces} workspaces; limits ×{scale:g}; setting up"
        )
        await _set_schedules(engine, plan)
        ids = fakes.ask({"seed": [channel.channel_id for channel in plan.discord]})
        seeded = _SeedOutbox({**ids, **{c.channel_id: "1764000000.000100" for c in plan.slack}})
        engine.register_outbox("discord", seeded)
        engine.register_outbox("slack", seeded)
        service = DailyService(engine)
        await service.start(jobs=False)
        await _run_yesterday(service, engine)
        client = await _discord_client(fakes.urls["discord"])
        pacing = RateLimiter(GLOBAL_PACE * scale, GLOBAL_BURST)
        discord = _Metered(DiscordOutbox(client, pacing), clock)
        slack = _Metered(_SlackWorkspaces(plan, fakes.urls["slack"], scale), clock)
        engine.register_outbox("discord", discord)
        engine.register_outbox("slack", slack)
        before = fakes.ask({"stats": 1})
        tune_collector()  # as bot.app.run does before it starts the adapters
        _say("today's slot is due: posting")
        clock.set(TODAY)
        started = time.perf_counter()
        publisher = Publisher(engine.publications)
        publisher.start()
        limit_s = 120 + 4 * 2 * channels / (50 * scale)  # four times Discord's bound
        waiting = asyncio.create_task(_published([discord, slack], channels, started, limit_s))
        try:
            await service.catch_up()
            await waiting
        finally:
            waiting.cancel()
            await publisher.stop()
        done_s = {"discord": discord.last_s - started, "slack": slack.last_s - started}
        seconds = max(done_s.values())
        await service.stop()
        after = fakes.ask({"stats": 1})
        late = [at - TODAY for at in discord.accepted + slack.accepted]
        return _figures(plan, before, after, seconds, done_s, late, scale)
    finally:
        if client is not None:
            await client.close()
        await store.close()
        fakes.close()


def _figures(
    plan: _Plan,
    before: dict[str, Any],
    after: dict[str, Any],
    seconds: float,
    done_s: dict[str, float],
    late: list[float],
    scale: float,
) -> dict[str, Any]:
    requests = {p: after[p]["requests"] - before[p]["requests"] for p in ("discord", "slack")}
    refused = {p: after[p]["refused"] - before[p]["refused"] for p in ("discord", "slack")}
    bound = {p: after[p]["bound_s"] - before[p]["bound_s"] for p in ("discord", "slack")}
    once = sum(after["discord"]["posts"].get(c.channel_id) == 1 for c in plan.discord)
    once += sum(after["slack"]["posts"].get(c.channel_id) == 1 for c in plan.slack)
    return {
        "channels": plan.channels,
        "seconds": seconds,
        "ratio": max(bound.values()) / seconds,
        "ratio_by_platform": {p: bound[p] / done_s[p] for p in bound if done_s[p] > 0},
        "requests": requests,
        "refused": refused,
        "share_429": sum(refused.values()) / max(1, sum(requests.values())),
        "late_p50_s": percentile(late, 50),
        "late_p99_s": percentile(late, 99),
        "posted_once": once / plan.channels,
        "rss_peak_mb": proc_status_mb("VmHWM"),
        "rss_mb": proc_status_mb("VmRSS"),
        "time_scale": scale,
    }


def _measure_here(channels: int, scale: float) -> dict[str, Any]:
    """Run one size in this (fresh) process, on the event loop the bot runs on."""
    from bot import event_loop

    with tempfile.TemporaryDirectory(prefix="quizbot-fanout-") as tmp:
        return event_loop.run(_measure(channels, scale, Path(tmp)))


# -- the orchestrating process ------------------------------------------------------------------


def _measure_in_child(channels: int, scale: float) -> dict[str, Any]:
    """One size in a fresh process (the figures of a bot process holding just that)."""
    command = [sys.executable, "-m", "benchmarks.fanout", "--one", str(channels), str(scale)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
        try:
            stdout, _ = child.communicate()
        except KeyboardInterrupt:  # the child got it too: let it clean up its folder
            try:
                child.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                child.kill()
            raise
    lines = stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        raise RuntimeError(f"the {channels}-channel run failed (exit {child.returncode})")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def measure(channels: int, scale: float, *, memory: bool) -> dict[str, Any]:
    """The run of ``channels``; with ``memory``, also the runs the memory growth from 1 000
    to 10 000 channels needs (the same limits)."""
    main = _measure_in_child(channels, scale)
    peaks = {channels: main["rss_peak_mb"]}
    notes = []
    if memory:
        for size in RSS_SIZES:
            if size not in peaks:
                peaks[size] = _measure_in_child(size, scale)["rss_peak_mb"]
    else:
        notes.append("fanout: memory growth not measured (quick run)")
    if scale != 1.0:
        notes.append(f"fanout: limits ×{scale:g} (ratios against the scaled limits)")
    return {
        "fanout_channels": main["channels"],
        "fanout_seconds": main["seconds"],
        "fanout_ratio": main["ratio"],
        "fanout_ratio_by_platform": main["ratio_by_platform"],
        "fanout_429_share": main["share_429"],
        "fanout_requests": main["requests"],
        "fanout_429s": main["refused"],
        "fanout_late_p50_s": main["late_p50_s"],
        "fanout_late_p99_s": main["late_p99_s"],
        "fanout_posted_once": main["posted_once"],
        "fanout_rss_peak_mb": peaks,
        "fanout_rss_growth_mb": peaks[RSS_SIZES[1]] - peaks[RSS_SIZES[0]] if memory else None,
        "fanout_time_scale": scale,
        "notes": notes,
    }


def run(quick: bool) -> dict[str, Any]:
    """For ``python -m benchmarks``: 10 000 channels at the real limits and the memory growth
    (``quick``: 1 000 channels, no memory runs)."""
    if quick:
        return measure(QUICK_CHANNELS, 1.0, memory=False)
    return measure(CHANNELS, 1.0, memory=True)


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print the figures; the last line is JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CHANNELS} channels")
    parser.add_argument("--channels", type=_positive(int), help=f"default {CHANNELS}")
    parser.add_argument(
        "--time-scale",
        type=_positive(float),
        default=1.0,
        help="run the limits (and the pacing) this many times faster; default 1 (the real ones)",
    )
    args = parser.parse_args(argv)
    channels = args.channels or (QUICK_CHANNELS if args.quick else CHANNELS)
    try:
        result = measure(channels, args.time_scale, memory=not args.quick)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    for note in result["notes"]:
        _say(note)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        if sys.argv[1:2] == ["--serve-fakes"]:
            asyncio.run(_serve_fakes(float(sys.argv[2])))
            raise SystemExit(0)
        if sys.argv[1:2] == ["--one"]:
            print(json.dumps(_measure_here(int(sys.argv[2]), float(sys.argv[3]))))
            raise SystemExit(0)
    if sys.argv[1:2] in (["--serve-fakes"], ["--one"]):
        raise SystemExit(130)
    raise SystemExit(main())
