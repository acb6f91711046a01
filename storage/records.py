"""The rows the store returns and the values it is given, and the refusals its constraints
raise (defined in :mod:`storage.errors`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.errors import (
    DuplicateAnswerError,
    OpenRoundExistsError,
    RoundClosedInStoreError,
    StoreError,
)

__all__ = [
    "ROUND_COLUMNS",
    "AnswerRecord",
    "CardReview",
    "DuplicateAnswerError",
    "OpenRoundExistsError",
    "ReviewStep",
    "RoundClosedInStoreError",
    "RoundRecord",
    "ScoreRow",
    "ScoreRowValues",
    "StoreError",
    "round_record",
]

ReviewStep = Callable[[str | None, int], tuple[str, int, float]]
"""(card JSON before or None for a new card, card id) -> (card JSON after, state, due)."""

ScoreRowValues = tuple[int, str, str, int, int, int]
"""(team pk, period key, channel scope, player pk, points, correct 0|1): one answer's share of
a leaderboard row."""


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """A round as stored."""

    id: int
    team_pk: int
    channel_id: str
    kind: str
    mode: str
    question_id: str
    category: str
    difficulty: str
    choice_order: str
    opened_at: float
    closes_at: float
    closed_at: float | None
    message_channel: str | None
    message_id: str | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """A stored answer with its player's display name."""

    player_pk: int
    display_name: str
    choice: int | None
    grade: float
    correct: bool
    points: int
    answered_at: float


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One player's totals in one period and channel scope."""

    player_pk: int
    user_id: str
    display_name: str
    points: int
    answers: int
    correct: int


ROUND_COLUMNS = (
    "id, team_id, channel_id, kind, mode, question_id, category, difficulty, choice_order, "
    "opened_at, closes_at, closed_at, message_channel, message_id"
)


def round_record(row: tuple[Any, ...]) -> RoundRecord:
    """A ``rounds`` row selected with :data:`ROUND_COLUMNS`."""
    return RoundRecord(*row)


@dataclass(frozen=True, slots=True)
class CardReview:
    """The review of a player's FSRS card that an answer makes, in the answer's transaction.

    ``step`` is the engine's scheduler (pure: no storage in it); the store reads the card
    before, calls ``step``, and writes the card after and the review log row.
    """

    player_pk: int
    question_id: str
    category: str
    rating: int
    reviewed_at: float
    step: ReviewStep
