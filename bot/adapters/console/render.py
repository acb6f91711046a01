"""Rendering the engine's views as plain terminal text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.progress import progress_bar
from bot.adapters.wording import (
    NO_INTERVIEWS,
    PERIOD_TITLE,
    VERDICT,
    answered_title,
    card_kind,
    days,
    duration,
    follow_up_result,
    interview_budget,
    interview_change,
    interview_heading,
    interview_status,
    interview_summary,
    interview_thresholds,
    interview_time,
    interview_verdict,
    item_heading,
    more_tied,
    percent,
    plural,
    reviews_due,
)
from bot.engine.model import (
    CHOICE_LETTERS,
    Feedback,
    InterviewHistory,
    InterviewPrompt,
    Leaderboard,
    LeaderboardRow,
    QuestionCard,
    Reveal,
    Scorecard,
    ScorecardItem,
    Stats,
)
from bot.engine.reviews import Rated, ReportFiled
from bot.safe_text import visible

__all__ = [
    "also_open",
    "render_card",
    "render_feedback",
    "render_interview_history",
    "render_interview_prompt",
    "render_leaderboard",
    "render_rated",
    "render_report",
    "render_reveal",
    "render_scorecard",
    "render_stats",
]


def render_card(card: QuestionCard, channel_name: str) -> str:
    """The question as posted in the channel."""
    kind = card_kind(card)
    where = f"[#{visible(channel_name)}]"
    if card.kind == "review":
        kind, where = "Review", "(only you see this)"
    lines = [
        f"{where} {kind} #{card.round_id} · {card.category_title} · "
        f"{card.difficulty} · {_limit(card)}",
        card.prompt,
    ]
    lines += [
        f"  {letter}) {text}" for letter, text in zip(CHOICE_LETTERS, card.choices, strict=False)
    ]
    reply = "A, B, C or D" if card.choices else "/answer <your own words>"
    if card.kind == "review":
        later = "<A-D>" if card.choices else "<text>"
        lines.append(
            f"Answer on the next line with {reply}, or later: /answer round:{card.round_id} {later}"
        )
    else:
        lines.append(f"Answer with {reply}.")
    if card.kind == "daily":
        lines.append(f"{card.answer_count} answered so far.")
    return "\n".join(lines)


def also_open(card: QuestionCard) -> str:
    """The note under a new question about another one still open in the channel."""
    reply = "<A-D>" if card.choices else "<text>"
    return (
        f"{card_kind(card)} #{card.round_id} is still open here: "
        f"/answer round:{card.round_id} {reply}"
    )


def _limit(card: QuestionCard) -> str:
    if card.kind != "daily":
        return duration(card.time_limit_s)
    return f"closes {datetime.fromtimestamp(card.closes_at, UTC):%Y-%m-%d %H:%M} UTC"


def _daily_lines(reveal: Reveal) -> list[str]:
    """Today's top streaks and the weekly top 5 under a daily reveal."""
    lines = []
    if reveal.top_streaks:
        streaks = ", ".join(
            f"{visible(name, keep_newlines=False)} {days}" for name, days in reveal.top_streaks
        )
        lines.append(f"Top streaks (days): {streaks}")
    if reveal.weekly_top:
        lines.append("This week's top 5:")
        lines += [_row(row) for row in reveal.weekly_top]
    return lines


def render_feedback(feedback: Feedback) -> str:
    """Private feedback to the player who answered."""
    lines = [
        f"(only you see this) {answered_title(feedback)}: {VERDICT[feedback.verdict]} "
        f"Grade {feedback.grade:.0%}, +{feedback.points} points.",
        f"Your answer: {visible(feedback.your_answer)}",
    ]
    lines += [f"  ✅ {label}" for label in feedback.covered]
    lines += [f"  ❌ {label}" for label in feedback.missed]
    if feedback.misconception:
        lines.append(f"Correction: {feedback.misconception}")
    lines.append(f"Reference answer: {feedback.reference_answer}")
    lines.append(f"Why: {feedback.explanation.strip()}")
    if feedback.kind == "review" and feedback.rating:
        lines.append(
            f"Scheduled as {feedback.rating.capitalize()}. "
            "How well did you know it? /rate again|hard|good|easy"
        )
    lines.append("Grade wrong? /dispute <why> · Problem? /report typo|wrong|unclear [note]")
    if feedback.reviews_due:
        lines.append(reviews_due(feedback.reviews_due, "/review"))
    return "\n".join(lines)


def render_rated(rated: Rated) -> str:
    """The self-assessment was applied."""
    return (
        f"Rated {rated.rating.capitalize()}: next review in {days(rated.interval_days)} "
        "(points keep the automatic grade)."
    )


def render_report(filed: ReportFiled) -> str:
    """A dispute or report was stored."""
    what = "Dispute" if filed.kind == "dispute" else f"Report ({filed.kind})"
    return f"{what} #{filed.report_id} on {filed.question_id} sent to the question authors. Thanks!"


