"""Block Kit of settling reports: the open reports an admin lists, what the player is told.

User text (names, answers, reasons, the admin's note) is escaped with ``user=True`` (its
formatting made inert); question prompts are escaped as authored text.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.blocks import MAX_HEADER_CHARS, context, mrkdwn, section
from bot.adapters.wording import (
    NO_OPEN_REPORTS,
    NOTE_FROM_ADMIN,
    report_heading,
    reports_more,
    settlement_title,
    settlement_told,
)
from bot.engine.model import ReportItem, Settlement
from bot.safe_text import shorten

__all__ = ["reports_blocks", "reports_text", "settlement_blocks", "settlement_text"]

Block = dict[str, Any]
_PART = 300


def reports_text(items: tuple[ReportItem, ...]) -> str:
    """The notification text of a listing."""
    return f"{len(items)} open reports" if items else NO_OPEN_REPORTS


def reports_blocks(items: tuple[ReportItem, ...], limit: int) -> list[Block]:
    """The open grade disputes and question reports, oldest first (at most ``limit``)."""
    if not items:
        return [section(mrkdwn(NO_OPEN_REPORTS))]
    blocks: list[Block] = []
    for item in items[:limit]:
        lines = [
            f"*{mrkdwn(report_heading(item), MAX_HEADER_CHARS)}*",
            mrkdwn(item.prompt, _PART, raw="*Q:* "),
            mrkdwn(item.player_name, 80, raw="*By:* ", user=True),
        ]
        if item.answer is not None:
            lines.append(mrkdwn(item.answer, _PART, raw="*Answer:* ", user=True))
        if item.reason:
            lines.append(mrkdwn(item.reason, _PART, raw="*Reason:* ", user=True))
        blocks.append(section("\n".join(lines)))
    more = reports_more(min(limit, len(items)), len(items))
    if more:
        blocks.append(context(mrkdwn(more)))
    return blocks


def settlement_text(settlement: Settlement) -> str:
    """The notification text of what the player is told."""
    return shorten(f"{settlement_title(settlement)}. {settlement_told(settlement)}", 300)


def settlement_blocks(settlement: Settlement) -> list[Block]:
    """What the player is told privately (a DM from the app)."""
    blocks = [
        section(f"*{mrkdwn(settlement_title(settlement), MAX_HEADER_CHARS)}*"),
        section(mrkdwn(settlement_told(settlement))),
        context(mrkdwn(settlement.prompt, _PART, raw="Question: ")),
    ]
    if settlement.note:
        blocks.append(section(mrkdwn(settlement.note, raw=f"*{NOTE_FROM_ADMIN}:* ", user=True)))
    return blocks
