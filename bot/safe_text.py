"""Making user text safe to show: control, format and invisible characters made visible.

Platform escaping (Discord markdown, Slack mrkdwn) happens in each adapter; this module only
removes what no platform should render raw: terminal control codes, right-to-left overrides and
zero-width characters that could disguise text (``a\u200bdmin`` would show as "admin").
"""

from __future__ import annotations

import unicodedata

__all__ = ["has_lone_surrogate", "one_line", "shorten", "storable", "visible"]

# Characters that show as nothing (or as a blank) without being format characters (Cf).
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u3164\uffa0")
_ZWJ = "\u200d"
_SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")


def _is_hidden(char: str) -> bool:
    """A control (Cc) or format (Cf: zero-width, bidi, tag characters…) character, or a
    letter that shows as blank."""
    return unicodedata.category(char) in ("Cc", "Cf") or char in _BLANK_LETTERS


def _is_emoji_part(char: str) -> bool:
    """A symbol (most emoji), the emoji variation selector, or a skin tone modifier."""
    return (
        unicodedata.category(char) == "So"
        or char == "\ufe0f"
        or _SKIN_TONES[0] <= char <= _SKIN_TONES[1]
    )


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Replace control, format and blank characters with a visible ``\\uXXXX`` escape.

    Format characters include the zero-width ones (U+200B, U+2060, U+FEFF…) and the bidi
    controls. A zero-width joiner between two emoji (👩‍💻) is kept: there it draws one emoji.
    """
    out = []
    for index, char in enumerate(text):
        if char == "\n" and keep_newlines:
            out.append(char)
        elif _is_hidden(char) and not (char == _ZWJ and _joins_emoji(text, index)):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _joins_emoji(text: str, index: int) -> bool:
    """True when the character at ``index`` stands between two parts of emoji."""
    return (
        0 < index < len(text) - 1
        and _is_emoji_part(text[index - 1])
        and _is_emoji_part(text[index + 1])
    )


def shorten(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters, on a word boundary where possible."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ellipsis), 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def one_line(text: str | None, width: int) -> str:
    """User text on one line (whitespace runs as one space), control characters made
    visible, cut to ``width`` with ``...`` (plain ASCII, for terminals)."""
    flat = visible(" ".join((text or "").split()), keep_newlines=False)
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds half of a UTF-16 surrogate pair, which no database can store."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def storable(text: str) -> str:
    """``text`` with any lone surrogate replaced by U+FFFD, so it can be stored as UTF-8."""
    if not has_lone_surrogate(text):
        return text
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
