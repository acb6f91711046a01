"""PostgreSQL: answer throughput with one and two replicas, and leaderboard latency at 1M.

The server is ``QUIZBOT_BENCH_POSTGRES_URL`` when set (a database there to create the benchmark
databases from), else a throw-away one started from the installed binaries
(:mod:`benchmarks.pg_server`) with the server's default settings: fsync on. Without either the
figures are null and a note says why.

* ``pg_answers_per_s``: answers per second through ``QuizEngine.answer`` with one replica (one
  engine, its own :class:`PostgresStore` and pool, its connections opened before the clock
  starts as the raw transactions' pool's are) and with two replicas (two processes, each
  its own engine, store and pool) on the same database; each replica keeps ``_CONCURRENCY``
  answers in flight, the two-replica figure is the sum of both.
* ``pg_raw_txn_per_s``: plain asyncpg ``BEGIN`` / single-row ``INSERT`` / ``COMMIT``
  transactions per second, same pool size and concurrency, in the same run.
* ``pg_answer_ratio``: the one-replica answers per second over the raw transactions. As for
  SQLite, three paired attempts (raw transactions, then answers, back to back on a new
  database) are made and the one with the median ratio is reported, its figures with it;
  ``pg_answer_ratio_attempts`` lists the three ratios.
* ``pg_raw_txn_per_s_store_pool`` and ``pg_answer_ratio_store_pool``: the same raw transactions
  on a pool set up as the store's (no reset query when a connection is returned), and the
  ratio over those: the stricter comparison.
* ``pg_leaderboard_p99_ms``: p99 of ``QuizEngine.leaderboard(caller=…)`` over 1M answers (100k
  with ``--quick``), the rows copied straight into the real schema with ``COPY``: rounds,
  answers, and the ``scores`` / ``score_levels`` totals aggregated from those answers as the
  engine would have written them.

Interrupted, it stops the server it started and removes its folder.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from benchmarks import pg_server
from benchmarks.common import BenchClock, percentile, test_bank
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from bot.engine.scoring import points_for
from bot.engine.standings import period_keys
from storage.postgres.pool import keep_session, migrate
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from storage.seasons import FIRST_SEASON

__all__ = ["ENV_URL", "Sizes", "build_leaderboard", "measure", "run"]

ENV_URL = "QUIZBOT_BENCH_POSTGRES_URL"
TEAM = Team("bench", "T1")
NOW = 1_764_000_000.0
_CONCURRENCY = 50
_POOL_SIZE = 10  # QUIZBOT_DATABASE_POOL_MAX's default
_PER_ROUND = 100
_OPEN_TEXT = "Mars is the red planet, because of iron oxide (rust) dust on its surface."
_BOARD_PER_ROUND = 25
_BOARD_CHANNELS = 8
_ROUND_S = 60.0
_SPAN_S = 8 * 7 * 86400  # rounds spread over the eight weeks before NOW
_QUESTIONS = (
    ("alpha-easy", "alpha", "easy"),
    ("alpha-hard", "alpha", "hard"),
    ("beta-medium", "beta", "medium"),
)


@dataclass(frozen=True)
class Sizes:
    """How much to measure: answers per throughput run, the leaderboard's size and samples."""

    answers: int
    board_label: str
    board_answers: int
    board_players: int
    samples: int


FULL = Sizes(10_000, "1M", 1_000_000, 50_000, 2000)
QUICK = Sizes(2_000, "100k", 100_000, 5_000, 300)


def _progress(message: str) -> None:
    print(f"  postgres: {message}", file=sys.stderr, flush=True)


def _with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _create_database(admin_url: str, name: str) -> str:
    """A new, migrated database ``name`` (dropped first if a previous run left it)."""
    await _admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await _admin(admin_url, f"CREATE DATABASE {name}")
    url = _with_database(admin_url, name)
    await migrate(PostgresUrl.parse(url))
    return url


# -- throughput --------------------------------------------------------------------------------


async def _in_waves(work: Any, count: int, concurrency: int) -> None:
    """Run ``work(n)`` for n in range(count), ``concurrency`` at a time."""
    for start in range(0, count, concurrency):
        await asyncio.gather(*(work(n) for n in range(start, min(start + concurrency, count))))


