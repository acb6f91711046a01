"""The text of ``/quiz-admin uphold|reject|resolve`` where a command is typed (console, Slack).

``uphold ID grade:G [note…]``, ``reject ID [note…]``, ``resolve ID [note…]``: the report's
number (``#3`` or ``3``), a grade for ``uphold`` only, and the rest of the line as the note.
Only the shape is checked here; the engine validates the action, the grade and the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.disputes import ACTIONS
from bot.engine.errors import QuizError

__all__ = ["SETTLE_USAGE", "SettleArgs", "is_settle", "parse_settle"]

SETTLE_USAGE = (
    "Usage: /quiz-admin disputes, then /quiz-admin uphold ID grade:G [note] (G from 0 to 1), "
    "/quiz-admin reject ID [note] or /quiz-admin resolve ID [note]."
)
_SETTLE = re.compile(
    r"(?P<action>\S+)\s+#?(?P<id>\d{1,18})(?:\s+grade:(?P<grade>\S*))?(?:\s+(?P<note>.*))?",
    re.DOTALL | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SettleArgs:
    """A parsed settle command."""

    action: str
    report_id: int
    grade: str | None
    note: str


def is_settle(text: str | None) -> bool:
    """Whether ``/quiz-admin`` text starts with ``uphold``, ``reject`` or ``resolve``."""
    words = (text or "").split(maxsplit=1)
    return bool(words) and words[0].casefold() in ACTIONS


def parse_settle(text: str | None) -> SettleArgs:
    """Parse a settle command; :class:`QuizError` (the usage) when its shape is wrong."""
    found = _SETTLE.fullmatch((text or "").strip())
    if found is None:
        raise QuizError(SETTLE_USAGE)
    return SettleArgs(
        found["action"], int(found["id"]), found["grade"], (found["note"] or "").strip()
    )
