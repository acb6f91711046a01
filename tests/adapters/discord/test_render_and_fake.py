"""Rendering within Discord's limits, and the fake's own strictness."""

from __future__ import annotations

import aiohttp
import pytest

from bot.adapters.discord import render
from bot.adapters.discord.components import card_view, reveal_view
from bot.adapters.discord.outbox import embed_and_view
from bot.engine.model import (
    ChoiceTally,
    Feedback,
    Leaderboard,
    LeaderboardRow,
    QuestionCard,
    Reveal,
    Stats,
)
from tests.fakes.discord_api import FakeDiscord


def test_long_texts_are_cut_to_discord_limits() -> None:
    long = "word " * 3000
    feedback = Feedback(1, "q", False, 0.0, 0, "wrong", long, long, long, (long,), (long,), long)
    embed = render.feedback_embed(feedback)
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed) <= 6000
    reveal = Reveal(1, "q", "open", long, None, long, long, (), 0, (), None)
    assert len(render.reveal_embed(reveal).description or "") <= 4096
    card = QuestionCard(1, "quiz", "choice", "q", "c", "C", "easy", long, (long,) * 4, 0.0, 60)
    embed, view = embed_and_view(card)
    assert len(embed.description or "") <= 4096
    assert all(len(getattr(i, "label", "") or "") <= 80 for i in card_view(card).children)
    assert len(view.children) == 4
    assert render.user_text("@here *x*", 100) == "@\u200bhere \\*x\\*"


async def test_fake_refuses_late_double_and_oversized_responses(fake: FakeDiscord) -> None:
    fake.open_interaction("1", "tok", "9", {"id": "5"})
    url = f"{fake.api_url}/interactions/1/tok/callback"
    async with aiohttp.ClientSession() as session:
        big = {"type": 4, "data": {"content": "x" * 2001}}
        async with session.post(url, json=big) as response:
            assert response.status == 400
        async with session.post(url, json={"type": 4, "data": {"content": "hi"}}) as response:
            assert response.status == 204
        async with session.post(url, json={"type": 4, "data": {"content": "hi"}}) as response:
            assert (response.status, (await response.json())["code"]) == (400, 40060)
        fake.deadline_s = 0.0
        fake.open_interaction("2", "tok2", "9", {"id": "5"})
        late = f"{fake.api_url}/interactions/2/tok2/callback"
        async with session.post(late, json={"type": 5}) as response:
            assert (response.status, (await response.json())["code"]) == (404, 10062)
        row = {
            "type": 1,
            "components": [{"type": 2, "label": "x", "custom_id": str(i)} for i in range(6)],
        }
        body = {"content": "x", "components": [row]}
        async with session.post(f"{fake.api_url}/channels/9/messages", json=body) as response:
            assert response.status == 400


def test_an_oversized_reveal_is_fitted_to_6000_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = "word " * 3000
    names = tuple(f"Player {i} " + "x" * 50 for i in range(40))
    row = LeaderboardRow(1, "u", "y" * 300, 10, 1, 1)
    reveal = Reveal(
        1,
        "q",
        "choice",
        long,
        "A",
        long,
        long,
        tuple(ChoiceTally(letter, long, 1, letter == "A") for letter in "ABCD"),
        40,
        names,
        names[0],
        kind="daily",
        top_streaks=tuple((name, 3) for name in names),
        weekly_top=(row,) * 5,
    )
    monkeypatch.setattr(render, "fit", lambda embed: embed)
    assert len(render.reveal_embed(reveal)) > 6000  # big enough to need fitting
    monkeypatch.undo()
    embed = render.reveal_embed(reveal)
    assert len(embed) <= 6000
    assert len(embed.description or "") > 2000 and embed.fields  # cut, not emptied


def test_stats_title_escapes_the_display_name() -> None:
    embed = render.stats_embed(Stats("u", "**boss** @everyone `x`", 0, 0, 0, None))
    assert embed.title == "Stats for \\*\\*boss\\*\\* @\u200beveryone \\`x\\`"


def test_leaderboard_channel_mention_is_in_the_description_not_the_title() -> None:
    row = LeaderboardRow(1, "u", "Alice", 10, 1, 1)
    board = Leaderboard("week", "123", (row,), row, 1)
    embed = render.leaderboard_embed(board, "<#123>")
    assert "<#" not in (embed.title or "") and "this channel" in (embed.title or "")
    assert (embed.description or "").startswith("In <#123>\n")
    assert "Alice" in (embed.description or "")
    server = render.leaderboard_embed(board, None)
    assert server.title == "Leaderboard — this week" and "In " not in (server.description or "")


