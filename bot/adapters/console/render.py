"""Rendering the engine's views as plain terminal text."""

from __future__ import annotations

from bot.engine.model import Feedback, Leaderboard, LeaderboardRow, QuestionCard, Reveal, Stats
from bot.safe_text import visible

__all__ = ["render_card", "render_feedback", "render_leaderboard", "render_reveal", "render_stats"]

_VERDICT = {"correct": "✅ Correct!", "partial": "🟡 Partly right.", "wrong": "❌ Not quite."}


def render_card(card: QuestionCard, channel_name: str) -> str:
    """The question as posted in the channel."""
    kind = "Daily question" if card.kind == "daily" else "Question"
    lines = [
        f"[#{visible(channel_name)}] {kind} #{card.round_id} · {card.category_title} · "
        f"{card.difficulty} · {card.time_limit_s}s",
        card.prompt,
    ]
    if card.choices:
        lines += [f"  {letter}) {text}" for letter, text in zip("ABCD", card.choices, strict=False)]
        lines.append("Answer with A, B, C or D.")
    else:
        lines.append("Answer in your own words: /answer <text>")
    return "\n".join(lines)


def render_feedback(feedback: Feedback) -> str:
    """Private feedback to the player who answered."""
    lines = [
        f"(only you see this) {_VERDICT[feedback.verdict]} "
        f"Grade {feedback.grade:.0%}, +{feedback.points} points.",
        f"Your answer: {visible(feedback.your_answer)}",
    ]
    lines += [f"  ✅ {label}" for label in feedback.covered]
    lines += [f"  ❌ {label}" for label in feedback.missed]
    if feedback.misconception:
        lines.append(f"Correction: {feedback.misconception}")
    lines.append(f"Reference answer: {feedback.reference_answer}")
    lines.append(f"Why: {feedback.explanation.strip()}")
    return "\n".join(lines)


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
    return "\n".join(lines)


def _row(row: LeaderboardRow) -> str:
    name = visible(row.display_name, keep_newlines=False)
    return f"{row.rank:>3}. {name} — {row.points} pts ({row.correct}/{row.answers} correct)"


def render_leaderboard(board: Leaderboard, channel_name: str | None) -> str:
    """The top ten and the caller's own rank."""
    scope = f" in #{visible(channel_name)}" if channel_name else ""
    title = {"week": "this week", "month": "this month", "all": "all time"}[board.period]
    lines = [f"Leaderboard — {title}{scope} ({board.total_players} players)"]
    if not board.rows:
        lines.append("No answers yet. Start a round with /quiz.")
    lines += [_row(row) for row in board.rows]
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
        f"Stats for {name}: {stats.points} points{rank}, {stats.answers} answers, "
        f"{stats.accuracy:.0%} correct"
    ]
    for category in stats.categories:
        lines.append(
            f"  {category.title}: {category.correct}/{category.answers} ({category.accuracy:.0%})"
        )
    if not stats.answers:
        lines.append("  No answers yet.")
    return "\n".join(lines)
