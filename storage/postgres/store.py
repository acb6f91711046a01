"""The PostgreSQL store: the public async methods of :class:`storage.store.Store` (players,
teams, rounds, answers, scores and leaderboards) in plain asyncpg, on a pool, with its
sub-stores as attributes (``store.reviews``, …, ``store.daily`` and ``store.publications``).

Open with :meth:`PostgresStore.open` (a :class:`~storage.postgres.url.PostgresUrl`); close with
:meth:`PostgresStore.close`. The rows and refusals are :mod:`storage.records`' own, so callers
see no difference between the backends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from storage.postgres.analytics import PostgresAnalyticsStore
from storage.postgres.daily import PostgresDailyStore
from storage.postgres.digests import PostgresDigestStore
from storage.postgres.installations import PostgresInstallationStore
from storage.postgres.interviews import PostgresInterviewStore
from storage.postgres.outbox import PostgresOutboxStore
from storage.postgres.players import PostgresPlayerQueries
from storage.postgres.reviews import PostgresReviewStore
from storage.postgres.rewards import PostgresRewardStore
from storage.postgres.rounds import AnswerHook, PostgresRoundQueries
from storage.postgres.scores import PostgresScoreQueries
from storage.postgres.seasons import PostgresSeasonStore
from storage.postgres.settlements import PostgresSettlementStore
from storage.postgres.url import PostgresUrl

if TYPE_CHECKING:
    from storage.interface import Storage

__all__ = ["AnswerHook", "PostgresStore"]


class PostgresStore(PostgresPlayerQueries, PostgresRoundQueries, PostgresScoreQueries):
    """Quizbot's PostgreSQL database. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, pool: asyncpg.Pool, url: PostgresUrl) -> None:
        super().__init__(pool, url)
        self.reviews = PostgresReviewStore(self)
        self.seasons = PostgresSeasonStore(self)
        self.digests = PostgresDigestStore(self)
        self.rewards = PostgresRewardStore(self)
        self.analytics = PostgresAnalyticsStore(self)
        self.settlements = PostgresSettlementStore(self)
        self.interviews = PostgresInterviewStore(self)
        self.installations = PostgresInstallationStore(self)
        self.daily = PostgresDailyStore(self)
        self.publications = PostgresOutboxStore(self)


if TYPE_CHECKING:

    def _implements_storage(store: PostgresStore) -> Storage:
        """Where mypy checks that :class:`PostgresStore` implements the :class:`Storage`
        protocol."""
        return store
