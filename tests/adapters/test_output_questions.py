"""Output questions on every adapter: the code as a code block within the platform's limits,
choices shown as outputs, typed outputs answered, feedback and reveal showing the real output.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bot.adapters.code_block import ZWSP, code_block, fence_safe
from bot.adapters.console import ConsoleSession
from bot.adapters.discord import render
from bot.adapters.discord.components import card_view
from bot.adapters.slack import blocks
from bot.engine.engine import QuizEngine
from bot.engine.model import ChoiceTally, Feedback, QuestionCard, Reveal
from questions.loader import load_bank
from storage.store import Store
from tests.adapters.output_bank import WORST_CODE
from tests.conftest import TEST_PACKS, FakeClock
from tests.fakes.slack_api import block_problems

KINDS = Path(__file__).parents[1] / "data" / "kinds"
FENCE = "```"
NASTY = WORST_CODE


def output_card(code: str = NASTY, mode: str = "choice") -> QuestionCard:
    outputs = ("```\n@everyone", "a\nb", "a b", "<!here> & *x*")
    return QuestionCard(
        round_id=42,
        kind="quiz",
        mode=mode,  # type: ignore[arg-type]
        question_id="q",
        category="code",
        category_title="Code reading",
        difficulty="easy",
        prompt="What does this print? " * 40,
        choices=outputs if mode == "choice" else (),
        closes_at=0.0,
        time_limit_s=60,
        code=code,
    )


def fenced_bodies(text: str) -> list[str]:
    """The text inside each ```…``` block of ``text``."""
    return re.findall(r"```[a-z]*\n(.*?)\n```", text, re.DOTALL)


def test_a_fence_inside_code_cannot_close_the_block() -> None:
    block = code_block("a = '```'\nprint(a)", 100)
    assert block.count(FENCE) == 2 and block.startswith("```\n") and block.endswith("\n```")
    assert fence_safe("```") == f"`{ZWSP}`{ZWSP}`"
    assert fence_safe("`x`") == "`x`"
    cut = code_block("line\n" * 100, 60)
    assert len(cut) <= 60 and cut.endswith("… (cut)\n```")


# --------------------------------------------------------------------------- Discord


def test_discord_card_shows_the_code_and_outputs_as_code_blocks_within_limits() -> None:
    card = output_card()
    embed = render.card_embed(card)
    description = embed.description or ""
    assert len(description) <= render.MAX_DESCRIPTION and len(embed) <= 6000
    assert description.count(FENCE) == 2  # one block: no fence inside survived
    [body] = fenced_bodies(description)
    assert body.replace(ZWSP, "") == NASTY.strip("\n").replace("@everyone", "@everyone")
    assert "@everyone" not in description  # mentions escaped, even in code
    values = [field.value or "" for field in embed.fields]
    assert all(value.startswith("```\n") and value.endswith("\n```") for value in values)
    assert all(value.count(FENCE) == 2 for value in values)
    labels = [getattr(item, "label", "") for item in card_view(card).children]
    assert labels == ["A", "B", "C", "D"]  # outputs are read in the embed, not on buttons


def test_discord_open_card_asks_for_the_exact_output() -> None:
    embed = render.card_embed(output_card(mode="open"))
    assert "type exactly what it prints" in (embed.footer.text or "")


def test_discord_feedback_and_reveal_show_the_real_output() -> None:
    feedback = Feedback(1, "q", False, 0.0, 0, "wrong", "a b", "a\nb", "Two prints.", output="a\nb")
    embed = render.feedback_embed(feedback)
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Output"] == "```\na\nb\n```" and "Reference answer" not in fields
    tallies = (ChoiceTally("A", "a\nb", 2, True), ChoiceTally("B", "```x", 1, False))
    reveal = Reveal(1, "q", "choice", "What?", "A", "a\nb", "Why.", tallies, 3, (), None,
                    code=NASTY, output="a\nb")  # fmt: skip
    description = render.reveal_embed(reveal).description or ""
    assert len(description) <= render.MAX_DESCRIPTION
    assert "**Answer: A) it prints**\n```\na\nb\n```" in description
    assert description.count(FENCE) == 4  # the code and the output; choices shown literally
    assert "a ⏎ b" in description


# --------------------------------------------------------------------------- Slack


def test_slack_card_shows_the_code_and_outputs_as_code_blocks_within_limits() -> None:
    for mode in ("choice", "open"):
        rendered = blocks.card_blocks(output_card(mode=mode))
        assert block_problems(rendered) == []
        texts = [b["text"]["text"] for b in rendered if b["type"] == "section"]
        code_section = texts[1]
        assert code_section.count(FENCE) == 2 and "<!channel>" not in code_section
        assert "&lt;!channel&gt; &amp;" in code_section
    choice = blocks.card_blocks(output_card())
    listing = [b["text"]["text"] for b in choice if b["type"] == "section"][2]
    assert listing.count(FENCE) == 8 and "&lt;!here&gt;" in listing
    buttons = [e["text"]["text"] for b in choice if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["A", "B", "C", "D"]
    open_card = blocks.card_blocks(output_card(mode="open"))
    assert "Type exactly what it prints" in str(open_card[-1])


def test_slack_feedback_and_reveal_show_the_real_output() -> None:
    feedback = Feedback(1, "q", True, 1.0, 100, "correct", "<b>", "<b>", "Why.", output="<b>")
    rendered = blocks.feedback_blocks(feedback)
    assert block_problems(rendered) == []
    assert {"type": "mrkdwn", "text": "*Output:*\n```\n&lt;b&gt;\n```"} in [
        b.get("text") for b in rendered
    ]
    tallies = (ChoiceTally("A", "a\nb", 2, True), ChoiceTally("B", "```x", 1, False))
    reveal = Reveal(1, "q", "choice", "What?", "A", "a\nb", "Why.", tallies, 3, (), None,
                    code=NASTY, output="a\nb")  # fmt: skip
    rendered = blocks.reveal_blocks(reveal)
    assert block_problems(rendered) == []
    texts = "\n".join(b["text"]["text"] for b in rendered if b["type"] == "section")
    assert "*Correct answer:* A) it prints\n```\na\nb\n```" in texts
    assert f"`{ZWSP}`{ZWSP}`{ZWSP}x" in texts  # a choice's backticks cannot open code


# --------------------------------------------------------------------------- console


@pytest.fixture
def kinds_engine(store: Store, clock: FakeClock) -> QuizEngine:
    bank = load_bank(KINDS, builtin_dir=TEST_PACKS)
    return QuizEngine(store, bank, clock=clock, rng=random.Random(5), round_seconds=60)


async def test_console_output_round_typed_with_line_breaks(kinds_engine: QuizEngine) -> None:
    session = ConsoleSession(kinds_engine, player_name="alice")
    for _ in range(4):
        card = await session.handle("/quiz category:code difficulty:hard mode:open") or ""
        if "fence" in card or "python" in card:
            break
    assert '    fence = "`" * 3' in card and "Type exactly what it prints" in card
    feedback = await session.handle(r"/answer ```python\ndone") or ""
    assert "Correct" in feedback and "Output:\n    ```python\n    done" in feedback
    reveal = await session.handle("/close") or ""
    assert "Correct answer: it prints\n    ```python\n    done" in reveal


async def test_console_choice_round_shows_outputs_on_one_line(kinds_engine: QuizEngine) -> None:
    session = ConsoleSession(kinds_engine, player_name="alice")
    card = await session.handle("/quiz category:code difficulty:hard") or ""
    shown = {line[5:] for line in card.splitlines() if re.match(r"  [A-D]\) ", line)}
    assert shown == {"```python ⏎ done", "`python ⏎ done", "``` ⏎ done", "TypeError"}


# --------------------------------------------------------------------------- explanations

EXPLANATION = (
    "Sorting in place returns None.\n\n```python fragment\nnumbers.sort(\n```\n\n"
    "```python\n" + "print(sorted([3, 1, 2]))\n" * 80 + "```"
)


def explained(explanation: str = EXPLANATION) -> Feedback:
    return Feedback(1, "q", True, 1.0, 100, "correct", "A", "A", explanation)


def test_discord_explanations_keep_the_language_and_never_leave_a_block_open() -> None:
    why = {f.name: f.value or "" for f in render.feedback_embed(explained()).fields}["Why"]
    assert len(why) <= render.MAX_FIELD
    assert "```python\nnumbers.sort(\n```" in why and "fragment" not in why
    assert why.count(FENCE) % 2 == 0 and why.endswith("\n```")


def test_slack_explanations_show_no_info_string_and_never_leave_a_block_open() -> None:
    rendered = blocks.feedback_blocks(explained())
    assert block_problems(rendered) == []
    [why] = [b["text"]["text"] for b in rendered if "*Why:*" in b.get("text", {}).get("text", "")]
    assert "```\nnumbers.sort(\n```" in why and "python" not in why
    assert why.count(FENCE) % 2 == 0 and why.endswith("\n```")
    short = blocks.feedback_blocks(explained("No code at all."))
    assert {"type": "mrkdwn", "text": "*Why:* No code at all."} in [b.get("text") for b in short]
