"""Opening the PostgreSQL store: migrating first (replicas at once), or refusing a database
that is behind; the public methods are the SQLite store's; ``score_levels`` follows ``scores``."""

from __future__ import annotations

import asyncio
import inspect

import asyncpg
import pytest

from storage.analytics import AnalyticsStore
from storage.daily_store import DailyStore
from storage.database import StoreError
from storage.digest_store import DigestStore
from storage.installation_store import InstallationStore
from storage.interview_store import InterviewStore
from storage.migrations import available
from storage.outbox_store import OutboxStore
from storage.postgres.analytics import PostgresAnalyticsStore
from storage.postgres.daily import PostgresDailyStore
from storage.postgres.digests import PostgresDigestStore
from storage.postgres.installations import PostgresInstallationStore
from storage.postgres.interviews import PostgresInterviewStore
from storage.postgres.migrations import MIGRATIONS_DIR, latest_version
from storage.postgres.outbox import PostgresOutboxStore
from storage.postgres.reviews import PostgresReviewStore
from storage.postgres.rewards import PostgresRewardStore
from storage.postgres.seasons import PostgresSeasonStore
from storage.postgres.settlements import PostgresSettlementStore
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from storage.review_store import ReviewStore
from storage.reward_store import RewardStore
from storage.seasons import SeasonStore
from storage.settlements import SettlementStore
from storage.store import Store


async def test_replicas_opening_at_once_migrate_once(empty_postgres_url: str) -> None:
    url = PostgresUrl.parse(empty_postgres_url)
    stores = await asyncio.gather(*(PostgresStore.open(url, max_size=2) for _ in range(4)))
    try:
        assert [await store.schema_version() for store in stores] == [latest_version()] * 4
        team = await stores[0].team_pk("console", "local")
        assert await stores[3].find_team_pk("console", "local") == team
    finally:
        for store in stores:
            await store.close()
    conn = await asyncpg.connect(empty_postgres_url)
    try:
        versions = [m.version for m in available(MIGRATIONS_DIR)]
        assert await conn.fetchval("SELECT COUNT(*) FROM schema_version") == len(versions)
    finally:
        await conn.close()


async def test_without_migrating_a_database_behind_the_code_is_refused(
    empty_postgres_url: str,
) -> None:
    url = PostgresUrl.parse(empty_postgres_url)
    with pytest.raises(StoreError, match=r"schema version 0, .* run `quizbot db migrate`"):
        await PostgresStore.open(url, migrate_now=False)
    conn = await asyncpg.connect(empty_postgres_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('teams')") is None
    finally:
        await conn.close()


async def test_a_database_that_cannot_be_reached_is_one_line_without_password(
    tmp_path: object,
) -> None:
    url = PostgresUrl.parse(f"postgresql://quiz:pa55word-x@/nowhere?host={tmp_path}&port=5432")
    with pytest.raises(StoreError) as caught:
        await PostgresStore.open(url)
    message = str(caught.value)
    assert message.startswith("postgresql://quiz:***@") and "cannot connect" in message
    assert "pa55word-x" not in message and "\n" not in message


_BACKEND_OWN = {"open", "write_in_thread", "fetchone", "fetchall", "execute_write"}
"""Opening (a path or a URL) and the SQL helpers (each backend's placeholders)."""


def test_the_postgres_store_has_every_public_method_of_the_sqlite_store() -> None:
    for name, method in inspect.getmembers(Store, inspect.iscoroutinefunction):
        if name.startswith("_") or name in _BACKEND_OWN:
            continue
        twin = getattr(PostgresStore, name, None)
        assert twin is not None, f"PostgresStore has no {name}"
        assert list(inspect.signature(twin).parameters) == list(
            inspect.signature(method).parameters
        ), name


@pytest.mark.parametrize(
    ("sqlite_class", "postgres_class"),
    [
        (ReviewStore, PostgresReviewStore),
        (SeasonStore, PostgresSeasonStore),
        (SettlementStore, PostgresSettlementStore),
        (InterviewStore, PostgresInterviewStore),
        (AnalyticsStore, PostgresAnalyticsStore),
        (DigestStore, PostgresDigestStore),
        (RewardStore, PostgresRewardStore),
        (InstallationStore, PostgresInstallationStore),
        (DailyStore, PostgresDailyStore),
        (OutboxStore, PostgresOutboxStore),
    ],
)
def test_each_sub_store_has_the_sqlite_ones_methods(
    sqlite_class: type, postgres_class: type
) -> None:
    def methods(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(method).parameters)
            for name, method in inspect.getmembers(cls, inspect.iscoroutinefunction)
            if not name.startswith("_")
        }

    assert methods(postgres_class) == methods(sqlite_class)


async def test_score_levels_follow_inserts_updates_and_deletes(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        team = await conn.fetchval(
            "INSERT INTO teams (platform, external_id) VALUES ('console', 'x') RETURNING id"
        )
        players = [
            await conn.fetchval(
                "INSERT INTO players (team_id, external_id, display_name) "
                "VALUES ($1, $2, $2) RETURNING id",
                team,
                f"p{i}",
            )
            for i in range(6)
        ]
        insert = (
            "INSERT INTO scores (team_id, period, channel_id, player_id, points, answers, "
            "correct) VALUES ($1, $2, '', $3, $4, 1, 1)"
        )
        for i, player in enumerate(players):
            await conn.execute(insert, team, "all", player, (i % 3) * 10)
            await conn.execute(insert, team, "w1", player, 5)
        await conn.execute(
            "UPDATE scores SET points = points + 10 WHERE player_id = $1", players[0]
        )
        await conn.execute("UPDATE scores SET answers = answers + 1")  # points unchanged
        await conn.execute("DELETE FROM scores WHERE player_id = $1", players[5])
        levels = await conn.fetch(
            "SELECT period, points, players FROM score_levels WHERE players > 0 "
            "ORDER BY period, points"
        )
        counted = await conn.fetch(
            "SELECT period, points, COUNT(*) AS players FROM scores "
            "GROUP BY period, points ORDER BY period, points"
        )
        assert [tuple(row) for row in levels] == [tuple(row) for row in counted]
        assert await conn.fetchval("SELECT SUM(players) FROM score_levels") == 10
    finally:
        await conn.close()
