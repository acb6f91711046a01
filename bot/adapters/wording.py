"""Platform-neutral phrases the console, Discord and Slack renderers share.

Only words live here: no markup (each platform bolds and escapes its own way) and no quiz rule
(the engine decides verdicts, points and due dates; this module only names them).
"""

from __future__ import annotations

from bot.engine.model import QuestionCard, Reveal, Stats

__all__ = [
    "CLOSED_NOT_SHOWN",
    "NO_ANSWERS_YET",
    "PERIOD_TITLE",
    "VERDICT",
    "card_kind",
    "coverage",
    "days",
    "filed_thanks",
    "open_answer_label",
    "rated_hint",
    "streak_and_reviews",
]

VERDICT = {"correct": "✅ Correct!", "partial": "🟡 Partly right.", "wrong": "❌ Not quite."}
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
NO_ANSWERS_YET = "No answers yet. Start a round with `/quiz`."
CLOSED_NOT_SHOWN = (
    "Round #{round_id} is closed, but its reveal could not be shown here; "
    "the answers and scores are saved."
)


def card_kind(view: QuestionCard | Reveal) -> str:
    """ "Daily question" or "Question", the word a question card's title starts with."""
    return "Daily question" if view.kind == "daily" else "Question"


def days(interval_days: float) -> str:
    """A review interval in whole days: ``1 day``, ``3 days`` (never negative)."""
    count = max(round(interval_days), 0)
    return f"{count} day{'s' * (count != 1)}"


def coverage(stats: Stats) -> str:
    """How much of the bank the player has answered: ``Seen 42 of 158 questions``."""
    return f"Seen {stats.seen} of {stats.bank_size} questions"


def open_answer_label(card: QuestionCard) -> str:
    """The button that opens the free-text form: type the output, or answer in one's words."""
    return "Answer in my own words" if card.code is None else "Type what it prints"


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
