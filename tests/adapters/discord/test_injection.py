"""Injection on Discord: hostile names, answers, options and question-pack text stay inert.

Every message Quizbot sends must parse no mentions (``allowed_mentions: {"parse": []}``), and
what it shows must not even look like a mention (``@everyone``, ``@here``, ``<@id>``,
``<@&id>`` are escaped). User text (display names, free-text answers) is markdown-escaped too;
question-pack text is authored markdown, so only its mentions are escaped.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.discord import QuizBot, create_bot
from bot.config import Settings
from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank
from questions.schema import Pack
from storage.store import Store
from tests.adapters.discord.conftest import MANAGE_GUILD, Driver, user
from tests.adapters.discord.test_commands import button_ids, reply_of
from tests.conftest import FakeClock
from tests.fakes.discord_api import FakeDiscord, Recorded

MENTIONS = "@everyone @here <@&123456789012345678> <@123456789012345679> <@!123456789012345670>"
PACK_TEXT = f"{MENTIONS} **bold** `code`"
# User-supplied markdown that must never reach a payload unescaped:
USER_MARKDOWN = ("__sneaky__", "```boom```", "||spoiler||", "**loud**", "~~gone~~")
HEADING = re.compile(r"(?m)^#+ Big")  # a user's line starting "# " would render as a heading
HOSTILE_NAMES = [
    f"@everyone __sneaky__ {MENTIONS}",
    "```boom``` @here",
    "||spoiler|| <@&123456789012345678>",
    "**loud** ~~gone~~ <@123456789012345679>",
]
HOSTILE_ANSWER = f"# Big\n{MENTIONS}\n```boom```\n**loud** ||spoiler|| hostile phrase"
RAW_MENTION = re.compile(r"@(everyone|here)|<@[!&]?[0-9]+>")
NO_MENTIONS = {"parse": []}


def hostile_bank() -> QuestionBank:
    """A custom pack whose every text tries to mention everyone and inject markdown."""

    def question(qid: str) -> dict[str, Any]:
        return {
            "id": qid,
            "difficulty": "easy",
            "rarity": "common",
            "prompt": f"{PACK_TEXT} ```py\nprint('fence')\n``` prompt",
            "answer": f"{PACK_TEXT} answer",
            "explanation": f"{PACK_TEXT} explanation",
            "choices": [
                {"text": f"{letter} {PACK_TEXT}", "correct": True}
                if letter == "a"
                else {"text": f"{letter} {PACK_TEXT}", "why_wrong": f"{PACK_TEXT} why wrong"}
                for letter in "abcd"
            ],
            "key_points": [{"label": f"{PACK_TEXT} point", "phrases": ["hostile phrase"]}],
            "misconceptions": [
                {"phrases": ["hostile phrase"], "correction": f"{PACK_TEXT} correction"}
            ],
            "samples": [
                {"label": label, "text": f"{label} {PACK_TEXT}", "expected": [0.0, 1.0]}
                for label in ("full", "paraphrase", "partial", "wrong")
            ],
        }

    pack = Pack.model_validate(
        {
            "category": "hostile",
            "title": f"{PACK_TEXT} title",
            "questions": [question("hostile-one"), question("hostile-two")],
        }
    )
    return QuestionBank([pack])


@pytest.fixture
async def hostile(
    store: Store, clock: FakeClock, settings: Settings, fake: FakeDiscord
) -> AsyncIterator[Driver]:
    engine = QuizEngine(store, hostile_bank(), clock=clock, rng=random.Random(3), round_seconds=60)
    client: QuizBot = create_bot(engine, settings)
    try:
        await client.login("fake-token")
        yield Driver(client, fake)
    finally:
        await client.close()


def message_body(request: Recorded) -> dict[str, Any] | None:
    """The message a request creates or edits (None for defers, modals, gateway, sync)."""
    body = request.body
    if not isinstance(body, dict):
        return None
    if request.path.endswith("/callback"):
        body = body.get("data") if body.get("type") in (4, 7) else None
    if not isinstance(body, dict) or not ({"content", "embeds"} & set(body)):
        return None
    return body


def shown_text(body: dict[str, Any]) -> list[str]:
    """What Discord renders as markdown with mentions: content and every embed text."""
    texts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        texts += [embed.get("title", ""), embed.get("description", "")]
        texts += [embed.get("footer", {}).get("text", "")]
        for field in embed.get("fields", []):
            texts += [field["name"], field["value"]]
    return texts


def assert_every_payload_inert(fake: FakeDiscord) -> int:
    """Check every message payload sent to the fake; how many there were."""
    bodies = [b for b in map(message_body, fake.requests) if b is not None]
    for body in bodies:
        assert body.get("allowed_mentions") == NO_MENTIONS, body
        for text in shown_text(body):
            assert not RAW_MENTION.search(text), text
            assert not HEADING.search(text), text
            for markdown in USER_MARKDOWN:
                assert markdown not in text, (markdown, text)
    return len(bodies)


async def test_hostile_names_answers_options_and_pack_text_are_inert(
    hostile: Driver, fake: FakeDiscord
) -> None:
    discord = hostile
    players = [user(f"50000000000000010{i}", name) for i, name in enumerate(HOSTILE_NAMES)]

    # A multiple-choice round from the hostile pack, answered by every hostile name.
    message = await discord.quiz(("category", "hostile"), ("mode", "choice"), who=players[0])
    reasons = []
    for who, custom_id in zip(players, button_ids(message), strict=True):
        token = await discord.run(discord.click(message, custom_id, who=who))
        embed = reply_of(fake, token)["embeds"][0]
        assert "points" in embed["title"]
        reasons += [f["value"] for f in embed["fields"] if f["name"] == "Why your choice is wrong"]
    assert reasons == [f"{PACK_TEXT} why wrong".replace("@", "@\u200b")] * 3  # the wrong ones
    # Admin close: the reveal names the players.
    close = [{"name": "close", "type": 1, "options": []}]
    await discord.run(discord.slash("quiz-admin", close, permissions=str(MANAGE_GUILD)))
    reveal = fake.messages[message["id"]]
    assert "Time's up" in reveal["embeds"][0]["title"]

    # A free-text round: the hostile answer is shown back escaped.
    message = await discord.quiz(("category", "hostile"), ("mode", "open"))
    modal_id = "quizmodal:" + button_ids(message)[0].split(":")[1]
    token = await discord.run(discord.submit(modal_id, HOSTILE_ANSWER, who=players[1]))
    feedback = reply_of(fake, token)["embeds"][0]
    [answer] = [f["value"] for f in feedback["fields"] if f["name"] == "Your answer"]
    assert "\\*\\*loud\\*\\*" in answer and "\\|\\|spoiler\\|\\|" in answer
    assert "@\u200beveryone" in answer and "<@\u200b&123456789012345678>" in answer
    assert any("correction" in f["value"] for f in feedback["fields"])  # the pack's text shown

    # Leaderboard and stats list the hostile names; a hostile option value is echoed back.
    token = await discord.run(discord.slash("leaderboard"))
    assert "\\_\\_sneaky\\_\\_" in reply_of(fake, token)["embeds"][0]["description"]
    await discord.run(discord.slash("stats", who=players[3]))
    token = await discord.run(
        discord.slash("quiz", [{"name": "category", "type": 3, "value": MENTIONS}], channel="1")
    )
    assert "Unknown category" in reply_of(fake, token)["content"]

    assert assert_every_payload_inert(fake) >= 12


async def test_timer_reveal_of_hostile_pack_and_names_is_inert(
    hostile: Driver, fake: FakeDiscord, clock: FakeClock
) -> None:
    discord = hostile
    message = await discord.quiz(("category", "hostile"), ("mode", "choice"))
    for i, custom_id in enumerate(button_ids(message)):
        who = user(f"50000000000000020{i}", HOSTILE_NAMES[i])
        await discord.run(discord.click(message, custom_id, who=who))
    clock.advance(61)
    engine = discord.bot.quiz_engine
    assert engine is not None
    [closed] = await engine.close_due_rounds()
    await engine.publications.drain()
    assert closed.correct_players
    edited = fake.messages[message["id"]]
    assert "Time's up" in edited["embeds"][0]["title"]
    assert edited["allowed_mentions"] == NO_MENTIONS
    assert assert_every_payload_inert(fake) >= 6
