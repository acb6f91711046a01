"""Platform-neutral phrases the console, Discord and Slack renderers share.

Only words live here: no markup (each platform bolds and escapes its own way) and no quiz rule
(the engine decides verdicts, points and due dates; this module only names them).
"""

from __future__ import annotations

from bot.engine.model import (
    Feedback,
    InterviewPrompt,
    InterviewSummary,
    QuestionCard,
    Reveal,
    Scorecard,
    ScorecardItem,
)

__all__ = [
    "CLOSED_NOT_SHOWN",
    "INTERVIEW_PRIVATE",
    "NO_ANSWERS_YET",
    "NO_INTERVIEWS",
    "PERIOD_TITLE",
    "VERDICT",
    "answered_title",
    "card_kind",
    "days",
    "duration",
    "filed_thanks",
    "follow_up_result",
    "interview_budget",
    "interview_change",
    "interview_heading",
    "interview_status",
    "interview_summary",
    "interview_thresholds",
    "interview_time",
    "interview_verdict",
    "item_heading",
    "more_tied",
    "percent",
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


# -- mock interviews --------------------------------------------------------------------------

INTERVIEW_PRIVATE = "Only you see this interview; no feedback until the scorecard."
NO_INTERVIEWS = "No interviews yet. Start one with /interview."


def percent(share: float) -> str:
    """A share 0..1 as a whole percentage: ``82 %``."""
    return f"{share:.0%}".replace("%", " %")


def interview_heading(prompt: InterviewPrompt) -> str:
    """``Interview #4 · question 2 of 8 · Python · medium`` (with ``, follow-up``)."""
    which = f"question {prompt.position} of {prompt.length}"
    if prompt.follow_up:
        which += ", follow-up"
    return (
        f"Interview #{prompt.interview_id} · {which} · {prompt.category_title} · "
        f"{prompt.difficulty}"
    )


def interview_budget(prompt: InterviewPrompt) -> str:
    """The visible time budget: ``⏱ 3 min for this question`` (its follow-up included)."""
    what = "this question and its follow-up" if prompt.follow_up else "this question"
    return f"⏱ {duration(prompt.budget_s)} for {what}; running over is recorded, not refused."


def interview_verdict(card: Scorecard) -> str:
    """``Verdict: ready (82 %)``, or why there is none."""
    if card.score is None or card.verdict is None:
        return "Verdict: none, no question was answered."
    return f"Verdict: {card.verdict} ({percent(card.score)})"


def interview_thresholds(card: Scorecard) -> str:
    """How the verdict is decided, stated with the scorecard."""
    return (
        f"ready ≥ {percent(card.ready_at)}, almost ≥ {percent(card.almost_at)}, else not yet "
        "(the average grade of the answered questions)"
    )


def interview_change(card: Scorecard) -> str:
    """The change since the player's previous interview."""
    if card.change is None or card.previous_score is None or card.score is None:
        return "Change since your previous interview: none yet (this is the first scored one)."
    points = round(card.change * 100)
    return (
        f"Change since your previous interview: {points:+d} points "
        f"({percent(card.previous_score)} → {percent(card.score)})"
    )


def interview_status(card: Scorecard) -> str:
    """``finished, 5 of 5 questions answered`` (stopped, expired)."""
    return f"{card.status}, {len(card.items)} of {plural(card.length, 'question')} answered"


def interview_time(card: Scorecard) -> str:
    """Time used against the budget, and how many answers came late."""
    late = sum(1 for item in card.items if item.over_s > 0)
    budget = card.budget_s * len(card.items)
    text = f"Time used: {duration(round(card.time_used_s))} of {duration(budget)}"
    return text + (f" ({late} over the budget)" if late else " (all within the budget)")


def item_heading(item: ScorecardItem) -> str:
    """``2. Python · medium · 85 % · 2 min 10s`` (and how far over the budget)."""
    over = f", {duration(round(item.over_s))} over" if item.over_s > 0 else ""
    return (
        f"{item.position}. {item.category_title} · {item.difficulty} · {percent(item.grade)} · "
        f"{duration(round(item.time_s))}{over}"
    )


def follow_up_result(item: ScorecardItem) -> str:
    """What the follow-up earned back."""
    if item.follow_up_answer is None:
        return "not answered"
    if item.follow_up_credit > 0:
        return f"earned back {percent(item.follow_up_credit)}"
    return "earned nothing back"


def interview_summary(row: InterviewSummary) -> str:
    """One history line without its date: ``#4 · stopped · 3 of 8 answered · 64 % almost``."""
    score = f" · {percent(row.score)} {row.verdict}" if row.score is not None else ""
    return f"#{row.interview_id} · {row.status} · {row.answered} of {row.length} answered{score}"
