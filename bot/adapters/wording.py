"""Platform-neutral phrases the console, Discord and Slack renderers share.

Only words live here: no markup (each platform bolds and escapes its own way) and no quiz rule
(the engine decides verdicts, points and due dates; this module only names them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.engine.analytics import FLAGS, MIN_ANSWERS
from bot.engine.model import (
    CHOICE_LETTERS,
    CategoryStats,
    Feedback,
    InterviewPrompt,
    InterviewSummary,
    Leaderboard,
    MemberProgress,
    QuestionCard,
    QuestionStats,
    ReportItem,
    Reveal,
    Scorecard,
    ScorecardItem,
    SeasonEnded,
    Settlement,
    Stats,
    TeamProgress,
    WeeklyDigest,
)

__all__ = [
    "CLOSED_NOT_SHOWN",
    "CORRECTION",
    "INTERVIEW_PRIVATE",
    "JUDGE_NOTE",
    "NOTE_FROM_ADMIN",
    "NO_ANSWERS_YET",
    "NO_INTERVIEWS",
    "NO_OPEN_REPORTS",
    "NO_PROGRESS",
    "PERIOD_TITLE",
    "QUESTION_STATS_NOTE",
    "VERDICT",
    "WHY_GRADE",
    "WHY_WRONG",
    "answered_title",
    "board_title",
    "card_kind",
    "category_result",
    "champions_line",
    "coverage",
    "days",
    "digest_categories",
    "digest_missed",
    "digest_streaks",
    "digest_title",
    "digest_top",
    "duration",
    "filed_thanks",
    "follow_up_result",
    "grade_reasons",
    "interview_budget",
    "interview_change",
    "interview_heading",
    "interview_status",
    "interview_summary",
    "interview_thresholds",
    "interview_time",
    "interview_verdict",
    "item_heading",
    "key_point_lines",
    "key_points_summary",
    "more_tied",
    "open_answer_label",
    "percent",
    "plural",
    "progress_summary",
    "question_figures",
    "question_flags",
    "rated_hint",
    "report_heading",
    "report_title",
    "reports_more",
    "reviews_due",
    "season_ended",
    "settled_for_admin",
    "settlement_title",
    "settlement_told",
    "streak_and_reviews",
]

VERDICT = {"correct": "✅ Correct!", "partial": "🟡 Partly right.", "wrong": "❌ Not quite."}
PERIOD_TITLE = {
    "week": "this week",
    "month": "this month",
    "all": "all time",
    "season": "this season",
}
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


# -- disputes and reports settled by an admin ---------------------------------------------------

NO_OPEN_REPORTS = "No open grade disputes or question reports."
NOTE_FROM_ADMIN = "Note from the admin"


def report_title(kind: str, report_id: int) -> str:
    """``Grade dispute #3`` or ``Report #4 (typo)``."""
    return f"Grade dispute #{report_id}" if kind == "dispute" else f"Report #{report_id} ({kind})"


def report_heading(item: ReportItem) -> str:
    """An open report's first line for admins: what, on which round, the grade (no user text)."""
    grade = "" if item.grade is None else f" · grade {item.grade:.0%}"
    return f"{report_title(item.kind, item.report_id)} · question #{item.round_id}{grade}"


def reports_more(shown: int, total: int) -> str:
    """The line under a listing cut short (empty when every report is shown)."""
    return f"… and {total - shown} more: settle these first." if total > shown else ""


def settlement_title(settlement: Settlement) -> str:
    """The heading of what the player is told."""
    what = report_title(settlement.kind, settlement.report_id)
    return f"{what} on question #{settlement.round_id}: {settlement.outcome}"


def settlement_told(settlement: Settlement) -> str:
    """What the player is told (the admin's note goes under it, escaped by the platform)."""
    before = settlement.grade_before
    if settlement.outcome == "upheld" and settlement.grade_after is not None:
        return (
            f"Your grade was corrected from {before or 0:.0%} to {settlement.grade_after:.0%} "
            f"({settlement.points_before or 0} → {settlement.points_after or 0} pts); "
            "leaderboards and your review schedule follow."
        )
    if settlement.outcome == "rejected":
        return f"An admin looked again; your grade of {before or 0:.0%} stands."
    return "An admin looked into it and settled it. Thank you for reporting!"


def settled_for_admin(settlement: Settlement, name: str) -> str:
    """The admin's confirmation (``name`` is the player's, already escaped by the caller)."""
    title = report_title(settlement.kind, settlement.report_id)
    result = f"{title} {settlement.outcome}"
    if settlement.outcome == "upheld" and settlement.grade_after is not None:
        result += (
            f": {name}'s grade is now {settlement.grade_after:.0%} "
            f"({settlement.points_before or 0} → {settlement.points_after or 0} pts)"
        )
    told = f"{name} was told privately." if settlement.told else f"{name} will be told privately."
    return f"{result}. {told}"


# -- question analytics -------------------------------------------------------------------------

