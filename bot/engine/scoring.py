"""Points: base points by difficulty × grade × speed factor.

- base: easy 100, medium 200, hard 300;
- grade: 1 for a correct choice, 0 for a wrong one; 0..1 partial credit for free text;
- speed: 1.0 when answered at once, falling linearly to 0.5 at the time limit.

A wrong answer (grade 0) scores 0. Points are rounded to the nearest integer.

Daily question streak bonus: a daily answer earns +10 % per day of the player's running streak
in that channel (the days already answered correctly in a row), capped at +50 %.

Review rounds (``/review``) are practice: a flat :data:`REVIEW_POINTS` × grade, no difficulty,
speed or streak. :func:`answer_points` applies the rule of each kind of round.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "BASE_POINTS",
    "CORRECT_THRESHOLD",
    "REVIEW_POINTS",
    "STREAK_BONUS_CAP",
    "STREAK_BONUS_PER_DAY",
    "answer_points",
    "points_for",
    "regraded_points",
    "review_points",
    "speed_factor",
    "streak_multiplier",
    "verdict_for",
    "with_streak_bonus",
]

BASE_POINTS = {"easy": 100, "medium": 200, "hard": 300}
CORRECT_THRESHOLD = 0.75
"""A free-text grade at or above this counts as correct; above 0 and below it, as partial."""


def speed_factor(elapsed_s: float, time_limit_s: float) -> float:
    """1.0 at once, 0.5 at (or after) the time limit, linear in between."""
    if time_limit_s <= 0:
        return 1.0
    share = min(max(elapsed_s, 0.0) / time_limit_s, 1.0)
    return 1.0 - 0.5 * share


def points_for(difficulty: str, grade: float, elapsed_s: float, time_limit_s: float) -> int:
    """Points earned for an answer of ``grade`` given ``elapsed_s`` after the round opened."""
    if grade <= 0:
        return 0
    return round(BASE_POINTS[difficulty] * grade * speed_factor(elapsed_s, time_limit_s))


def verdict_for(grade: float) -> Literal["correct", "partial", "wrong"]:
    """How a grade is described to the player."""
    if grade >= CORRECT_THRESHOLD:
        return "correct"
    return "partial" if grade > 0 else "wrong"


STREAK_BONUS_PER_DAY = 0.10
STREAK_BONUS_CAP = 0.50


def streak_multiplier(streak_days: int) -> float:
    """1 + 10 % per streak day, at most 1.5."""
    return 1.0 + min(max(streak_days, 0) * STREAK_BONUS_PER_DAY, STREAK_BONUS_CAP)


def with_streak_bonus(points: int, streak_days: int) -> int:
    """Points of a daily answer with the streak bonus (0 stays 0)."""
    return round(points * streak_multiplier(streak_days))


REVIEW_POINTS = 20
"""Points for a review answer: ``REVIEW_POINTS × grade`` (no difficulty or speed factor)."""


def review_points(grade: float) -> int:
    """Points for a review answer of ``grade``."""
    return round(REVIEW_POINTS * max(grade, 0.0))


def answer_points(
    *,
    kind: str,
    difficulty: str,
    grade: float,
    elapsed_s: float,
    time_limit_s: float,
    streak_days: int = 0,
) -> int:
    """Points of an answer in a round of ``kind`` (quiz, daily with its streak, or review)."""
    if kind == "review":
        return review_points(grade)
    points = points_for(difficulty, grade, elapsed_s, time_limit_s)
    return with_streak_bonus(points, streak_days) if kind == "daily" else points


def regraded_points(
    *,
    kind: str,
    difficulty: str,
    grade: float,
    elapsed_s: float,
    time_limit_s: float,
    grade_before: float,
    points_before: int,
) -> int:
    """Points of an answer whose grade an admin corrected to ``grade``: the rule of its kind of
    round at the time it was given, with the streak bonus a daily answer earned then (read back
    from its points; none is known for a daily answer that scored 0)."""
    streak = 0
    if kind == "daily" and points_before > 0:
        plain = points_for(difficulty, grade_before, elapsed_s, time_limit_s)
        if plain > 0:
            streak = round((points_before / plain - 1) / STREAK_BONUS_PER_DAY)
    return answer_points(
        kind=kind,
        difficulty=difficulty,
        grade=grade,
        elapsed_s=elapsed_s,
        time_limit_s=time_limit_s,
        streak_days=streak,
    )
