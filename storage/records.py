"""The rows the store returns, and the refusals its constraints raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ROUND_COLUMNS",
    "AnswerRecord",
    "DuplicateAnswerError",
    "OpenRoundExistsError",
    "RoundClosedInStoreError",
    "RoundRecord",
    "ScoreRow",
    "round_record",
]


class DuplicateAnswerError(Exception):
    """The player already answered this round (the UNIQUE constraint said so)."""


class RoundClosedInStoreError(Exception):
    """The round was closed by the time the answer's transaction ran."""


class OpenRoundExistsError(Exception):
    """The channel already has an open quiz round."""


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

    player_id: int
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