QUESTION_STATS_NOTE = (
    f"Flags need {MIN_ANSWERS} answers or more. Picks are in the pack's choice order (A is the "
    "pack's first); discrimination runs from -1 to 1, higher when stronger players get it right."
)


def question_flags(stats: QuestionStats) -> str:
    """What is wrong with a question, in words (``no flags`` when nothing is)."""
    return "; ".join(FLAGS[flag] for flag in stats.flags) or "no flags"


def question_figures(stats: QuestionStats) -> str:
    """A question's figures on one line."""
    parts = [f"asked {stats.asked}", plural(stats.answers, "answer")]
    if stats.correct_rate is not None:
        parts.append(f"{stats.correct_rate:.0%} correct")
    if stats.mean_grade is not None:
        parts.append(f"mean grade {stats.mean_grade:.0%}")
    if stats.pick_rates:
        picks = " ".join(f"{CHOICE_LETTERS[i]} {r:.0%}" for i, r in enumerate(stats.pick_rates))
        parts.append(f"picks {picks}")
    if stats.discrimination is not None:
        parts.append(f"discrimination {stats.discrimination:+.2f}")
    if stats.open_disputes or stats.open_reports:
        disputes = plural(stats.open_disputes, "dispute")
        parts.append(f"open: {disputes}, {plural(stats.open_reports, 'report')}")
    return " · ".join(parts)


# -- team progress ------------------------------------------------------------------------------

NO_PROGRESS = "Nobody in this team has answered a question yet."


def progress_summary(member: MemberProgress, progress: TeamProgress) -> str:
    """A member's answers, accuracy and coverage of the bank."""
    return (
        f"{plural(member.answers, 'answer')} · {member.accuracy:.0%} correct · "
        f"{member.seen}/{progress.bank_size} questions seen ({progress.coverage(member):.0%})"
    )


def category_result(category: CategoryStats) -> str:
    """``3/4 (75%)``: correct of answered in a category."""
    return f"{category.correct}/{category.answers} ({category.accuracy:.0%})"


# -- seasons ------------------------------------------------------------------------------------


def board_title(board: Leaderboard, name: Callable[[str], str]) -> str:
    """What a leaderboard shows: ``this week`` …, or an ended season's final standings
    (``name`` escapes the season's name the platform's way)."""
    if board.season is not None:
        return f"season {name(board.season)}, final standings"
    return PERIOD_TITLE[board.period]


def champions_line(board: Leaderboard, name: Callable[[str], str]) -> str:
    """``🏆 Champions: …`` under an ended season's standings (empty otherwise)."""
    if board.season is None:
        return ""
    champions = [name(row.display_name) for row in board.rows if row.rank == 1 and row.points]
    return f"🏆 Champions: {', '.join(champions)}" if champions else ""


def season_ended(ended: SeasonEnded, name: Callable[[str], str], leaderboard: str) -> str:
    """The admin's confirmation (``leaderboard`` as the platform shows the command)."""
    season = name(ended.name)
    if ended.champions:
        winners = ", ".join(name(champion) for champion in ended.champions)
        result = f"champions {winners} with {ended.points} pts ({plural(ended.players, 'player')})"
    else:
        result = "nobody scored"
    return (
        f"Season {season} is over and archived: {result}. Fresh boards start now; "
        f"its final standings: {leaderboard} season:{season}"
    )


# -- the weekly digest --------------------------------------------------------------------------


def digest_title(digest: WeeklyDigest) -> str:
    """``📬 Weekly digest — week of 2025-11-17``."""
    return f"📬 Weekly digest — week of {datetime.fromtimestamp(digest.week_start, UTC):%Y-%m-%d}"


def digest_top(digest: WeeklyDigest, name: Callable[[str], str]) -> str:
    """Last week's top five on one line each (``name`` escapes a display name)."""
    rows = [f"{row.rank}. {name(row.display_name)} — {row.points} pts" for row in digest.top]
    return "\n".join(rows) or "Nobody answered last week."


def digest_missed(digest: WeeklyDigest) -> str:
    """The most-missed question's heading (its prompt and explanation go under it)."""
    if digest.most_missed_prompt is None:
        return "No question was missed last week."
    return (
        f"Most missed ({digest.most_missed_correct}/{digest.most_missed_answers} answers correct)"
    )


def digest_categories(digest: WeeklyDigest, title: Callable[[str], str]) -> str:
    """The team's accuracy by category last week, on one line."""
    parts = [
        f"{title(c.title)} {c.accuracy:.0%} ({c.correct}/{c.answers})" for c in digest.categories
    ]
    return " · ".join(parts) or "No answers last week."


def digest_streaks(digest: WeeklyDigest, name: Callable[[str], str]) -> str:
    """Who keeps a daily streak in the channel."""
    streaks = [f"{name(who)} {plural(length, 'day')}" for who, length in digest.streaks]
    return "🔥 Streaks: " + (", ".join(streaks) if streaks else "nobody yet")


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
