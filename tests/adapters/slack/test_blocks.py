"""Block Kit rendering: escaping and Slack's limits, checked with the fake's own validator."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack import blocks
from bot.engine.model import (
    CategoryStats,
    ChoiceTally,
    Feedback,
    Leaderboard,
    LeaderboardRow,
    QuestionCard,
    Reveal,
    Stats,
)
from tests.fakes.slack_api import block_problems

LONG = ("word & <!channel> " * 600).strip()


def mrkdwn_texts(value: Any) -> list[str]:
    """Every mrkdwn text in a block tree (plain_text is never parsed for mentions)."""
    if isinstance(value, list):
        return [text for item in value for text in mrkdwn_texts(item)]
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            return [value["text"]]
        return [text for item in value.values() for text in mrkdwn_texts(item)]
    return []


def card(prompt: str = LONG, choice: str = LONG, mode: str = "choice") -> QuestionCard:
    return QuestionCard(
        round_id=123456789012345678,
        kind="quiz",
        mode=mode,  # type: ignore[arg-type]
        question_id="q",
        category="alpha",
        category_title="T" * 300,
        difficulty="hard",
        prompt=prompt,
        choices=(choice,) * 4 if mode == "choice" else (),
        closes_at=0.0,
        time_limit_s=60,
    )


def test_escape_neutralises_mentions_and_entities() -> None:
    assert blocks.escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"
    assert blocks.escape("a\x1b[31mb") == "a\\u001b[31mb"


@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_mrkdwn_fits_and_never_leaves_raw_brackets(text: str, limit: int) -> None:
    out = blocks.mrkdwn(text, limit)
    assert len(out) <= limit
    assert "<" not in out and ">" not in out


def test_long_question_card_stays_within_limits() -> None:
    rendered = blocks.card_blocks(card())
    assert block_problems(rendered) == []
    buttons = [e for b in rendered if b["type"] == "actions" for e in b["elements"]]
    assert all(len(button["text"]["text"]) <= 75 for button in buttons)
    assert all("<!" not in text for text in mrkdwn_texts(rendered))
    assert block_problems(blocks.card_blocks(card(mode="open"))) == []
    assert len(blocks.card_text(card())) <= 3000


def test_long_feedback_reveal_leaderboard_stats_stay_within_limits() -> None:
    feedback = Feedback(
        round_id=1,
        question_id="q",
        correct=False,
        grade=0.5,
        points=3,
        verdict="partial",
        your_answer=LONG,
        reference_answer=LONG,
        explanation=LONG,
        covered=(LONG,) * 20,
        missed=(LONG,) * 20,
        misconception=LONG,
    )
    reveal = Reveal(
        round_id=1,
        question_id="q",
        mode="choice",
        prompt=LONG,
        correct_letter="A",
        correct_text=LONG,
        explanation=LONG,
        tallies=tuple(ChoiceTally(letter, LONG, 3, letter == "A") for letter in "ABCD"),
        answer_count=500,
        correct_players=("<!everyone>",) * 500,
        first_correct="<!everyone>",
    )
    row = LeaderboardRow(1, "U1", LONG, 10, 2, 1)
    board = Leaderboard("week", "C1", (row,) * 10, LeaderboardRow(11, "U2", LONG, 1, 1, 0), 11)
    stats = Stats("U1", LONG, 10, 2, 1, 3, (CategoryStats("c", LONG, 2, 1),) * 30)
    for rendered in (
        blocks.feedback_blocks(feedback),
        blocks.reveal_blocks(reveal),
        blocks.leaderboard_blocks(board),
        blocks.stats_blocks(stats),
        blocks.notice_blocks(LONG),
    ):
        assert block_problems(rendered) == []
        assert all("<!" not in text for text in mrkdwn_texts(rendered))
    assert block_problems(blocks.home_view(board, stats)["blocks"], max_blocks=100) == []


def test_reveal_shows_each_options_share_of_the_answers() -> None:
    tallies = (
        ChoiceTally("A", "Mars", 3, True),
        ChoiceTally("B", "Venus", 1, False),
        ChoiceTally("C", "Jupiter", 0, False),
        ChoiceTally("D", "Mercury", 0, False),
    )
    reveal = Reveal(1, "q", "choice", "Red?", "A", "Mars", "Rust.", tallies, 4, ("a",), "a")
    shown = "\n".join(mrkdwn_texts(blocks.reveal_blocks(reveal)))
    assert "*A)* 3 (75%) · Mars" in shown and "*B)* 1 (25%) · Venus" in shown
    assert "*C)* 0 (0%) · Jupiter" in shown
    nobody = Reveal(1, "q", "choice", "Red?", "A", "Mars", "Rust.", tallies[2:], 0, (), None)
    assert "*C)* 0 (0%)" in "\n".join(mrkdwn_texts(blocks.reveal_blocks(nobody)))


def test_escape_user_breaks_formatting_but_keeps_the_text() -> None:
    out = blocks.escape_user("*b* _i_ ~s~ `c` ```x```\n> q <!here>")
    assert out.replace(blocks.ZWSP, "") == "*b* _i_ ~s~ `c` ```x```\n&gt; q &lt;!here&gt;"
    for markup in ("*b*", "_i_", "~s~", "`c`", "```", "\n&gt;"):
        assert markup not in out
    assert blocks.escape_user("> quote").startswith(blocks.ZWSP)


def test_counts_and_time_limits_read_naturally() -> None:
    review = QuestionCard(1, "review", "open", "q", "c", "C", "easy", "?", (), 0.0, 900)
    assert "within 15 min" in str(blocks.card_blocks(review))
    assert ", 1 answer, " in str(blocks.stats_blocks(Stats("u", "Alice", 100, 1, 1, 1)))
    row = LeaderboardRow(1, "u", "Alice", 10, 1, 1)
    board = blocks.leaderboard_blocks(Leaderboard("week", None, (row,), None, 1))
    assert "'1 player'" in str(board)


def test_feedback_explains_the_grade_with_mentions_escaped() -> None:
    feedback = Feedback(
        round_id=1,
        question_id="q",
        correct=False,
        grade=0.25,
        points=50,
        verdict="partial",
        your_answer="rust",
        reference_answer="Mars.",
        explanation="Rust.",
        covered=("Mentions rust",),
        missed=("Names Mars <!channel>",),
        cap="A central point is missing <!here>, so the grade is at most 50%: Names Mars.",
        why_wrong="Venus is pale <@U0BOSS>.",
    )
    rendered = blocks.feedback_blocks(feedback)
    assert block_problems(rendered) == []
    shown = mrkdwn_texts(rendered)
    assert (
        "You covered 1 of 2 key points.\n✅ Covered: Mentions rust\n"
        "❌ Missed: Names Mars &lt;!channel&gt;"
    ) in shown
    assert (
        "*Why this grade:* A central point is missing &lt;!here&gt;, "
        "so the grade is at most 50%: Names Mars."
    ) in shown
    assert "*Why your choice is wrong:* Venus is pale &lt;@U0BOSS&gt;." in shown
    plain = blocks.feedback_blocks(Feedback(1, "q", True, 1.0, 100, "correct", "A) x", "x", "y"))
    assert not any("Why this grade" in text or "key point" in text for text in mrkdwn_texts(plain))


def test_the_judges_note_is_user_text_and_contradicted_points_are_listed() -> None:
    feedback = Feedback(
        round_id=1,
        question_id="q",
        correct=False,
        grade=0.6,
        points=120,
        verdict="partial",
        your_answer="memory; collisions never hurt",
        reference_answer="Memory and collisions.",
        explanation="Buckets.",
        covered=("Uses extra memory",),
        contradicted=("Collisions can slow it down",),
        judge_note="Good on *memory* <!channel> but collisions <@U0BOSS> do hurt.",
    )
    rendered = blocks.feedback_blocks(feedback)
    assert block_problems(rendered) == []
    shown = mrkdwn_texts(rendered)
    assert (
        "You covered 1 of 2 key points and contradicted 1.\n✅ Covered: Uses extra memory\n"
        "⚠️ Contradicted: Collisions can slow it down"
    ) in shown
    assert (
        f"*Grader's note:* Good on *{blocks.ZWSP}memory*{blocks.ZWSP} &lt;!channel&gt; "
        "but collisions &lt;@U0BOSS&gt; do hurt."
    ) in shown
