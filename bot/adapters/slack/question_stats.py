"""``/quiz-admin questions`` on Slack: how the workspace's questions fare, flagged first."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.blocks import context, mrkdwn, section
from bot.adapters.wording import QUESTION_STATS_NOTE, plural, question_figures, question_flags
from bot.engine.model import QuestionStats

__all__ = ["question_stats_blocks", "question_stats_text"]

NONE_YET = "No question has been asked in this workspace yet."


def question_stats_text(found: tuple[QuestionStats, ...]) -> str:
    """The notification text."""
    return f"How {plural(len(found), 'question')} fare" if found else NONE_YET


def question_stats_blocks(found: tuple[QuestionStats, ...], limit: int) -> list[dict[str, Any]]:
    """The team's questions, flagged ones first (at most ``limit``)."""
    if not found:
        return [section(mrkdwn(NONE_YET))]
    blocks = [
        section(
            f"*{mrkdwn(f'{stats.question_id}: {question_flags(stats)}', 300)}*\n"
            + mrkdwn(question_figures(stats), 1000)
        )
        for stats in found[:limit]
    ]
    if len(found) > limit:
        blocks.append(context(mrkdwn(f"The first {limit} of {plural(len(found), 'question')}.")))
    blocks.append(context(mrkdwn(QUESTION_STATS_NOTE)))
    return blocks
