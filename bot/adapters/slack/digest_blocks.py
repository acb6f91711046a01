"""The weekly digest in Block Kit (names escaped as user text)."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.blocks import context, escape, escape_user, mrkdwn, section
from bot.adapters.wording import (
    digest_categories,
    digest_missed,
    digest_streaks,
    digest_title,
    digest_top,
)
from bot.engine.model import WeeklyDigest

__all__ = ["digest_blocks"]


def digest_blocks(digest: WeeklyDigest) -> list[dict[str, Any]]:
    """Top five, the most-missed question with its explanation, accuracy by category, streaks."""
    blocks = [
        section(f"*{escape(digest_title(digest))}*"),
        section("*Top five*\n" + digest_top(digest, escape_user)),
    ]
    missed = f"*{escape(digest_missed(digest))}*"
    if digest.most_missed_prompt is not None:
        missed += "\n" + mrkdwn(digest.most_missed_prompt, 1000)
        missed += "\n" + mrkdwn(digest.most_missed_explanation or "", 1500)
    blocks.append(section(missed))
    blocks.append(section("*Accuracy by category*\n" + digest_categories(digest, escape)))
    blocks.append(context(digest_streaks(digest, escape_user)))
    return blocks
