"""/review, the rating buttons and the dispute / report modals on Discord (loopback fake)."""

from __future__ import annotations

from typing import Any

from bot.engine.engine import QuizEngine
from storage.review_store import ReviewStore
from tests.adapters.discord.conftest import BOB, OTHER_GUILD, Driver
from tests.adapters.discord.test_commands import (
    EPHEMERAL,
    button_ids,
    callback_flags,
    reply_of,
    text_of,
)
from tests.fakes.discord_api import FakeDiscord


def with_button(message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    """``message`` carrying one button with ``custom_id`` (a forged or stale click)."""
    button = {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
    return {**message, "components": [{"type": 1, "components": [button]}]}


def modal_payload(discord: Driver, custom_id: str, fields: dict[str, str], **kw: Any) -> Any:
    components = [
        {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
        for key, value in fields.items()
    ]
    return discord.payload(5, {"custom_id": custom_id, "components": components}, **kw)


async def test_review_rate_dispute_and_report(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    token = await discord.run(discord.slash("review"))
    assert callback_flags(fake, token) == EPHEMERAL
    card = reply_of(fake, token)
    assert card["flags"] & EPHEMERAL and "Question #1" in card["embeds"][0]["title"]
    [open_id] = button_ids(card)
    assert open_id == "quizopen:1"
    answered = await discord.run(discord.submit("quizmodal:1", "no idea"))
    feedback = reply_of(fake, answered)
    assert feedback["flags"] & EPHEMERAL
    assert "Scheduled as Again" in feedback["embeds"][0]["footer"]["text"]
    ids = button_ids(feedback)
    assert ids == [
        "rate:1:again",
        "rate:1:hard",
        "rate:1:good",
        "rate:1:easy",
        "dispute:1",
        "report:1",
    ]

    rated = await discord.run(discord.click(feedback, "rate:1:good"))
    assert "Rated **Good**" in reply_of(fake, rated)["content"]
    assert reply_of(fake, rated)["flags"] & EPHEMERAL

    opened = await discord.run(discord.click(feedback, "dispute:1"))
    [callback] = [r for r in fake.responses(opened) if r.path.endswith("/callback")]
    assert callback.body["type"] == 9 and callback.body["data"]["custom_id"] == "disputemodal:1"
    disputed = await discord.run(
        modal_payload(discord, "disputemodal:1", {"note": "@everyone I said it differently"})
    )
    assert "dispute #1" in reply_of(fake, disputed)["content"]
    reported = await discord.run(
        modal_payload(discord, "reportmodal:1", {"kind": "unclear", "note": ""})
    )
    assert "report (unclear) #2" in reply_of(fake, reported)["content"]
    bad = await discord.run(modal_payload(discord, "reportmodal:1", {"kind": "spam", "note": ""}))
    assert "Allowed: typo, wrong, unclear" in reply_of(fake, bad)["content"]
    rows = await ReviewStore(engine.store).reports()
    assert [(r.kind, r.answer) for r in rows] == [("dispute", "no idea"), ("unclear", "no idea")]


async def test_quiz_feedback_has_dispute_and_report_but_no_rating(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "alpha"))
    token = await discord.run(discord.click(message, button_ids(message)[0]))
    feedback = reply_of(fake, token)
    assert [i.split(":")[0] for i in button_ids(feedback)] == ["dispute", "report"]
    round_id = button_ids(message)[0].split(":")[1]
    rate = f"rate:{round_id}:good"
    refused = await discord.run(discord.click(with_button(feedback, rate), rate))
    assert "Only /review" in reply_of(fake, refused)["content"]


async def test_rating_from_another_guild_is_unknown(discord: Driver, fake: FakeDiscord) -> None:
    await discord.run(discord.slash("review"))
    await discord.run(discord.submit("quizmodal:1", "no idea"))
    token = await discord.run(discord.slash("stats"))
    assert "Reviews due" not in text_of(reply_of(fake, token))  # in the footer, not fields
    feedback = reply_of(fake, token)
    refused = await discord.run(
        discord.click(with_button(feedback, "rate:1:easy"), "rate:1:easy", guild=OTHER_GUILD)
    )
    assert "unknown" in reply_of(fake, refused)["content"]


async def test_another_members_review_is_unknown(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    """A forged answer modal and rating button on Bob's private review, sent by Alice."""
    await discord.run(discord.slash("review", who=BOB))
    forged = await discord.run(discord.submit("quizmodal:1", "my guess"))
    assert "unknown" in reply_of(fake, forged)["content"]
    assert await engine.store.answer_count(1) == 0
    answered = await discord.run(discord.submit("quizmodal:1", "no idea", who=BOB))
    feedback = reply_of(fake, answered)
    refused = await discord.run(discord.click(feedback, "rate:1:easy"))
    assert "unknown" in reply_of(fake, refused)["content"]
    reported = await discord.run(modal_payload(discord, "reportmodal:1", {"kind": "typo"}))
    assert "unknown" in reply_of(fake, reported)["content"]
    assert await ReviewStore(engine.store).reports() == []
