"""The mock interview as Discord embeds: the question, the scorecard, the history.

Answers are user text (escaped with :func:`~bot.adapters.discord.render.user_text`); questions,
key points and reference answers are authored (:func:`~bot.adapters.discord.render.authored`).
A scorecard of many questions is split into several messages, each within Discord's limits.
"""

from __future__ import annotations

import discord

from bot.adapters.discord.render import (
    COLOUR_INFO,
    COLOUR_OPEN,
    COLOUR_PARTIAL,
    COLOUR_RIGHT,
    COLOUR_WRONG,
    MAX_DESCRIPTION,
    MAX_EMBED,
    MAX_FIELD,
    MAX_TITLE,
    authored,
    fit,
    user_text,
)
from bot.adapters.progress import progress_bar
from bot.adapters.wording import (
    INTERVIEW_PRIVATE,
    JUDGE_NOTE,
    NO_INTERVIEWS,
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
    percent,
    plural,
)
from bot.engine.interviews import verdict_for
from bot.engine.model import InterviewHistory, InterviewPrompt, Scorecard, ScorecardItem
from bot.safe_text import shorten

__all__ = ["history_embed", "prompt_embed", "scorecard_messages"]

MAX_EMBEDS = 10  # per message
_VERDICT_COLOUR = {"ready": COLOUR_RIGHT, "almost": COLOUR_PARTIAL, "not yet": COLOUR_WRONG}


def prompt_embed(prompt: InterviewPrompt) -> discord.Embed:
    """The interviewer's question or follow-up, with its time budget."""
    embed = discord.Embed(
        title=authored(interview_heading(prompt), MAX_TITLE),
        description=authored(prompt.text, MAX_DESCRIPTION),
        colour=COLOUR_OPEN,
    )
    embed.add_field(
        name="Time",
        value=f"{interview_budget(prompt)} Budget ends <t:{int(prompt.due_at)}:R>.",
        inline=False,
    )
    note = f"Resuming where you left it. {INTERVIEW_PRIVATE}" if prompt.resumed else ""
    embed.set_footer(text=note or INTERVIEW_PRIVATE)
    return fit(embed)


def _summary_embed(card: Scorecard) -> discord.Embed:
    embed = discord.Embed(
        title=f"Interview #{card.interview_id} scorecard — {interview_status(card)}",
        description="\n".join(
            [
                f"**{interview_verdict(card)}**",
                interview_thresholds(card),
                interview_change(card),
                interview_time(card),
            ]
        ),
        colour=_VERDICT_COLOUR[card.verdict] if card.verdict else COLOUR_INFO,
    )
    if card.categories:
        lines = [
            f"{progress_bar(c.score)} {authored(c.title, 100)}: "
            f"{plural(c.questions, 'question')}, {percent(c.score)}"
            for c in card.categories
        ]
        embed.add_field(
            name="By category", value=shorten("\n".join(lines), MAX_FIELD), inline=False
        )
    if card.topics:
        topics = [
            f"• {authored(t.point, 300)} ({authored(t.category_title, 100)}): "
            f"`/review category:{t.category}`"
            for t in card.topics
        ]
        embed.add_field(
            name="Study next", value=shorten("\n".join(topics), MAX_FIELD), inline=False
        )
    embed.set_footer(text=f"Practice points on the leaderboard: +{card.points} (as for reviews).")
    return fit(embed)


def _item_embed(item: ScorecardItem) -> discord.Embed:
    embed = discord.Embed(
        title=authored(item_heading(item), MAX_TITLE),
        description=authored(item.prompt, 600),
        colour=_VERDICT_COLOUR[verdict_for(item.grade)],
    )
    embed.add_field(name="Your answer", value=user_text(item.answer, 600) or "—", inline=False)
    if item.follow_up is not None:
        answer = user_text(item.follow_up_answer or "", 300) or "—"
        embed.add_field(
            name=f"Follow-up: {follow_up_result(item)}",
            value=shorten(f"{authored(item.follow_up, 300)}\n> {answer}", MAX_FIELD),
            inline=False,
        )
    points = [f"✅ {label}" for label in item.covered] + [f"❌ {label}" for label in item.missed]
    if points:
        embed.add_field(name="Key points", value=authored("\n".join(points), 600), inline=False)
    if item.judge_note:
        embed.add_field(name=JUDGE_NOTE, value=user_text(item.judge_note, 300), inline=False)
    embed.add_field(
        name="Reference answer", value=authored(item.reference_answer, 600), inline=False
    )
    return fit(embed)


def scorecard_messages(card: Scorecard) -> list[list[discord.Embed]]:
    """The scorecard as messages of at most 10 embeds and 6 000 characters each: the summary,
    then one embed per answered question."""
    messages: list[list[discord.Embed]] = [[_summary_embed(card)]]
    size = len(messages[0][0])
    for item in card.items:
        embed = _item_embed(item)
        if len(messages[-1]) == MAX_EMBEDS or size + len(embed) > MAX_EMBED:
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += len(embed)
    return messages


def history_embed(history: InterviewHistory) -> discord.Embed:
    """The player's latest interviews with their scores."""
    lines = [f"<t:{int(row.started_at)}:d> {interview_summary(row)}" for row in history.rows] or [
        NO_INTERVIEWS
    ]
    return discord.Embed(title="Your interviews", description="\n".join(lines), colour=COLOUR_INFO)
