"""Two replica processes on one PostgreSQL database under a storm of 10 000 concurrent answers,
and two replicas restarted in turn (SIGTERM, start again) while a daily slot is fired and
published: answers are stored exactly once with totals that add up, no deadlock escapes, the
slot is posted once and the previous round's reveal is published, never twice at once."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from questions.loader import load_bank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from tests.postgres_server import PostgresServer, fresh_database
from tests.reliability.rolling_worker import PLAYERS as ROLLING_PLAYERS
from tests.reliability.rolling_worker import RecordingOutbox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKS = ROOT / "tests" / "data" / "packs"
WATCHDOG_S = 120.0

ROUNDS = 20
PLAYERS = 500
PER_ROUND = 400  # distinct answers: 20 × 400 = 8 000
TWICE_EVERY = 4  # one answer in four is sent through both replicas: 2 000 duplicates


class Worker:
    """A worker process and the lines it printed, read as they come."""

    def __init__(self, script: str, *args: object) -> None:
        self.name = " ".join(str(a) for a in args[1:2])
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / script), *(str(a) for a in args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.watchdog = threading.Timer(WATCHDOG_S, self.process.kill)
        self.watchdog.start()
        self.lines: list[list[str]] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line.split())
                self.changed.notify_all()
        with self.changed:
            self.lines.append(["EOF"])
            self.changed.notify_all()

    def send(self, line: str) -> None:
        """Write one line to the worker's stdin."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def has(self, kind: str, count: int = 1) -> Callable[[], bool]:
        """A condition for :meth:`wait_for`: the worker printed ``count`` lines of ``kind``."""
        return lambda: len(self.facts(kind)) >= count

    def facts(self, kind: str) -> list[list[str]]:
        """The printed lines of one kind, without the kind."""
        with self.changed:
            return [line[1:] for line in self.lines if line and line[0] == kind]

    def wait_for(self, enough: Callable[[], object], what: str) -> None:
        """Block until ``enough()`` holds (the watchdog kills a silent worker)."""
        with self.changed:
            while not enough():
                if self.lines and self.lines[-1] == ["EOF"]:
                    raise AssertionError(f"{self.name} exited before {what}: {self.errors()}")
                self.changed.wait(0.5)

    def errors(self) -> str:
        """What the worker wrote to stderr (once it has exited)."""
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()[-2000:]

    def stop(self, sig: signal.Signals) -> int:
        """Send ``sig`` and wait for the exit code."""
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=5)
        return code

    def close(self) -> None:
        """Kill the worker if it still runs, and close its pipes."""
        self.watchdog.cancel()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.reader.join(timeout=5)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


async def _open_rounds(url: str, team: Team, count: int) -> list[int]:
    """Open ``count`` rounds (an hour long) in channels of their own."""
    store = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=2)
    try:
        engine = QuizEngine(store, load_bank(builtin_dir=PACKS), round_seconds=3600)
        return [
            (await engine.start_round(Channel(team, f"room-{n}", f"room-{n}"), None)).round_id
            for n in range(count)
        ]
    finally:
        await store.close()


def _plans(rounds: list[int], rng: random.Random) -> tuple[list[list[object]], ...]:
    """The answers of each replica: every player of a round answers it through one replica,
    one in four through both (with another letter), in a shuffled order."""
    plans: tuple[list[list[object]], ...] = ([], [])
    for r, round_id in enumerate(rounds):
        for n in range(PER_ROUND):
            user = f"u{(r * 25 + n) % PLAYERS}"
            letter = rng.choice("ABCD")
            if n % TWICE_EVERY == 0:
                other = "ABCD"[("ABCD".index(letter) + 1) % 4]
                plans[0].append([round_id, user, letter])
                plans[1].append([round_id, user, other])
            else:
                plans[n % 2].append([round_id, user, letter])
    for plan in plans:
        rng.shuffle(plan)
    return plans


async def _totals(url: str) -> dict[str, object]:
    conn = await asyncpg.connect(url)
    try:
        return {
            "answers": {
                (int(r[0]), str(r[1])): int(r[2])
                for r in await conn.fetch(
                    "SELECT a.round_id, p.external_id, a.points FROM answers a "
                    "JOIN players p ON p.id = a.player_id"
                )
            },
            "answer_rows": await conn.fetchval("SELECT COUNT(*) FROM answers"),
            # score_levels against the scores it summarises, every period and scope
            "levels_off": await conn.fetch(
                "SELECT s.team_id, s.period, s.channel_id FROM "
                "(SELECT team_id, period, channel_id, points, COUNT(*) AS players FROM scores "
                " GROUP BY 1, 2, 3, 4) s "
                "FULL JOIN (SELECT * FROM score_levels WHERE players <> 0) l USING "
                "(team_id, period, channel_id, points) "
                "WHERE s.players IS DISTINCT FROM l.players"
            ),
        }
    finally:
        await conn.close()


