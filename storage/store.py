"""The SQLite store: every read and write the engine makes, behind one class.

:class:`Store` implements :class:`storage.interface.Storage`: the connection
(:mod:`storage.database`) with its queries, grouped by table in :mod:`storage.players`,
:mod:`storage.rounds` and :mod:`storage.scores`, and its sub-stores, built once and shared:
``reviews``, ``interviews``, ``settlements``, ``seasons``, ``analytics``, ``digests``,
``rewards`` and ``daily``, all on the same connection and write lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from storage.analytics import AnalyticsStore
from storage.digest_store import DigestStore
from storage.errors import StoreError
from storage.interview_store import InterviewStore
from storage.players import PlayerQueries
from storage.records import (
    ROUND_COLUMNS,
    AnswerRecord,
    DuplicateAnswerError,
    OpenRoundExistsError,
    RoundClosedInStoreError,
    RoundRecord,
    ScoreRow,
    round_record,
)
from storage.review_store import ReviewStore
from storage.reward_store import RewardStore
from storage.rounds import RoundQueries
from storage.scores import ScoreQueries
from storage.seasons import SeasonStore
from storage.settlements import SettlementStore

if TYPE_CHECKING:
    from storage.daily_store import DailyStore
    from storage.interface import Storage
    from storage.outbox_store import OutboxStore

__all__ = [
    "ROUND_COLUMNS",
    "AnswerRecord",
    "DuplicateAnswerError",
    "OpenRoundExistsError",
    "RoundClosedInStoreError",
    "RoundRecord",
    "ScoreRow",
    "Store",
    "StoreError",
    "round_record",
]


class Store(PlayerQueries, RoundQueries, ScoreQueries):
    """Quizbot's database. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        super().__init__(conn, path)
        # storage.daily_store and storage.outbox_store import this module for their type hints:
        # imported here, not above.
        from storage.daily_store import DailyStore
        from storage.outbox_store import OutboxStore

        self.reviews = ReviewStore(self)
        self.interviews = InterviewStore(self)
        self.settlements = SettlementStore(self)
        self.seasons = SeasonStore(self)
        self.analytics = AnalyticsStore(self)
        self.digests = DigestStore(self)
        self.rewards = RewardStore(self)
        self.daily: DailyStore = DailyStore(self)
        self.publications: OutboxStore = OutboxStore(self)


if TYPE_CHECKING:

    def _implements_storage(store: Store) -> Storage:
        """Where mypy checks that :class:`Store` implements the :class:`Storage` protocol."""
        return store