async def measure_raw_txn(
    url: str, count: int, concurrency: int, *, as_store: bool = False
) -> float:
    """Single-row ``BEGIN`` / ``INSERT`` / ``COMMIT`` transactions per second on a pool:
    asyncpg's default pool, or (``as_store``) one set up as the store's, which returns
    connections without asyncpg's reset query (:func:`storage.postgres.pool.keep_session`)."""
    pool = await asyncpg.create_pool(
        url, min_size=_POOL_SIZE, max_size=_POOL_SIZE, reset=keep_session if as_store else None
    )
    try:
        await pool.execute(
            "CREATE TABLE bench_raw (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "round_id BIGINT NOT NULL, player_id BIGINT NOT NULL, points BIGINT NOT NULL, "
            "answered_at DOUBLE PRECISION NOT NULL, UNIQUE (round_id, player_id))"
        )

        async def one(n: int) -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO bench_raw (round_id, player_id, points, answered_at) "
                    "VALUES ($1, $2, $3, $4)",
                    n // 1000,
                    n,
                    100,
                    time.time(),
                )

        started = time.perf_counter()
        await _in_waves(one, count, concurrency)
        elapsed = time.perf_counter() - started
        await pool.execute("DROP TABLE bench_raw")
    finally:
        await pool.close()
    return count / elapsed


