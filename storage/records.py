"""The rows every store returns and the values it is given (backend-neutral: the
:mod:`storage.interface` protocols speak in these), and the refusals its constraints raise
(defined in :mod:`storage.errors`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from storage.errors import (
    DuplicateAnswerError,
    OpenRoundExistsError,
    RoundClosedInStoreError,
    StoreError,
)

__all__ = [
    "ROUND_COLUMNS",
    "AnswerFact",
    "AnswerRecord",
    "CardReplay",
    "CardReview",
    "CardRow",
    "DuplicateAnswerError",
    "GradeCorrection",
    "InterviewRow",
    "MemberCategory",
    "OpenRoundExistsError",
    "Outcome",
    "QuestionRow",
    "ReportRow",
    "ReviewStep",
    "RewardRow",
    "RoundClosedInStoreError",
    "RoundRecord",
    "ScoreBoard",
    "ScoreRow",
    "ScoreRowValues",
    "SeasonRow",
    "SettledReport",
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


@dataclass(frozen=True, slots=True)
class ScoreBoard:
    """The head of one leaderboard, read at once: its best rows (highest points first), one
    player's row with its competition rank (None when that player has no score there) and
    how many players it has."""

    top: tuple[ScoreRow, ...]
    mine: tuple[ScoreRow, int] | None
    players: int


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


@dataclass(frozen=True, slots=True)
class CardRow:
    """A stored FSRS card."""

    id: int
    player_pk: int
    question_id: str
    category: str
    state: int
    due: float
    card: str
    reviews: int
    last_log_id: int | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A dispute or question report, with the reporting player and team."""

    id: int
    platform: str
    team_id: str
    player: str
    round_id: int
    question_id: str
    kind: str
    note: str
    answer: str | None
    grade: float | None
    created_at: float
    status: str
    resolved_at: float | None


@dataclass(frozen=True, slots=True)
class InterviewRow:
    """A stored interview session."""

    id: int
    team_pk: int
    player_pk: int
    length: int
    categories: tuple[str, ...]
    start_level: str
    question_seconds: int
    started_at: float
    ended_at: float | None
    end_reason: str | None
    score: float | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question of an interview, its answer and its follow-up, as stored."""

    id: int
    interview_id: int
    position: int
    question_id: str
    category: str
    difficulty: str
    asked_at: float
    answer: str | None
    answered_at: float | None
    grade: float | None
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    follow_up_point: str | None
    follow_up_answer: str | None
    follow_up_answered_at: float | None
    follow_up_credit: float | None
    final_grade: float | None
    judge_note: str | None = None


Outcome = Literal["upheld", "rejected", "resolved"]
CardReplay = Callable[[str | None, int, int, float], tuple[str, int, float]]
"""(card JSON before or None for a new card, card id, rating, reviewed at) -> (card JSON
after, state, due)."""


@dataclass(frozen=True, slots=True)
class SettledReport:
    """A report with its player, its round and the answer it is about (if any)."""

    id: int
    kind: str
    team_pk: int
    platform: str
    team_id: str
    player_pk: int
    user_id: str
    player_name: str
    round_id: int
    question_id: str
    note: str
    answer: str | None
    created_at: float
    status: str
    outcome: str | None
    resolution_note: str
    round_kind: str
    mode: str
    difficulty: str
    channel_id: str
    opened_at: float
    closes_at: float
    answer_id: int | None
    grade: float | None
    points: int | None
    answered_at: float | None
    grade_before: float | None
    points_before: int | None


@dataclass(frozen=True, slots=True)
class GradeCorrection:
    """An upheld dispute's new grade, and every row it changes."""

    answer_id: int
    team_pk: int
    channel_id: str
    player_pk: int
    periods: tuple[str, ...]
    answered_at: float
    grade_before: float
    grade_after: float
    points_before: int
    points_after: int
    correct_before: bool
    correct_after: bool
    rating: int
    replay: CardReplay


@dataclass(frozen=True, slots=True)
class SeasonRow:
    """A season of one team: its board's period key, and when it ran."""

    period: str
    name: str | None
    started_at: float
    ended_at: float | None


@dataclass(frozen=True, slots=True)
class AnswerFact:
    """One answer, reduced to what the statistics read."""

    question_id: str
    mode: str
    choice: int | None
    grade: float
    correct: bool
    player_pk: int


@dataclass(frozen=True, slots=True)
class MemberCategory:
    """One member's answers in one category."""

    player_pk: int
    display_name: str
    category: str
    answers: int
    correct: int


@dataclass(frozen=True, slots=True)
class RewardRow:
    """A role and when it is earned: ``champions`` of a season, or ``points`` ≥ threshold."""

    role_id: str
    kind: str
    threshold: int | None