def test_reveal_shows_each_options_share_of_the_answers() -> None:
    counts = {"A": 3, "B": 1, "C": 0, "D": 0}
    reveal = Reveal(
        7,
        "q",
        "choice",
        "Which?",
        "A",
        "Mars",
        "Because.",
        tuple(ChoiceTally(k, f"option {k}", n, k == "A") for k, n in counts.items()),
        4,
        ("Alice",),
        "Alice",
    )
    description = render.reveal_embed(reveal).description or ""
    assert "A) option A — 3 (75%)" in description and "B) option B — 1 (25%)" in description
    assert "D) option D — 0 (0%)" in description
    labels = [getattr(b, "label", "") for b in reveal_view(reveal).children]
    assert labels == [
        "A) option A · 3 (75%)",
        "B) option B · 1 (25%)",
        "C) option C · 0 (0%)",
        "D) option D · 0 (0%)",
    ]
    nobody = Reveal(
        7,
        "q",
        "choice",
        "Which?",
        "A",
        "Mars",
        "Because.",
        (ChoiceTally("A", "x" * 200, 0, True),),
        0,
        (),
        None,
    )
    assert "— 0 (0%)" in (render.reveal_embed(nobody).description or "")
    many = Reveal(
        7,
        "q",
        "choice",
        "Which?",
        "A",
        "Mars",
        "Because.",
        (ChoiceTally("A", "x" * 200, 99_999, True),),
        99_999,
        (),
        None,
    )
    [label] = [getattr(b, "label", "") for b in reveal_view(many).children]
    assert label.endswith(" · 99999 (100%)") and len(label) <= 80


def test_counts_and_time_limits_read_naturally() -> None:
    review = QuestionCard(1, "review", "open", "q", "c", "C", "easy", "?", (), 0.0, 900)
    assert "15 min to answer" in (render.card_embed(review).footer.text or "")
    stats = render.stats_embed(Stats("u", "Alice", 100, 1, 1, 1))
    assert "· 1 answer ·" in (stats.description or "")
    row = LeaderboardRow(1, "u", "Alice", 10, 1, 1)
    board = render.leaderboard_embed(Leaderboard("week", None, (row,), None, 1), None)
    assert board.footer.text == "1 player"


def test_feedback_explains_the_grade_with_mentions_escaped() -> None:
    feedback = Feedback(
        1,
        "q",
        False,
        0.25,
        50,
        "partial",
        "rust",
        "Mars.",
        "Rust.",
        covered=("Mentions rust",),
        missed=("Names Mars @everyone",),
        cap="A central point is missing @here, so the grade is at most 50%: Names Mars.",
        why_wrong="Venus is pale <@123456789012345678>.",
    )
    fields = {f.name: f.value for f in render.feedback_embed(feedback).fields}
    assert fields["You covered 1 of 2 key points."] == (
        "✅ Covered: Mentions rust\n❌ Missed: Names Mars @\u200beveryone"
    )
    assert fields["Why this grade"] == (
        "A central point is missing @\u200bhere, so the grade is at most 50%: Names Mars."
    )
    assert fields["Why your choice is wrong"] == "Venus is pale <@\u200b123456789012345678>."
    plain = render.feedback_embed(Feedback(1, "q", True, 1.0, 100, "correct", "A) x", "x", "y"))
    assert [f.name for f in plain.fields] == ["Your answer", "Reference answer", "Why"]


def test_the_judges_note_is_user_text_and_contradicted_points_are_listed() -> None:
    feedback = Feedback(
        1,
        "q",
        False,
        0.6,
        120,
        "partial",
        "memory; collisions never hurt",
        "Memory and collisions.",
        "Buckets.",
        covered=("Uses extra memory",),
        contradicted=("Collisions can slow it down",),
        judge_note="Good on **memory** @everyone but collisions <@123456789012345678> do hurt.",
    )
    fields = {f.name: f.value for f in render.feedback_embed(feedback).fields}
    assert fields["You covered 1 of 2 key points and contradicted 1."] == (
        "✅ Covered: Uses extra memory\n⚠️ Contradicted: Collisions can slow it down"
    )
    assert fields["Grader's note"] == (
        "Good on \\*\\*memory\\*\\* @\u200beveryone but collisions "
        "<@\u200b123456789012345678> do hurt."
    )