async def test_ten_thousand_answers_over_two_replica_processes_are_stored_once_and_add_up(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    rng = random.Random(random.SystemRandom().randrange(2**32))
    team = Team("console", "storm")
    async with fresh_database(postgres_server) as url:
        rounds = await _open_rounds(url, team, ROUNDS)
        plans = _plans(rounds, rng)
        workers = []
        try:
            for n, plan in enumerate(plans):
                plan_file = tmp_path / f"plan-{n}.json"
                plan_file.write_text(json.dumps(plan))
                workers.append(Worker("storm_worker.py", url, f"replica-{n}", plan_file))
            for worker in workers:
                await asyncio.to_thread(worker.wait_for, worker.has("READY"), "ready")
            for worker in workers:
                worker.send("GO")  # both replicas at once
            for worker in workers:
                await asyncio.to_thread(worker.wait_for, worker.has("DONE"), "done")
                assert worker.stop(signal.SIGTERM) in (0, -signal.SIGTERM), worker.errors()
        finally:
            for worker in workers:
                worker.close()
        totals = await _totals(url)
        store = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=2)
        try:
            team_pk = await store.team_pk("console", "storm")
            assert team_pk is not None
            boards = {
                n: await store.top_scores(team_pk, "all", f"room-{n}", 10_000)
                for n in range(ROUNDS)
            }
            team_board = await store.top_scores(team_pk, "all", "", 10_000)
            players = await store.player_count(team_pk, "all", "")
        finally:
            await store.close()

    sent = sum(len(plan) for plan in plans)
    assert sent == 10_000
    assert not [f for w in workers for f in w.facts("ERROR")], "an error escaped the engine"
    assert not [f for w in workers for f in w.facts("REFUSED")]
    acks = [f for w in workers for f in w.facts("ACK")]
    dups = [f for w in workers for f in w.facts("DUP")]
    acked = Counter((int(round_id), user) for round_id, user, _ in acks)
    distinct = {(int(r), str(u)) for plan in plans for r, u, _ in plan}  # type: ignore[call-overload]
    assert len(distinct) == ROUNDS * PER_ROUND
    assert set(acked) == distinct and set(acked.values()) == {1}  # each stored once
    assert len(dups) == sent - len(distinct)  # every second try refused as a duplicate
    stored = totals["answers"]
    assert isinstance(stored, dict)
    assert totals["answer_rows"] == len(distinct)
    assert stored == {(int(r), u): int(p) for r, u, p in acks}  # the acknowledged points

    points = sum(stored.values())
    assert points > 0
    for n, round_id in enumerate(rounds):
        in_round = sum(p for (r, _), p in stored.items() if r == round_id)
        assert sum(row.points for row in boards[n]) == in_round
        assert sum(row.answers for row in boards[n]) == PER_ROUND
    assert sum(row.points for row in team_board) == points
    assert sum(row.answers for row in team_board) == len(distinct)
    assert players == len(team_board) == PLAYERS
    assert totals["levels_off"] == [], "score_levels disagree with scores"


async def _yesterdays_daily_round(url: str, team: Team, log: Path) -> tuple[int, int, str]:
    """Set a daily schedule whose slot today is two minutes past, post yesterday's slot (as a
    replica did then) and answer its round; open a quiz round an hour long. The ids of both
    rounds and the key of today's slot."""
    store = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=2)
    try:
        yesterday = QuizEngine(
            store, load_bank(builtin_dir=PACKS), clock=lambda: time.time() - 86_400
        )
        yesterday.register_outbox("console", RecordingOutbox(log, call_s=0))
        due = datetime.now(UTC) - timedelta(minutes=2)
        channel = Channel(team, "daily", "daily")
        record = await yesterday.daily.set_schedule(
            channel, time_of_day=due.strftime("%H:%M"), timezone="UTC"
        )
        slot = last_slot(spec_of(record), yesterday.clock())
        assert await yesterday.daily.run_slot(record, slot) == "queued"
        assert await yesterday.publications.drain() == 1  # yesterday's post
        [daily_round] = await yesterday.daily.db.open_rounds(record.team_pk, "daily")
        for n in range(10):
            player = Player(team, f"early-{n}", f"Early {n}")
            await yesterday.answer(player, daily_round, choice="ABCD"[n % 4])
        today = QuizEngine(store, load_bank(builtin_dir=PACKS), round_seconds=3600)
        card = await today.start_round(Channel(team, "quiz", "quiz"), None)
        return daily_round, card.round_id, last_slot(spec_of(record), time.time()).key
    finally:
        await store.close()


