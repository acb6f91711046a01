"""Rendering the engine's views as Discord embeds and button rows, within Discord's limits.

User text (display names, free-text answers) is made visible, markdown-escaped and
mention-escaped; question text is authored markdown (code in backticks) and only has its
mentions escaped. Every string is cut to Discord's limits with :func:`bot.safe_text.shorten`.
"""

from __future__ import annotations

import discord

from bot.adapters.code_block import closed_fences, code_block, output_line, plain_fences
from bot.adapters.progress import progress_bar
from bot.adapters.wording import (
    JUDGE_NOTE,
    NO_ANSWERS_YET,
    VERDICT,
    board_title,
    card_kind,
    champions_line,
    coverage,
    duration,
    grade_reasons,
    key_point_lines,
    key_points_summary,
    more_tied,
    open_answer_label,
    plural,
    rated_hint,
    reviews_due,
    streak_and_reviews,
)
from bot.engine.model import (
    CHOICE_LETTERS,
    Feedback,
    Leaderboard,
    LeaderboardRow,
    QuestionCard,
    Reveal,
    Stats,
)
from bot.safe_text import shorten, visible

__all__ = [
    "MAX_CONTENT",
    "MAX_DESCRIPTION",
    "MAX_FIELD",
    "MAX_LABEL",
    "MAX_TITLE",
    "authored",
    "card_embed",
    "code",
    "feedback_embed",
    "fit",
    "leaderboard_embed",
    "name_text",
    "reveal_embed",
    "share",
    "shorten_choice",
    "shorten_content",
    "stats_embed",
    "user_text",
]

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD = 1024
MAX_LABEL = 80
MAX_FOOTER = 2048
MAX_FIELDS = 25
MAX_EMBED = 6000  # title, description, field names and values and footer together

COLOUR_OPEN = discord.Colour.blurple()
COLOUR_RIGHT = discord.Colour.green()
COLOUR_PARTIAL = discord.Colour.gold()
COLOUR_WRONG = discord.Colour.red()
COLOUR_INFO = discord.Colour.dark_teal()

_VERDICT_COLOUR = {"correct": COLOUR_RIGHT, "partial": COLOUR_PARTIAL, "wrong": COLOUR_WRONG}


def user_text(text: str, limit: int, *, keep_newlines: bool = True) -> str:
    """User-supplied text, inert on Discord (no markdown, no mentions), cut to ``limit``."""
    safe = visible(text, keep_newlines=keep_newlines)
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(safe))
    return shorten(escaped, limit)


def authored(text: str, limit: int) -> str:
    """Question-bank text (trusted markdown): mentions escaped, cut to ``limit``."""
    return shorten(discord.utils.escape_mentions(visible(text.strip())), limit)


def code(text: str, limit: int) -> str:
    """Code or program output as a fenced block (mentions escaped), at most ``limit`` chars."""
    return code_block(text, limit, quote=lambda line: discord.utils.escape_mentions(visible(line)))


def _why(explanation: str) -> str:
    """An explanation for an embed field: its examples as Discord code blocks, never left open."""
    return closed_fences(authored(plain_fences(explanation, language=True), MAX_FIELD - 4))


def name_text(name: str) -> str:
    """A display name, inert on Discord, on one line, cut to 64 characters."""
    return user_text(name, 64, keep_newlines=False)


def share(count: int, total: int) -> str:
    """The share of the answers that chose an option, e.g. ``25%`` (``0%`` when none)."""
    return f"{count / total:.0%}" if total > 0 else "0%"


