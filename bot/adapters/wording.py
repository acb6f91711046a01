"""Platform-neutral phrases the console, Discord and Slack renderers share.

Only words live here: no markup (each platform bolds and escapes its own way) and no quiz rule
(the engine decides verdicts, points and due dates; this module only names them).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.model import Feedback, QuestionCard, Reveal, Stats

__all__ = [
    "CLOSED_NOT_SHOWN",
    "CORRECTION",
    "JUDGE_NOTE",
    "NO_ANSWERS_YET",
    "PERIOD_TITLE",
    "VERDICT",
    "WHY_GRADE",
    "WHY_WRONG",
    "answered_title",
    "card_kind",
    "coverage",
    "days",
    "duration",
    "filed_thanks",
    "grade_reasons",
    "key_point_lines",
    "key_points_summary",
    "more_tied",
    "open_answer_label",
    "plural",
    "rated_hint",
    "reviews_due",
    "streak_and_reviews",
]

VERDICT = {"correct": "✅ Correct!", "partial": "🟡 Partly right.", "wrong": "❌ Not quite."}
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
NO_ANSWERS_YET = "No answers yet. Start a round with `/quiz`."
# Headings of the parts of a feedback that explain its grade.
CORRECTION = "Correction"
WHY_GRADE = "Why this grade"
WHY_WRONG = "Why your choice is wrong"
JUDGE_NOTE = "Grader's note"  # the LLM judge's one line (untrusted text)
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


def key_points_summary(feedback: Feedback) -> str:
    """How the answer fared on the question's key points: ``You covered 1 of 3 key points.``,
    plus how many it contradicted when it did."""
    total = len(feedback.covered) + len(feedback.missed) + len(feedback.contradicted)
    summary = f"You covered {len(feedback.covered)} of {plural(total, 'key point')}"
    if feedback.contradicted:
        summary += f" and contradicted {len(feedback.contradicted)}"
    return summary + "."


def key_point_lines(feedback: Feedback, label: Callable[[str], str]) -> list[str]:
    """One line per key point, covered ones first: ``✅ Covered: …``, ``❌ Missed: …``,
    ``⚠️ Contradicted: …``.

    ``label`` escapes a key point's label the platform's way.
    """
    marks = (
        ("✅ Covered", feedback.covered),
        ("❌ Missed", feedback.missed),
        ("⚠️ Contradicted", feedback.contradicted),
    )
    return [f"{mark}: {label(text)}" for mark, labels in marks for text in labels]


def grade_reasons(feedback: Feedback) -> list[tuple[str, str]]:
    """(heading, text) of each reason the feedback gives for its grade, in the order shown:
    the correction of a misconception, why a ceiling held the grade down, why the chosen
    option is wrong. The text is raw: escape it the platform's way."""
    reasons = (
        (CORRECTION, feedback.misconception),
        (WHY_GRADE, feedback.cap),
        (WHY_WRONG, feedback.why_wrong),
    )
    return [(heading, text) for heading, text in reasons if text]