def _calls(log: Path) -> list[tuple[str, int, str, str, int]]:
    """The platform calls the replicas recorded: (CALL/DONE, pid, post/edit, kind, round)."""
    if not log.exists():
        return []
    return [
        (f[0], int(f[1]), f[2], f[3], int(f[4]))
        for f in (line.split() for line in log.read_text().splitlines())
    ]


def _wait_for_call(log: Path, kind: str) -> None:
    """Block until a replica called the platform for a view of ``kind``."""
    while not any(c[0] == "CALL" and c[3] == kind for c in _calls(log)):
        time.sleep(0.05)


async def _unfinished(url: str) -> int:
    """How many entries of the queue have no outcome yet."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT COUNT(*) FROM publications WHERE outcome IS NULL"))
    finally:
        await conn.close()


async def _queue_state(url: str) -> dict[str, object]:
    conn = await asyncpg.connect(url)
    try:
        return {
            "slots": [
                (str(r[0]), str(r[1]), str(r[2]))
                for r in await conn.fetch(
                    "SELECT channel_id, slot_date, state FROM daily_slots ORDER BY slot_date"
                )
            ],
            "entries": [
                (str(r[0]), int(r[1]), r[2])
                for r in await conn.fetch(
                    "SELECT kind, round_id, outcome FROM publications ORDER BY id"
                )
            ],
            "answers": {
                (int(r[0]), str(r[1])): int(r[2])
                for r in await conn.fetch(
                    "SELECT a.round_id, p.external_id, a.points FROM answers a "
                    "JOIN players p ON p.id = a.player_id"
                )
            },
        }
    finally:
        await conn.close()


async def test_replicas_restarted_in_turn_during_a_daily_slot_post_it_once(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    team = Team("console", "rolling")
    log = tmp_path / "platform.log"
    async with fresh_database(postgres_server) as url:
        previous, quiz, today = await _yesterdays_daily_round(url, team, tmp_path / "setup.log")
        workers: list[Worker] = []

        def start(name: str) -> Worker:
            worker = Worker("rolling_worker.py", url, name, log, quiz)
            workers.append(worker)
            return worker

        async def restart(worker: Worker, name: str) -> Worker:
            assert worker.stop(signal.SIGTERM) == 0, worker.errors()
            assert worker.facts("STOPPED"), worker.name
            again = start(name)
            await asyncio.to_thread(again.wait_for, again.has("READY"), "ready")
            return again

        try:
            first, second = start("A0"), start("B0")
            for worker in (first, second):
                await asyncio.to_thread(worker.wait_for, worker.has("READY"), "ready")
            # The slot is fired at start (caught up); restart both while it is published.
            await asyncio.to_thread(_wait_for_call, log, "daily")
            first = await restart(first, "A1")
            second = await restart(second, "B1")
            while await _unfinished(url):
                assert first.process.poll() is None and second.process.poll() is None
                await asyncio.sleep(0.2)
            for worker in (first, second):
                await asyncio.to_thread(
                    worker.wait_for, worker.has("ACK", ROLLING_PLAYERS), "answers"
                )
                assert worker.stop(signal.SIGTERM) == 0, worker.errors()
        finally:
            for worker in workers:
                worker.close()
        state = await _queue_state(url)

    calls = _calls(log)
    started = Counter(c[1:] for c in calls if c[0] == "CALL")
    finished = Counter(c[1:] for c in calls if c[0] == "DONE")
    assert started == finished, "a graceful stop left a platform call half done"
    daily_posts = [c for c in calls if c[0] == "DONE" and c[2:4] == ("post", "daily")]
    assert len(daily_posts) == 1, daily_posts  # today's slot, posted once
    reveals = [c for c in calls if c[0] == "CALL" and c[3] == "reveal" and c[4] == previous]
    assert len(reveals) == 1, reveals  # leases held across the restarts: never twice
    slots = state["slots"]
    assert isinstance(slots, list) and len(slots) == 2
    assert slots[-1][1:] == (today, "posted"), slots
    entries = state["entries"]
    assert isinstance(entries, list)
    assert (
        Counter((kind, outcome) for kind, _, outcome in entries)[("daily_post", "published")] == 2
    )
    assert [e for e in entries if e[0] == "reveal"] == [("reveal", previous, "published")]
    stored = state["answers"]
    assert isinstance(stored, dict)
    acknowledged = [f for w in workers for f in w.facts("ACK")]
    assert len(acknowledged) == 4 * ROLLING_PLAYERS
    assert all(stored.get((int(r), u)) == int(p) for r, u, p in acknowledged)
    assert len(stored) == 4 * ROLLING_PLAYERS + 10
