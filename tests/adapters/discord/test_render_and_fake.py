"""Rendering within Discord's limits, and the fake's own strictness."""

from __future__ import annotations

import aiohttp

from bot.adapters.discord import render
from bot.adapters.discord.components import card_view
from bot.adapters.discord.outbox import embed_and_view
from bot.engine.model import Feedback, QuestionCard, Reveal
from tests.fakes.discord_api import FakeDiscord


def test_long_texts_are_cut_to_discord_limits() -> None:
    long = "word " * 3000
    feedback = Feedback(1, "q", False, 0.0, 0, "wrong", long, long, long, (long,), (long,), long)
    embed = render.feedback_embed(feedback)
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed) <= 6000 or all(len(f.value or "") <= 1024 for f in embed.fields)
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