def card_embed(card: QuestionCard) -> discord.Embed:
    """The question as posted in the channel."""
    description = authored(card.prompt, MAX_DESCRIPTION)
    if card.code is not None:
        block = code(card.code, MAX_DESCRIPTION // 2)
        description = authored(card.prompt, MAX_DESCRIPTION - len(block) - 1) + "\n" + block
    embed = discord.Embed(
        title=shorten(
            f"{card_kind(card)} #{card.round_id} · {authored(card.category_title, MAX_TITLE)}",
            MAX_TITLE,
        ),
        description=description,
        colour=COLOUR_OPEN,
    )
    for letter, text in zip(CHOICE_LETTERS, card.choices, strict=False):
        shown = code(text, MAX_FIELD) if card.code is not None else authored(text, MAX_FIELD)
        embed.add_field(name=letter, value=shown or "—", inline=False)
    how = (
        "Pick A, B, C or D below."
        if card.choices
        else f"Press “{open_answer_label(card)}” below and type exactly what it prints."
        if card.code is not None
        else f"Press “{open_answer_label(card)}” below and write your answer."
    )
    if card.kind == "daily":
        embed.add_field(name="Answered so far", value=str(card.answer_count))
        embed.add_field(name="Closes", value=f"<t:{int(card.closes_at)}:f>")
        embed.set_footer(text=f"{card.difficulty} · one answer each, private · {how}")
        return fit(embed)
    embed.set_footer(text=f"{card.difficulty} · {duration(card.time_limit_s)} to answer · {how}")
    return fit(embed)


def feedback_embed(feedback: Feedback) -> discord.Embed:
    """Private feedback to the player who answered."""
    embed = discord.Embed(
        title=f"{VERDICT[feedback.verdict]} +{feedback.points} points",
        description=f"Grade {feedback.grade:.0%}.",
        colour=_VERDICT_COLOUR[feedback.verdict],
    )
    embed.add_field(
        name="Your answer", value=user_text(feedback.your_answer, MAX_FIELD) or "—", inline=False
    )
    points = key_point_lines(feedback, lambda label: authored(label, MAX_FIELD))
    if points:
        embed.add_field(
            name=key_points_summary(feedback), value=shorten("\n".join(points), MAX_FIELD)
        )
    for heading, text in grade_reasons(feedback):
        embed.add_field(name=heading, value=authored(text, MAX_FIELD), inline=False)
    if feedback.judge_note:
        note = user_text(feedback.judge_note, MAX_FIELD)
        embed.add_field(name=JUDGE_NOTE, value=note, inline=False)
    if feedback.output is not None:
        embed.add_field(name="Output", value=code(feedback.output, MAX_FIELD), inline=False)
    else:
        embed.add_field(
            name="Reference answer",
            value=authored(feedback.reference_answer, MAX_FIELD),
            inline=False,
        )
    embed.add_field(name="Why", value=_why(feedback.explanation), inline=False)
    if feedback.kind == "review" and feedback.rating:
        embed.set_footer(text=rated_hint(feedback.rating))
    elif feedback.reviews_due:
        embed.set_footer(text=reviews_due(feedback.reviews_due, "/review"))
    return fit(embed)


def reveal_embed(reveal: Reveal) -> discord.Embed:
    """The reveal everyone sees when a round closes."""
    lines = [authored(reveal.prompt, 1500), ""]
    if reveal.code is not None and reveal.output is not None:
        answer = f" {reveal.correct_letter})" if reveal.correct_letter else ""
        lines[0] = authored(reveal.prompt, 600)
        lines += [code(reveal.code, 1600), f"**Answer:{answer} it prints**"]
        lines.append(code(reveal.output, 900))
    elif reveal.correct_letter:
        lines.append(f"**Answer: {reveal.correct_letter}) {authored(reveal.correct_text, 500)}**")
    if reveal.correct_letter:
        total = sum(t.count for t in reveal.tallies)
        lines += [
            f"{'✅' if t.correct else '▫️'} {t.letter}) {_choice(reveal, t.text)} — "
            f"{t.count} ({share(t.count, total)})"
            for t in reveal.tallies
        ]
    elif reveal.output is None:
        lines.append(f"**Reference answer:** {authored(reveal.correct_text, 1000)}")
    embed = discord.Embed(
        title=f"Time's up — round #{reveal.round_id}",
        description=shorten("\n".join(lines), MAX_DESCRIPTION),
        colour=COLOUR_INFO,
    )
    embed.add_field(name="Why", value=_why(reveal.explanation), inline=False)
    if reveal.correct_players:
        names = ", ".join(name_text(n) for n in reveal.correct_players)
        embed.add_field(
            name=f"Right ({len(reveal.correct_players)}/{reveal.answer_count})",
            value=shorten(names, MAX_FIELD),
            inline=False,
        )
        embed.add_field(name="First correct", value=name_text(reveal.first_correct or ""))
    else:
        embed.add_field(
            name="Nobody got it right", value=f"{reveal.answer_count} answered.", inline=False
        )
    if reveal.top_streaks:
        streaks = "\n".join(f"🔥 {name_text(name)} — {days}" for name, days in reveal.top_streaks)
        embed.add_field(name="Top streaks (days)", value=shorten(streaks, MAX_FIELD))
    if reveal.weekly_top:
        top = "\n".join(_row(row) for row in reveal.weekly_top)
        embed.add_field(name="This week's top 5", value=shorten(top, MAX_FIELD))
    return fit(embed)


def _choice(reveal: Reveal, text: str) -> str:
    """A choice in the reveal's tally: an output on one line, shown literally."""
    if reveal.output is None:
        return authored(text, 200)
    return user_text(output_line(text), 150)


def _row(row: LeaderboardRow) -> str:
    return (
        f"**{row.rank}.** {name_text(row.display_name)} — {row.points} pts "
        f"({row.correct}/{row.answers} correct)"
    )


def leaderboard_embed(board: Leaderboard, scope: str | None) -> discord.Embed:
    """The top ten, and the caller's own line even when outside it.

    ``scope`` (a channel mention) goes in the description: an embed title shows ``<#id>`` raw.
    """
    lines = [_row(row) for row in board.rows] or [NO_ANSWERS_YET]
    champions = champions_line(board, name_text)
    if champions:
        lines = [champions, "", *lines]
    if board.more_tied:
        lines.append(more_tied(board.rows[-1].points))
    if board.caller is not None and all(r.user_id != board.caller.user_id for r in board.rows):
        lines += ["…", _row(board.caller)]
    if scope:
        lines = [f"In {scope}", "", *lines]
    embed = discord.Embed(
        title=shorten(
            f"Leaderboard — {board_title(board, name_text)}{' · this channel' if scope else ''}",
            MAX_TITLE,
        ),
        description=shorten("\n".join(lines), MAX_DESCRIPTION),
        colour=COLOUR_INFO,
    )
    if board.caller is not None:
        embed.set_footer(text=f"Your rank: {board.caller.rank} of {board.total_players}")
    else:
        embed.set_footer(text=plural(board.total_players, "player"))
    return fit(embed)


def stats_embed(stats: Stats) -> discord.Embed:
    """A player's points, answers and accuracy by category."""
    rank = f" · rank {stats.rank}" if stats.rank else ""
    embed = discord.Embed(
        title=f"Stats for {name_text(stats.display_name)}",
        description=f"{stats.points} points{rank} · {plural(stats.answers, 'answer')} · "
        f"{stats.accuracy:.0%} correct\n{coverage(stats)}",
        colour=COLOUR_INFO,
    )
    room = MAX_FIELDS - bool(stats.best_streak) - (not stats.answers)
    for category in stats.categories[:room]:
        embed.add_field(
            name=authored(category.title, MAX_TITLE),
            value=f"{progress_bar(category.accuracy)}\n"
            f"{category.correct}/{category.answers} ({category.accuracy:.0%})",
        )
    if stats.best_streak:
        embed.add_field(
            name="Daily streak", value=f"{stats.current_streak} (best {stats.best_streak})"
        )
    if not stats.answers:
        embed.add_field(name="No answers yet", value="Start a round with `/quiz`.")
    footer = streak_and_reviews(
        stats.current_streak,
        stats.best_streak,
        stats.due_today,
        stats.due_week,
        authored(visible(stats.weakest_category or "", keep_newlines=False), MAX_TITLE),
    )
    embed.set_footer(text=shorten(footer, MAX_FOOTER))
    return fit(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """``embed`` within Discord's 6 000-character total: the last fields go first."""
    while len(embed) > MAX_EMBED and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > MAX_EMBED and embed.description:
        over = len(embed) - MAX_EMBED
        embed.description = shorten(embed.description, max(len(embed.description) - over, 1))
    return embed


def shorten_content(text: str) -> str:
    """Message content cut to Discord's 2 000 characters."""
    return shorten(text, MAX_CONTENT)


def shorten_choice(text: str) -> str:
    """An autocomplete choice name cut to Discord's 100 characters."""
    return shorten(text, 100)
