"""``/quiz-admin progress`` on Slack: each member's accuracy by category and coverage."""

from __future__ import annotations

from typing import Any

from bot.adapters.progress import progress_bar
from bot.adapters.slack.blocks import MAX_BLOCKS, context, escape, mrkdwn, section
from bot.adapters.wording import NO_PROGRESS, category_result, plural, progress_summary
from bot.engine.model import TeamProgress

__all__ = ["progress_blocks", "progress_text"]


def progress_text(progress: TeamProgress) -> str:
    """The notification text."""
    members = len(progress.members)
    return f"Team progress of {plural(members, 'member')}" if members else NO_PROGRESS


def progress_blocks(progress: TeamProgress) -> list[dict[str, Any]]:
    """A section per member (as many as a message holds), by name."""
    if not progress.members:
        return [section(mrkdwn(NO_PROGRESS))]
    room = MAX_BLOCKS - 1
    blocks = []
    for member in progress.members[:room]:
        bars = [
            f"{escape(c.title)} {progress_bar(c.accuracy)} {category_result(c)}"
            for c in member.categories
        ]
        name = mrkdwn(member.display_name, 80, user=True)
        lines = [f"*{name}* · {progress_summary(member, progress)}", *bars]
        blocks.append(section("\n".join(lines)))
    if len(progress.members) > room:
        shown = f"The first {room} of {plural(len(progress.members), 'member')}."
        blocks.append(context(mrkdwn(shown)))
    return blocks
