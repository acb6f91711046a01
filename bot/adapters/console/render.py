"""Rendering the engine's views as plain terminal text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.code_block import output_line
from bot.adapters.progress import progress_bar
from bot.adapters.wording import (
    JUDGE_NOTE,
    NO_INTERVIEWS,
    NO_OPEN_REPORTS,
    NO_PROGRESS,
    NOTE_FROM_ADMIN,
    QUESTION_STATS_NOTE,
    VERDICT,
    answered_title,
    board_title,
    card_kind,
    category_result,
    champions_line,
    coverage,
    days,
    digest_categories,
    digest_missed,
    digest_streaks,
    digest_title,
    digest_top,
    duration,
    follow_up_result,
    grade_reasons,
    interview_budget,
    interview_change,
    interview_heading,
    interview_status,
    interview_summary,
    interview_thresholds,
    interview_time,
    interview_verdict,
    item_heading,
    key_point_lines,
    key_points_summary,
    more_tied,
    percent,
    plural,
    progress_summary,
    question_figures,
    question_flags,
    report_heading,
    reports_more,
    reviews_due,
    season_ended,
    settled_for_admin,
    settlement_title,
    settlement_told,
)
from bot.engine.model import (
    CHOICE_LETTERS,
    Feedback,
    InterviewHistory,
    InterviewPrompt,
    Leaderboard,
    LeaderboardRow,
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
from bot.engine.reviews import Rated, ReportFiled
from bot.safe_text import one_line, visible

__all__ = [
    "also_open",
    "render_card",
    "render_digest",
    "render_feedback",
    "render_interview_history",
    "render_interview_prompt",
    "render_leaderboard",
    "render_progress",
    "render_question_stats",
    "render_rated",
    "render_report",
    "render_reports",
    "render_reveal",
    "render_scorecard",
    "render_season_ended",
    "render_settled",
    "render_stats",
    "render_told",
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
    if card.code is not None:
        lines.append(_indented(card.code))
    lines += [
        f"  {letter}) {_choice(card, text)}"
        for letter, text in zip(CHOICE_LETTERS, card.choices, strict=False)
    ]
    reply = "A, B, C or D" if card.choices else "/answer <your own words>"
    if card.kind == "review":
        later = "<A-D>" if card.choices else "<text>"
        lines.append(
            f"Answer on the next line with {reply}, or later: /answer round:{card.round_id} {later}"
        )
    elif card.code is not None and not card.choices:
        lines.append(r"Type exactly what it prints: /answer <output> (\n between lines)")
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


def _indented(code: str) -> str:
    """Code or program output, each line indented by four spaces (control characters shown)."""
    return "\n".join(f"    {line}" for line in visible(code).strip("\n").splitlines())


def _choice(card: QuestionCard, text: str) -> str:
    return output_line(text) if card.code is not None else text


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
    points = key_point_lines(feedback, visible)
    if points:
        lines.append(key_points_summary(feedback))
        lines += [f"  {line}" for line in points]
    lines += [f"{heading}: {visible(text)}" for heading, text in grade_reasons(feedback)]
    if feedback.judge_note:
        lines.append(f"{JUDGE_NOTE}: {visible(feedback.judge_note)}")
    if feedback.output is not None:
        lines += ["Output:", _indented(feedback.output)]
    else:
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
    if reveal.code is not None and reveal.output is not None:
        letter = f" {reveal.correct_letter})" if reveal.correct_letter else ""
        lines += [_indented(reveal.code), f"Correct answer:{letter} it prints"]
        lines.append(_indented(reveal.output))
        lines += [
            f"  {t.letter}) {t.count} {'✓' if t.correct else ' '} {output_line(t.text)}"
            for t in reveal.tallies
        ]
    elif reveal.correct_letter:
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
    title = board_title(board, visible)
    lines = [f"Leaderboard — {title}{scope} ({plural(board.total_players, 'player')})"]
    champions = champions_line(board, _name)
    if champions:
        lines.append(champions)
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
        f"{stats.accuracy:.0%} correct",
        f"  {coverage(stats)}",
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


def _line(text: str | None, width: int = 200) -> str:
    return one_line(text, width)


def _name(text: str) -> str:
    return one_line(text, 64)


def render_reports(items: tuple[ReportItem, ...], limit: int) -> str:
    """The open reports an admin settles, oldest first (at most ``limit``)."""
    if not items:
        return NO_OPEN_REPORTS
    lines: list[str] = []
    for item in items[:limit]:
        lines.append(f"{report_heading(item)} · by {_name(item.player_name)}")
        lines.append(f"  Q: {_line(item.prompt)}")
        if item.answer is not None:
            lines.append(f"  Answer: {_line(item.answer)}")
        if item.reason:
            lines.append(f"  Reason: {_line(item.reason)}")
    more = reports_more(min(limit, len(items)), len(items))
    return "\n".join([*lines, more] if more else lines)


def render_settled(settlement: Settlement) -> str:
    """The admin's confirmation of a settled report."""
    return settled_for_admin(settlement, _name(settlement.player_name))


def render_told(settlement: Settlement) -> str:
    """What the player is told, addressed to them (the console is everyone's terminal)."""
    lines = [
        f"[for {_name(settlement.player_name)}] {settlement_title(settlement)}",
        f"  {settlement_told(settlement)}",
    ]
    if settlement.note:
        lines.append(f"  {NOTE_FROM_ADMIN}: {_line(settlement.note, 1000)}")
    return "\n".join(lines)


def render_question_stats(found: tuple[QuestionStats, ...], limit: int) -> str:
    """How the team's questions fare, flagged ones first (at most ``limit``)."""
    if not found:
        return "No question has been asked in this team yet."
    lines: list[str] = []
    for stats in found[:limit]:
        lines += [f"{stats.question_id}: {question_flags(stats)}", f"  {question_figures(stats)}"]
    if len(found) > limit:
        lines.append(f"… and {plural(len(found) - limit, 'more question')}.")
    return "\n".join([*lines, QUESTION_STATS_NOTE])


def render_progress(progress: TeamProgress) -> str:
    """Each member's accuracy by category and coverage of the bank."""
    if not progress.members:
        return NO_PROGRESS
    lines: list[str] = []
    for member in progress.members:
        lines.append(f"{_name(member.display_name)}: {progress_summary(member, progress)}")
        lines += [
            f"  {visible(c.title)} {progress_bar(c.accuracy)} {category_result(c)}"
            for c in member.categories
        ]
    return "\n".join(lines)


def render_season_ended(ended: SeasonEnded) -> str:
    """The season was ended and archived."""
    return season_ended(ended, _name, "/leaderboard")


def render_digest(digest: WeeklyDigest) -> str:
    """Last week in the team: top five, most-missed question, accuracy by category, streaks."""
    lines = [digest_title(digest), digest_top(digest, _name), digest_missed(digest)]
    if digest.most_missed_prompt is not None:
        lines += [
            f"  {visible(digest.most_missed_prompt)}",
            f"  {visible(digest.most_missed_explanation or '')}",
        ]
    lines += [digest_categories(digest, visible), digest_streaks(digest, _name)]
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
    if item.judge_note:
        lines.append(f"   {JUDGE_NOTE}: {visible(item.judge_note)}")
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