def render_reveal(reveal: Reveal) -> str:
    """The reveal everyone sees when a round closes."""
    lines = [f"Round #{reveal.round_id} closed. {reveal.prompt}"]
    if reveal.correct_letter:
        lines.append(f"Correct answer: {reveal.correct_letter}) {reveal.correct_text}")
        lines += [
            f"  {t.letter}) {t.count} {'✓' if t.correct else ' '} {t.text}" for t in reveal.tallies
        ]
    else:
        lines.append(f"Reference answer: {reveal.correct_text}")
    lines.append(f"Why: {reveal.explanation.strip()}")
    if reveal.correct_players:
        names = ", ".join(visible(n, keep_newlines=False) for n in reveal.correct_players)
        lines.append(f"Right ({len(reveal.correct_players)}/{reveal.answer_count}): {names}")
        lines.append(f"First correct: {visible(reveal.first_correct or '', keep_newlines=False)}")
    else:
        lines.append(f"Nobody got it right ({reveal.answer_count} answered).")
    if reveal.kind == "daily":
        lines += _daily_lines(reveal)
    return "\n".join(lines)


def _row(row: LeaderboardRow) -> str:
    name = visible(row.display_name, keep_newlines=False)
    return f"{row.rank:>3}. {name} — {row.points} pts ({row.correct}/{row.answers} correct)"


def render_leaderboard(board: Leaderboard, channel_name: str | None) -> str:
    """The top ten and the caller's own rank."""
    scope = f" in #{visible(channel_name)}" if channel_name else ""
    title = PERIOD_TITLE[board.period]
    lines = [f"Leaderboard — {title}{scope} ({plural(board.total_players, 'player')})"]
    if not board.rows:
        lines.append("No answers yet. Start a round with /quiz.")
    lines += [_row(row) for row in board.rows]
    if board.more_tied:
        lines.append(f"     {more_tied(board.rows[-1].points)}")
    if board.caller is not None:
        if all(row.user_id != board.caller.user_id for row in board.rows):
            lines.append("  …")
            lines.append(_row(board.caller))
        lines.append(f"Your rank: {board.caller.rank} of {board.total_players}")
    return "\n".join(lines)


def render_stats(stats: Stats) -> str:
    """A player's points, answers and accuracy by category."""
    name = visible(stats.display_name, keep_newlines=False)
    rank = f", rank {stats.rank}" if stats.rank else ""
    lines = [
        f"Stats for {name}: {stats.points} points{rank}, {plural(stats.answers, 'answer')}, "
        f"{stats.accuracy:.0%} correct"
    ]
    for category in stats.categories:
        lines.append(
            f"  {progress_bar(category.accuracy)} {category.title}: "
            f"{category.correct}/{category.answers} ({category.accuracy:.0%})"
        )
    if stats.best_streak:
        lines.append(f"  Daily streak: {stats.current_streak} (best {stats.best_streak})")
    if not stats.answers:
        lines.append("  No answers yet.")
    if stats.weakest_category:
        lines.append(f"  Weakest: {stats.weakest_category}")
    lines.append(f"  Reviews due: {stats.due_today} today, {stats.due_week} in the next 7 days")
    return "\n".join(lines)


# -- mock interviews --------------------------------------------------------------------------


def render_interview_prompt(prompt: InterviewPrompt) -> str:
    """The interviewer's question or follow-up, privately."""
    lines = []
    if prompt.resumed:
        lines.append(f"Resuming interview #{prompt.interview_id} where you left it.")
    due = datetime.fromtimestamp(prompt.due_at, UTC)
    lines += [
        f"(only you see this) {interview_heading(prompt)}",
        f"{interview_budget(prompt)} (budget ends {due:%H:%M:%S} UTC)",
        prompt.text,
        "Answer on the next line (a ``` block, or lines ending with \\, for several lines); "
        "/interview stop ends the interview.",
    ]
    return "\n".join(lines)


def render_scorecard(card: Scorecard) -> str:
    """The end of an interview: verdict, results by category, every question, next steps."""
    lines = [
        f"(only you see this) Interview #{card.interview_id} scorecard — {interview_status(card)}",
        f"{interview_verdict(card)} — {interview_thresholds(card)}",
        interview_change(card),
        interview_time(card),
    ]
    if card.categories:
        lines.append("By category:")
        lines += [
            f"  {progress_bar(c.score)} {c.title}: {plural(c.questions, 'question')}, "
            f"{percent(c.score)}"
            for c in card.categories
        ]
    for item in card.items:
        lines += _scorecard_item(item)
    if card.topics:
        lines.append("Study next:")
        lines += [
            f"  • {topic.point} ({topic.category_title}): /review category:{topic.category}"
            for topic in card.topics
        ]
    lines.append(f"Practice points on the leaderboard: +{card.points} (as for reviews).")
    return "\n".join(lines)


def _scorecard_item(item: ScorecardItem) -> list[str]:
    lines = [
        item_heading(item),
        f"   Q: {item.prompt}",
        f"   Your answer: {visible(item.answer)}",
    ]
    if item.follow_up is not None:
        lines.append(f"   {item.follow_up}")
        if item.follow_up_answer is not None:
            lines.append(f"   Your follow-up answer: {visible(item.follow_up_answer)}")
        lines.append(f"   Follow-up: {follow_up_result(item)}")
    lines += [f"   ✅ {label}" for label in item.covered]
    lines += [f"   ❌ {label}" for label in item.missed]
    lines.append(f"   Reference answer: {item.reference_answer}")
    return lines


def render_interview_history(history: InterviewHistory) -> str:
    """The player's latest interviews with their scores."""
    if not history.rows:
        return NO_INTERVIEWS
    lines = ["Your interviews (newest first):"]
    lines += [
        f"  {datetime.fromtimestamp(row.started_at, UTC):%Y-%m-%d %H:%M} UTC · "
        f"{interview_summary(row)}"
        for row in history.rows
    ]
    return "\n".join(lines)
