"""Code and program output inside chat markdown: fenced blocks that nothing can break out of.

Discord and Slack both end a code block at the next triple backtick, so a backtick followed by
another gets a zero-width space between them: the text reads the same and the fence holds. A
block too long for its limit is cut at a line end, with a last line saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["CUT_MARK", "closed_fences", "code_block", "fence_safe", "output_line", "plain_fences"]

ZWSP = "\u200b"
CUT_MARK = "… (cut)"
_ADJACENT_BACKTICK = re.compile(r"`(?=`)")
_FENCE_INFO = re.compile(r"^([ \t]*)```([^\s`]*)[^\n`]*$", re.MULTILINE)


def fence_safe(text: str) -> str:
    """``text`` with no two adjacent backticks (a zero-width space between them)."""
    return _ADJACENT_BACKTICK.sub("`" + ZWSP, text)


def code_block(
    code: str, limit: int, *, quote: Callable[[str], str] = lambda text: text, language: str = ""
) -> str:
    """``code`` fenced as a block of at most ``limit`` characters; ``quote`` escapes each line
    (before the fences inside are broken, so the zero-width spaces breaking them stay raw)."""
    opening, closing = f"```{language}\n", "\n```"
    room = limit - len(opening) - len(closing)
    lines = [fence_safe(quote(line)) for line in code.strip("\n").splitlines()] or [""]
    body = "\n".join(lines)
    while len(body) > room and len(lines) > 1:
        lines.pop()
        body = "\n".join([*lines, CUT_MARK])
    if len(body) > room:
        body = body[: max(room - len(CUT_MARK), 0)] + CUT_MARK
    return opening + body + closing


def plain_fences(text: str, *, language: bool) -> str:
    """Authored text's fence lines as a chat reads them: ```` ```python fragment ```` becomes
    ```` ```python ```` (``language``: Discord highlights it) or ```` ``` ```` (Slack would show
    the info string as a line of code)."""
    return _FENCE_INFO.sub(r"\1```\2" if language else r"\1```", text)


def closed_fences(text: str) -> str:
    """``text`` with a code block that a cut left open closed again (adds 4 characters)."""
    return text + "\n```" if text.count("```") % 2 else text


def output_line(text: str) -> str:
    """A multi-line output on one line, each line break shown as ``⏎``."""
    return " ⏎ ".join(text.strip("\n").splitlines())
