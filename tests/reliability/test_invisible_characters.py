"""Zero-width and other invisible characters are shown, so a name cannot pass for another."""

from __future__ import annotations

import pytest

from bot.safe_text import visible
from tests.reliability.harness import Harness

INVISIBLE = (
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner (outside an emoji)
    "\u2060",  # word joiner
    "\u2062",  # invisible times
    "\ufeff",  # zero width no-break space (byte order mark)
    "\u00ad",  # soft hyphen
    "\u180e",  # Mongolian vowel separator
    "\u034f",  # combining grapheme joiner
    "\u3164",  # Hangul filler
    "\U000e0041",  # tag letter A
)


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_shown_as_escapes(char: str) -> None:
    shown = visible(f"ad{char}min")
    assert char not in shown
    assert shown == f"ad\\u{ord(char):04x}min"


def test_a_zero_width_joiner_inside_an_emoji_is_kept() -> None:
    for emoji in ("👩\u200d💻", "👩\u200d👩\u200d👧", "🏳\ufe0f\u200d🌈", "👍🏽\u200d🔥"):
        assert visible(emoji) == emoji
    assert visible("👩\u200d") == "👩\\u200d"
    assert visible("a\u200d💻") == "a\\u200d💻"


def test_console_shows_a_disguised_name_with_its_hidden_characters(harness: Harness) -> None:
    disguised = "a\u200bd\u2060m\ufeffin"
    console = harness.console
    outputs = [
        harness.run(console.handle(f"/as {disguised}")),
        harness.run(console.handle("/quiz mode:open")),
        harness.run(console.handle("/answer mars")),
        harness.run(console.handle("/leaderboard all")),
    ]
    text = "\n".join(output or "" for output in outputs)
    assert "a\\u200bd\\u2060m\\ufeffin" in text
    assert "admin" not in text
    assert not any(char in text for char in "\u200b\u2060\ufeff")
