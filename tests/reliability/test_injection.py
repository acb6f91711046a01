"""Hostile names and answers: stored verbatim, shown inert in the console."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from bot.engine.model import Channel, Player, Team
from bot.safe_text import visible
from tests.reliability.harness import Harness

PAYLOADS = (
    "@everyone",
    "@here",
    "<!channel>",
    "<!here|here>",
    "<@&123456789012345678>",  # Discord role mention
    "<@!42>",  # Discord user mention
    "<@U024BE7LH>",  # Slack user mention
    "**bold** __under__ ~~gone~~",
    "```py\nimport os```",
    "`code` [link](https://evil.example)",
    "\u202eevil\u202c",  # right-to-left override
    "a\u200fb\u2066c\u2069",  # RTL mark, isolates
    "\x1b[2J\x1b[31mred",  # terminal escapes
    "nul\x00byte\x07bell",
)
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _inert(output: str) -> bool:
    """No raw control (except newline) or bidirectional-control character in ``output``."""
    return not any(
        ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch != "\n") for ch in output
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_and_answers_are_stored_verbatim(harness: Harness, payload: str) -> None:
    team = Team("console", "injection")
    engine = harness.engine
    card = harness.run(engine.start_round(Channel(team, "general"), None, mode="open"))
    player = Player(team, "u1", payload)
    answer = f"{payload} mars"
    feedback = harness.run(engine.answer(player, card.round_id, text=answer))
    assert feedback.your_answer == answer
    with sqlite3.connect(harness.path) as conn:
        assert conn.execute("SELECT display_name FROM players").fetchall() == [(payload,)]
        assert conn.execute("SELECT text FROM answers").fetchall() == [(answer,)]
    board = harness.run(engine.leaderboard(team, period="all", caller=player))
    assert [row.display_name for row in board.rows] == [payload]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_console_shows_hostile_text_inert(harness: Harness, payload: str) -> None:
    console = harness.console
    name = payload[:32].replace("\n", " ").strip()
    outputs = [
        harness.run(console.handle(f"/as {name}")),
        harness.run(console.handle("/quiz mode:open")),
        harness.run(console.handle(f"/answer {payload} mars")),
        harness.run(console.handle("/leaderboard all")),
        harness.run(console.handle("/stats")),
        harness.run(console.handle("/close")),
        harness.run(console.handle(f"/channel {name}")),
        harness.run(console.handle(f"/team {name}")),
    ]
    text = "\n".join(o or "" for o in outputs)
    assert _inert(text)
    assert visible(name, keep_newlines=False) in text
    assert visible(f"{payload} mars") in text
