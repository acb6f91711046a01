"""The PostgreSQL benchmark (benchmarks/postgres.py) at tiny sizes on the tests' server: every
figure is there and sane. Nothing here is timed against a limit."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from benchmarks import pg_server, postgres
from benchmarks.__main__ import GOALS
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from tests.postgres_server import PostgresServer

_TINY = postgres.Sizes(
    answers=200, board_label="1M", board_answers=2_000, board_players=100, samples=20
)


def test_the_benchmark_reports_every_figure(postgres_server: PostgresServer) -> None:
    result = postgres.measure(postgres_server.url("postgres"), _TINY)

    assert result["pg_fsync"] == "off"  # the tests' server
    answers = result["pg_answers_per_s"]
    assert set(answers) == {"1_replica", "2_replicas"}
    assert all(value > 0 for value in answers.values())
    assert result["pg_raw_txn_per_s"] > 0
    assert result["pg_answer_ratio"] == pytest.approx(
        answers["1_replica"] / result["pg_raw_txn_per_s"]
    )
    attempts = result["pg_answer_ratio_attempts"]  # the reported attempt is the median one
    assert len(attempts) == 3
    assert sorted(attempts)[1] == pytest.approx(result["pg_answer_ratio"], abs=1e-3)
    assert result["pg_raw_txn_per_s_store_pool"] > 0
    assert result["pg_answer_ratio_store_pool"] == pytest.approx(
        answers["1_replica"] / result["pg_raw_txn_per_s_store_pool"]
    )
    assert result["pg_leaderboard_p99_ms"]["1M"] > 0
    assert result["pg_leaderboard_build_s"] > 0
    labels = {goal.label for goal in GOALS if goal.met(result) is not None}
    assert labels == {"pg_answer_ratio >= 0.5", "pg_leaderboard_p99_ms[1M] <= 5"}


def test_the_leaderboard_rows_agree_with_the_answers(postgres_url: str) -> None:
    async def check() -> None:
        await postgres.build_leaderboard(postgres_url, 2_000, 100)
        conn = await asyncpg.connect(postgres_url)
        try:
            answers = await conn.fetchval("SELECT COUNT(*) FROM answers")
            total = await conn.fetchrow(
                "SELECT SUM(points), SUM(answers), COUNT(*) FROM scores "
                "WHERE period = 'all' AND channel_id = ''"
            )
            points = await conn.fetchval("SELECT SUM(points) FROM answers")
            levels = await conn.fetch(
                "SELECT l.players, (SELECT COUNT(*) FROM scores s WHERE s.team_id = l.team_id "
                "AND s.period = l.period AND s.channel_id = l.channel_id "
                "AND s.points = l.points) FROM score_levels l"
            )
            periods = await conn.fetchval("SELECT COUNT(DISTINCT period) FROM scores")
            ahead = await conn.fetch(
                "SELECT s.player_id, (SELECT COUNT(*) FROM scores o WHERE o.period = 'all' "
                "AND o.channel_id = '' AND o.points > s.points) FROM scores s "
                "WHERE s.period = 'all' AND s.channel_id = '' ORDER BY s.player_id LIMIT 20"
            )
        finally:
            await conn.close()
        assert total is not None
        store = await PostgresStore.open(PostgresUrl.parse(postgres_url))
        try:
            for player, more in ahead:
                found = await store.player_score(1, "all", "", player)
                assert found is not None and found[1] == 1 + more
            assert await store.player_count(1, "all", "") == total[2]
        finally:
            await store.close()
        assert answers == 2_000
        assert total[0] == points and total[1] == answers
        assert levels and all(players == counted for players, counted in levels)
        assert periods >= 4  # weeks, months, all time and the first season

    asyncio.run(check())


def test_without_a_server_the_figures_are_null(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.ENV_URL, raising=False)
    monkeypatch.setattr(pg_server, "find_binaries", lambda *_: None)

    result = postgres.run(quick=True)

    assert result["pg_answer_ratio"] is None
    assert result["pg_answer_ratio_attempts"] is None
    assert result["pg_answer_ratio_store_pool"] is None
    assert result["pg_leaderboard_p99_ms"] == {"100k": None}
    assert result["notes"]
