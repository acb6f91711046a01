"""The SQLite store: every read and write the engine makes, behind one small class.

:class:`Store` is the connection (:mod:`storage.database`) with its queries, grouped by
table in :mod:`storage.players`, :mod:`storage.rounds` and :mod:`storage.scores`. The daily
question and spaced repetition keep theirs in :mod:`storage.daily_store` and
:mod:`storage.review_store`, on the same connection and write lock.
"""

from __future__ import annotations

from storage.database import StoreError
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
from storage.rounds import RoundQueries
from storage.scores import ScoreQueries

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
