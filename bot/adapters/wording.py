"""Platform-neutral phrases the console, Discord and Slack renderers share.

Only words live here: no markup (each platform bolds and escapes its own way) and no quiz rule
(the engine decides verdicts, points and due dates; this module only names them).
"""

from __future__ import annotations

from bot.engine.model import Feedback, QuestionCard, Reveal

__all__ = [
    "CLOSED_NOT_SHOWN",
    "NO_ANSWERS_YET",
    "PERIOD_TITLE",
    "VERDICT",
    "answered_title",
    "card_kind",
    "days",
    "duration",
    "filed_thanks",
    "more_tied",
    "plural",
    "rated_hint",
    "reviews_due",
    "streak_and_reviews",
]

VERDICT = {"correct": "✅ Correct!", "partial": "🟡 Partly right.", "wrong": "❌ Not quite."}
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
NO_ANSWERS_YET = "No answers yet. Start a round with `/quiz`."
CLOSED_NOT_SHOWN = (
    "Round #{round_id} is closed, but its reveal could not be shown here; "
    "the answers and scores are saved."
)


def card_kind(view: QuestionCard | Reveal | Feedback) -> str:
    """ "Daily question" or "Question", the word a question card's title starts with."""
    return "Daily question" if view.kind == "daily" else "Question"


def answered_title(feedback: Feedback) -> str:
    """Which question a feedback answers: ``Question #3``, ``Daily question #4``, ``Review #5``."""
    kind = "Review" if feedback.kind == "review" else card_kind(feedback)
    return f"{kind} #{feedback.round_id}"


def plural(count: int, noun: str) -> str:
    """A count with its noun: ``1 answer``, ``0 answers``, ``2 players`` (regular nouns)."""
    return f"{count} {noun}{'s' * (count != 1)}"


def days(interval_days: float) -> str:
    """A review interval in whole days: ``1 day``, ``3 days`` (never negative)."""
    return plural(max(round(interval_days), 0), "day")


def duration(seconds: int) -> str:
    """A time limit: seconds below two minutes (``60s``), else minutes (``15 min``)."""
    if seconds < 120:
        return f"{seconds}s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min" + (f" {rest}s" if rest else "")


def reviews_due(count: int, review_command: str) -> str:
    """The nudge under feedback when reviews are due (``review_command`` as the platform
    shows a command)."""
    return f"📚 You have {plural(count, 'review')} due: try {review_command}"


def more_tied(points: int) -> str:
    """The line under a leaderboard too long to list everyone tied with its last row."""
    return f"… and more players with {points} pts"


def rated_hint(rating: str) -> str:
    """The nudge under a review's feedback: which rating the automatic grade gave."""
    return f"Scheduled as {rating.capitalize()}: how well did you know it?"


def filed_thanks(kind: str, report_id: int) -> str:
    """The confirmation after a dispute or a question report was filed."""
    what = "dispute" if kind == "dispute" else f"report ({kind})"
    return f"Thanks! Your {what} #{report_id} went to the question authors."


def streak_and_reviews(
    current_streak: int, best_streak: int, due_today: int, due_week: int, weakest: str = ""
) -> str:
    """The stats footer: weakest topic (already escaped by the caller), streak, reviews due."""
    prefix = f"Weakest: {weakest} · " if weakest else ""
    return (
        f"{prefix}Streak {current_streak} (best {best_streak}) · "
        f"reviews due: {due_today} today, {due_week} in 7 days"
    )
