"""The ``backend`` fixture: each test here runs on SQLite (a temp file) and on PostgreSQL (a
fresh database of the session's server), with the same assertions."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fsrs import Rating

from bot.engine.reviews import CardScheduler
from storage.analytics import AnalyticsStore
from storage.digest_store import DigestStore
from storage.installation_store import InstallationStore
from storage.interview_store import InterviewStore
from storage.postgres.analytics import PostgresAnalyticsStore
from storage.postgres.digests import PostgresDigestStore
from storage.postgres.installations import PostgresInstallationStore
from storage.postgres.interviews import PostgresInterviewStore
from storage.postgres.reviews import PostgresReviewStore
from storage.postgres.rewards import PostgresRewardStore
from storage.postgres.seasons import PostgresSeasonStore
from storage.postgres.settlements import PostgresSettlementStore
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from storage.records import CardReview
from storage.review_store import ReviewStore
from storage.reward_store import RewardStore
from storage.seasons import SeasonStore
from storage.settlements import SettlementStore
from storage.store import Store
from tests.postgres_server import PostgresServer, fresh_database

AnyStore = Store | PostgresStore

_SCHEDULE = (
    "INSERT INTO daily_schedules (team_id, channel_id, local_time, timezone, days, updated_at) "
    "VALUES ({})"
)


class HookFailedError(Exception):
    """Raised by a test's answer hook after its write."""


@dataclass
class Backend:
    """A store of one backend, and how to write an answer hook for it."""

    name: str
    store: AnyStore

    def renaming_hook(self, player_pk: int, name: str, *, fail: bool = False) -> Any:
        """An ``on_recorded`` hook that renames a player in the answer's transaction, then
        raises :class:`HookFailedError` when ``fail``."""
        if self.name == "sqlite":

            def sqlite_hook(conn: sqlite3.Connection, answer_id: int) -> None:
                conn.execute("UPDATE players SET display_name = ? WHERE id = ?", (name, player_pk))
                if fail:
                    raise HookFailedError(answer_id)

            return sqlite_hook

        async def postgres_hook(conn: asyncpg.Connection, answer_id: int) -> None:
            await conn.execute(
                "UPDATE players SET display_name = $1 WHERE id = $2", name, player_pk
            )
            if fail:
                raise HookFailedError(answer_id)

        hook: Callable[[asyncpg.Connection, int], Awaitable[None]] = postgres_hook
        return hook

    @property
    def reviews(self) -> ReviewStore | PostgresReviewStore:
        """The store's cards, review log and reports."""
        if isinstance(self.store, PostgresStore):
            return self.store.reviews
        return ReviewStore(self.store)

    @property
    def seasons(self) -> SeasonStore | PostgresSeasonStore:
        """The store's seasons."""
        if isinstance(self.store, PostgresStore):
            return self.store.seasons
        return SeasonStore(self.store)

    @property
    def digests(self) -> DigestStore | PostgresDigestStore:
        """The store's weekly digests."""
        if isinstance(self.store, PostgresStore):
            return self.store.digests
        return DigestStore(self.store)

    @property
    def rewards(self) -> RewardStore | PostgresRewardStore:
        """The store's reward rules and grants."""
        if isinstance(self.store, PostgresStore):
            return self.store.rewards
        return RewardStore(self.store)

    @property
    def analytics(self) -> AnalyticsStore | PostgresAnalyticsStore:
        """The store's analytics reads."""
        if isinstance(self.store, PostgresStore):
            return self.store.analytics
        return AnalyticsStore(self.store)

    @property
    def settlements(self) -> SettlementStore | PostgresSettlementStore:
        """The store's settling of reports."""
        if isinstance(self.store, PostgresStore):
            return self.store.settlements
        return SettlementStore(self.store)

    @property
    def interviews(self) -> InterviewStore | PostgresInterviewStore:
        """The store's mock interviews."""
        if isinstance(self.store, PostgresStore):
            return self.store.interviews
        return InterviewStore(self.store)

    @property
    def installations(self) -> InstallationStore | PostgresInstallationStore:
        """The store's Slack installations."""
        if isinstance(self.store, PostgresStore):
            return self.store.installations
        return InstallationStore(self.store)

    async def add_daily_schedule(self, team_pk: int, channel_id: str) -> None:
        """A running daily schedule (as the daily store writes one) in this backend."""
        values = (team_pk, channel_id, "09:00", "UTC", "daily", 1.0)
        if isinstance(self.store, PostgresStore):
            async with self.store.transaction() as conn:
                await conn.execute(_SCHEDULE.format("$1, $2, $3, $4, $5, $6"), *values)
            return
        async with self.store.transaction() as lite:
            await lite.execute(_SCHEDULE.format("?, ?, ?, ?, ?, ?"), values)

    @staticmethod
    def card_review(
        player_pk: int, question_id: str, category: str, rating: Rating, at: float
    ) -> CardReview:
        """The engine's card update for an answer (``record_answer``'s ``review``)."""
        return CardReview(
            player_pk=player_pk,
            question_id=question_id,
            category=category,
            rating=int(rating),
            reviewed_at=at,
            step=CardScheduler().step(rating, at),
        )


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """A fresh store of each backend."""
    if request.param == "sqlite":
        store = await Store.open(tmp_path / "quizbot.db")
        try:
            yield Backend("sqlite", store)
        finally:
            await store.close()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    async with fresh_database(server) as url:
        postgres = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=8)
        try:
            yield Backend("postgres", postgres)
        finally:
            await postgres.close()
