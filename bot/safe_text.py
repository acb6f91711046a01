"""Making user text safe to show: control and bidirectional-override characters made visible.

Platform escaping (Discord markdown, Slack mrkdwn) happens in each adapter; this module only
removes what no platform should render raw: terminal control codes and right-to-left overrides
that could disguise text.
"""

from __future__ import annotations

import unicodedata

__all__ = ["has_lone_surrogate", "shorten", "storable", "visible"]

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Replace control and bidi-control characters with a visible ``\\uXXXX`` escape."""
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in _BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def shorten(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters, on a word boundary where possible."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ellipsis), 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds half of a UTF-16 surrogate pair, which no database can store."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def storable(text: str) -> str:
    """``text`` with any lone surrogate replaced by U+FFFD, so it can be stored as UTF-8."""
    if not has_lone_surrogate(text):
        return text
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