async def replica_answers(
    url: str, replica: int, answers: int, concurrency: int, start_at: float = 0.0
) -> float:
    """One replica's answers per second through ``QuizEngine.answer`` (grade, score, commit).

    Rounds of ``_PER_ROUND`` answers (one in four in free-text mode) in the replica's own 16
    channels, answered by players of a pool shared by the replicas; the clock runs only while
    answers are in flight. The replica waits for ``start_at`` (epoch seconds) once its store is
    open, so replicas in other processes start together.
    """
    # every pooled connection opened before the clock runs, as the raw transactions' pool's
    store = await PostgresStore.open(
        PostgresUrl.parse(url), min_size=_POOL_SIZE, max_size=_POOL_SIZE
    )
    engine = QuizEngine(
        store, test_bank(), clock=BenchClock(), rng=random.Random(7 + replica), round_seconds=3600
    )
    players = max(answers // 10, _PER_ROUND)
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        elapsed = 0.0
        total = 0
        for index in range(answers // _PER_ROUND):
            channel = Channel(TEAM, f"R{replica}C{index % 16}")
            mode = "open" if index % 4 == 3 else "choice"
            card = await engine.start_round(channel, None, mode=mode)
            first = (index * _PER_ROUND) % players
            who = [
                Player(TEAM, f"U{(first + k) % players}", f"user {(first + k) % players}")
                for k in range(_PER_ROUND)
            ]
            text = _OPEN_TEXT if mode == "open" else None

            async def one(
                k: int, round_id: int = card.round_id, who: list[Player] = who, text: Any = text
            ) -> None:
                if text is not None:
                    await engine.answer(who[k], round_id, text=text)
                else:
                    await engine.answer(who[k], round_id, choice="ABCD"[k % 4])

            started = time.perf_counter()
            await _in_waves(one, _PER_ROUND, concurrency)
            elapsed += time.perf_counter() - started
            total += _PER_ROUND
            await engine.close_round(TEAM, card.round_id)
    finally:
        await store.close()
    return total / elapsed


def _replica_process(url: str, replica: int, answers: int, start_at: float) -> float:
    """:func:`replica_answers` in a process of its own."""
    return asyncio.run(replica_answers(url, replica, answers, _CONCURRENCY, start_at))


def _two_replicas(url: str, answers: int) -> float:
    """Answers per second of two replicas (two processes) on one database: their sum."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        start_at = time.time() + 5.0  # both processes started and their stores open by then
        futures = [
            pool.submit(_replica_process, url, replica, answers // 2, start_at)
            for replica in (1, 2)
        ]
        return sum(future.result() for future in futures)


# -- leaderboard -------------------------------------------------------------------------------


async def build_leaderboard(url: str, answers: int, players: int, seed: int = 1) -> None:
    """Fill the migrated database at ``url`` with ``answers`` answers by ``players`` players of
    one team, with the ``scores`` and ``score_levels`` those answers give (every period key and
    the first season, team-wide and per channel, as the engine writes them)."""
    rng = random.Random(seed)
    rounds: list[tuple[Any, ...]] = []
    periods: list[tuple[int, str]] = []
    rows: list[tuple[Any, ...]] = []
    round_count = answers // _BOARD_PER_ROUND
    population = range(1, players + 1)
    for round_id in range(1, round_count + 1):
        opened = NOW - _SPAN_S + (round_id / round_count) * (_SPAN_S - 2 * _ROUND_S)
        question_id, category, difficulty = _QUESTIONS[round_id % 3]
        channel = f"C{round_id % _BOARD_CHANNELS}"
        closes = opened + _ROUND_S
        what = (channel, "quiz", "choice", question_id, category, difficulty, "0123")
        rounds.append((round_id, 1, *what, None, opened, closes, closes))
        keys = (*period_keys(opened).values(), FIRST_SEASON)
        periods.extend((round_id, key) for key in keys)
        for player in rng.sample(population, _BOARD_PER_ROUND):
            correct = int(rng.random() < 0.6)
            elapsed = rng.random() * _ROUND_S
            points = points_for(difficulty, float(correct), elapsed, _ROUND_S)
            answered = opened + elapsed
            choice = rng.randrange(4)
            rows.append((round_id, player, choice, None, float(correct), correct, points, answered))
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO teams (id, platform, external_id) VALUES (1, $1, $2)",
                TEAM.platform,
                TEAM.team_id,
            )
            await conn.copy_records_to_table(
                "players",
                records=[(p, 1, f"U{p}", f"player {p}") for p in population],
                columns=["id", "team_id", "external_id", "display_name"],
            )
            await conn.copy_records_to_table(
                "rounds",
                records=rounds,
                columns=[
                    "id",
                    "team_id",
                    "channel_id",
                    "kind",
                    "mode",
                    "question_id",
                    "category",
                    "difficulty",
                    "choice_order",
                    "opened_by",
                    "opened_at",
                    "closes_at",
                    "closed_at",
                ],
            )
            await conn.copy_records_to_table(
                "answers",
                records=rows,
                columns=[
                    "round_id",
                    "player_id",
                    "choice",
                    "text",
                    "grade",
                    "correct",
                    "points",
                    "answered_at",
                ],
            )
            for table in ("teams", "players", "rounds"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            await conn.execute(
                "CREATE TEMPORARY TABLE round_periods (round_id BIGINT, period TEXT)"
            )
            await conn.copy_records_to_table("round_periods", records=periods)
            # score_levels is filled below in one pass rather than by a trigger per row.
            await conn.execute("ALTER TABLE scores DISABLE TRIGGER USER")
            await conn.execute(
                "INSERT INTO scores (team_id, period, channel_id, player_id, points, answers, "
                "correct) SELECT 1, rp.period, scope.channel_id, a.player_id, SUM(a.points), "
                "COUNT(*), SUM(a.correct) FROM answers a JOIN rounds r ON r.id = a.round_id "
                "JOIN round_periods rp ON rp.round_id = a.round_id "
                "CROSS JOIN LATERAL (VALUES (''), (r.channel_id)) AS scope (channel_id) "
                "GROUP BY rp.period, scope.channel_id, a.player_id"
            )
            await conn.execute("ALTER TABLE scores ENABLE TRIGGER USER")
            await conn.execute(
                "INSERT INTO score_levels (team_id, period, channel_id, points, players) "
                "SELECT team_id, period, channel_id, points, COUNT(*) FROM scores "
                "GROUP BY team_id, period, channel_id, points"
            )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def leaderboard_p99(url: str, players: int, samples: int, passes: int = 3) -> float:
    """p99 of ``QuizEngine.leaderboard(period="all", caller=…)`` over random callers, in
    milliseconds: the median p99 of ``passes`` passes (the first 20 calls of each discarded)."""
    store = await PostgresStore.open(PostgresUrl.parse(url), max_size=_POOL_SIZE)
    engine = QuizEngine(store, test_bank(), clock=BenchClock(NOW), rng=random.Random(7))
    rng = random.Random(2)
    results: list[float] = []
    try:
        for _ in range(passes):
            timings: list[float] = []
            for index in range(samples + 20):
                who = rng.randrange(1, players + 1)
                caller = Player(TEAM, f"U{who}", f"player {who}")
                started = time.perf_counter()
                board = await engine.leaderboard(TEAM, period="all", caller=caller)
                elapsed = time.perf_counter() - started
                assert board.rows and board.caller is not None
                if index >= 20:
                    timings.append(elapsed * 1000)
            results.append(percentile(timings, 99))
    finally:
        await store.close()
    return statistics.median(results)


# -- the run -----------------------------------------------------------------------------------


_ATTEMPTS = 3
"""Paired attempts at the answer ratio, as for SQLite (:mod:`benchmarks.answers`)."""


@dataclass(frozen=True, order=True)
class _Attempt:
    """One paired attempt: one replica's answers and the raw transactions, measured back to
    back so that both see the same machine load (ordered by the ratio)."""

    ratio: float
    answers: float
    raw: float
    raw_as_store: float


def _paired_attempt(admin_url: str, name: str, answers: int) -> _Attempt:
    """Raw transactions (both pools), then one replica's answers, on a new database."""
    url = asyncio.run(_create_database(admin_url, name))
    try:
        raw = asyncio.run(measure_raw_txn(url, answers, _CONCURRENCY))
        raw_as_store = asyncio.run(measure_raw_txn(url, answers, _CONCURRENCY, as_store=True))
        one = asyncio.run(replica_answers(url, 0, answers, _CONCURRENCY))
    finally:
        asyncio.run(_admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return _Attempt(one / raw, one, raw, raw_as_store)


def measure(admin_url: str, sizes: Sizes) -> dict[str, Any]:
    """Every figure on the server of ``admin_url`` (a database to create others from).

    The one-replica answers and the raw transactions are the attempt with the median ratio of
    :data:`_ATTEMPTS` paired attempts, each on a new database.
    """
    fsync = asyncio.run(_show(admin_url, "fsync"))
    _progress(f"server fsync={fsync}")
    name = f"quizbot_bench_{os.getpid()}"
    attempts: list[_Attempt] = []
    for attempt in range(_ATTEMPTS):
        _progress(
            f"attempt {attempt + 1} of {_ATTEMPTS}: {sizes.answers} raw transactions on each "
            f"pool, then {sizes.answers} answers with 1 replica, {_CONCURRENCY} in flight"
        )
        attempts.append(_paired_attempt(admin_url, f"{name}_{attempt}", sizes.answers))
        _progress(f"  ratio {attempts[-1].ratio:.2f}")
    median = sorted(attempts)[len(attempts) // 2]
    url = asyncio.run(_create_database(admin_url, name))
    try:
        _progress(f"answers, 2 replicas (2 processes): {sizes.answers}")
        two = _two_replicas(url, sizes.answers)
    finally:
        asyncio.run(_admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    board = f"{name}_board"
    url = asyncio.run(_create_database(admin_url, board))
    try:
        _progress(f"leaderboard: building {sizes.board_label} answers")
        started = time.perf_counter()
        asyncio.run(build_leaderboard(url, sizes.board_answers, sizes.board_players))
        build_s = time.perf_counter() - started
        _progress(f"leaderboard: {sizes.samples} calls x 3")
        p99 = asyncio.run(leaderboard_p99(url, sizes.board_players, sizes.samples))
    finally:
        asyncio.run(_admin(admin_url, f"DROP DATABASE IF EXISTS {board} WITH (FORCE)"))
    return {
        "pg_fsync": fsync,
        "pg_answers_per_s": {"1_replica": median.answers, "2_replicas": two},
        "pg_raw_txn_per_s": median.raw,
        "pg_answer_ratio": median.ratio,
        "pg_answer_ratio_attempts": [round(attempt.ratio, 3) for attempt in attempts],
        "pg_raw_txn_per_s_store_pool": median.raw_as_store,
        "pg_answer_ratio_store_pool": median.answers / median.raw_as_store,
        "pg_leaderboard_p99_ms": {sizes.board_label: p99},
        "pg_leaderboard_build_s": build_s,
    }


async def _show(url: str, setting: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval(f"SHOW {setting}"))
    finally:
        await conn.close()


def _unmeasured(sizes: Sizes, note: str) -> dict[str, Any]:
    return {
        "pg_fsync": None,
        "pg_answers_per_s": {"1_replica": None, "2_replicas": None},
        "pg_raw_txn_per_s": None,
        "pg_answer_ratio": None,
        "pg_answer_ratio_attempts": None,
        "pg_raw_txn_per_s_store_pool": None,
        "pg_answer_ratio_store_pool": None,
        "pg_leaderboard_p99_ms": {sizes.board_label: None},
        "pg_leaderboard_build_s": None,
        "notes": [note],
    }


def run(quick: bool) -> dict[str, Any]:
    """The PostgreSQL figures (``quick``: 2 000 answers, the leaderboard at 100k), or nulls
    and a note when there is no server to measure."""
    sizes = QUICK if quick else FULL
    url = os.environ.get(ENV_URL)
    if url:
        _progress(f"server from {ENV_URL}")
        return measure(url, sizes)
    binaries = pg_server.find_binaries()
    if binaries is None:
        note = f"postgres: no {ENV_URL} and no server binaries ({pg_server.BINARIES_GLOB}): n/a"
        _progress(note)
        return _unmeasured(sizes, note)
    _progress(f"starting a throw-away server ({binaries}, default settings)")
    try:
        server = pg_server.start(binaries, durable=True)
    except (RuntimeError, OSError) as exc:
        note = f"postgres: the throw-away server did not start ({exc}): n/a"
        _progress(note)
        return _unmeasured(sizes, note)
    try:
        result = measure(server.url("postgres"), sizes)
    finally:
        pg_server.stop(server)
    if quick:
        result["notes"] = ["postgres: --quick measures 2 000 answers and the leaderboard at 100k"]
    return result


if __name__ == "__main__":
    print(run(quick=True))
