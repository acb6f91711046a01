"""Slash commands, buttons and the modal: the real discord.py client against the fake."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from bot.adapters.discord import create_bot
from bot.config import Settings
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    MANAGE_GUILD,
    OTHER_GUILD,
    Driver,
    user,
)
from tests.conftest import FakeClock
from tests.fakes.discord_api import FakeDiscord

EPHEMERAL = 64


def button_ids(message: dict[str, Any]) -> list[str]:
    return [b["custom_id"] for row in message["components"] for b in row["components"]]


def reply_of(fake: FakeDiscord, token: str) -> dict[str, Any]:
    original = fake.original(token)
    assert original is not None
    return original


def callback_flags(fake: FakeDiscord, token: str) -> int:
    [callback] = [r for r in fake.responses(token) if r.path.endswith("/callback")]
    return int((callback.body.get("data") or {}).get("flags") or 0)


def text_of(message: dict[str, Any]) -> str:
    parts = [message["content"]]
    for embed in message["embeds"]:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f["name"] + " " + f["value"] for f in embed.get("fields", [])]
    return "\n".join(parts)


async def test_quiz_posts_question_and_confirms_ephemerally(
    discord: Driver, fake: FakeDiscord
) -> None:
    before = len(fake.requests)
    message = await discord.quiz(("category", "alpha"), ("mode", "choice"))
    assert [len(r["components"]) for r in message["components"]] == [4]
    ids = button_ids(message)
    assert all(i.startswith("quiz:") for i in ids) and [i[-1] for i in ids] == list("ABCD")
    assert message["allowed_mentions"] == {"parse": []}
    assert "Question #" in message["embeds"][0]["title"]
    [callback] = fake.calls("POST", "/callback")[-1:]
    assert callback.query.get("with_response") in ("1", "true")
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] == EPHEMERAL
    assert len(fake.requests) > before


async def test_answer_button_gives_ephemeral_feedback_once(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "beta"))
    first = await discord.run(discord.click(message, button_ids(message)[0]))
    assert callback_flags(fake, first) == EPHEMERAL
    feedback = reply_of(fake, first)
    assert feedback["flags"] & EPHEMERAL
    assert "points" in feedback["embeds"][0]["title"]
    second = await discord.run(discord.click(message, button_ids(message)[1]))
    assert "already answered" in reply_of(fake, second)["content"]
    assert callback_flags(fake, second) == EPHEMERAL


async def test_open_mode_button_opens_modal_and_submission_is_graded(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "beta"), ("mode", "open"))
    [open_id] = button_ids(message)
    assert open_id.startswith("quizopen:")
    token = await discord.run(discord.click(message, open_id))
    [callback] = [r for r in fake.responses(token) if r.path.endswith("/callback")]
    assert callback.body["type"] == 9
    modal = callback.body["data"]
    round_id = open_id.split(":")[1]
    assert modal["custom_id"] == f"quizmodal:{round_id}"
    text_input = modal["components"][0]["components"][0]
    assert text_input["max_length"] == 4000 and text_input["custom_id"] == "answer"
    answered = await discord.run(discord.submit(modal["custom_id"], "some words about it"))
    assert callback_flags(fake, answered) == EPHEMERAL
    assert "Your answer" in text_of(reply_of(fake, answered))


async def test_forged_and_garbage_custom_ids_get_an_ephemeral_unknown(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "alpha"))
    for forged in ("garbage", "quiz:1:E", "quiz:abc:A", "quizopen:", "quizmodal:x"):
        forged_message = {
            **message,
            "components": [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 2, "label": "x", "custom_id": forged}],
                }
            ],
        }
        token = await discord.run(discord.click(forged_message, forged))
        reply = reply_of(fake, token)
        assert reply["flags"] & EPHEMERAL
        assert "closed or unknown" in reply["content"]
    unknown_round = {
        **message,
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "style": 2, "label": "A", "custom_id": "quiz:999:A"}],
            }
        ],
    }
    token = await discord.run(discord.click(unknown_round, "quiz:999:A"))
    assert "unknown here" in reply_of(fake, token)["content"]
    token = await discord.run(discord.submit("quizmodal:999", "hello"))
    assert "unknown here" in reply_of(fake, token)["content"]


async def test_another_guilds_round_is_unknown(discord: Driver, fake: FakeDiscord) -> None:
    message = await discord.quiz(("category", "alpha"))
    token = await discord.run(discord.click(message, button_ids(message)[0], guild=OTHER_GUILD))
    assert "unknown here" in reply_of(fake, token)["content"]
    assert reply_of(fake, token)["flags"] & EPHEMERAL


async def test_buttons_work_after_a_restart(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, settings: Settings, clock: FakeClock
) -> None:
    message = await discord.quiz(("category", "alpha"))
    await discord.bot.close()
    fresh_engine = QuizEngine(engine.store, engine.bank, clock=clock, rng=random.Random(1))
    restarted = create_bot(fresh_engine, settings)
    try:
        await restarted.login("fake-token")
        driver = Driver(restarted, fake)
        token = await driver.run(driver.click(message, button_ids(message)[2], who=BOB))
        assert "points" in reply_of(fake, token)["embeds"][0]["title"]
    finally:
        await restarted.close()


async def test_admin_close_is_gated_and_reveals(discord: Driver, fake: FakeDiscord) -> None:
    message = await discord.quiz(("category", "alpha"))
    close = [{"name": "close", "type": 1, "options": []}]
    refused = await discord.run(discord.slash("quiz-admin", close))
    assert "Manage Server" in reply_of(fake, refused)["content"]
    assert callback_flags(fake, refused) == EPHEMERAL
    assert fake.messages[message["id"]]["edited_timestamp"] is None

    admin = await discord.run(discord.slash("quiz-admin", close, permissions=str(MANAGE_GUILD)))
    assert reply_of(fake, admin)["flags"] & EPHEMERAL
    edited = fake.messages[message["id"]]
    assert "Time's up" in edited["embeds"][0]["title"]
    assert all(b["disabled"] for row in edited["components"] for b in row["components"])
    again = await discord.run(discord.slash("quiz-admin", close, permissions=str(MANAGE_GUILD)))
    assert "no open question" in reply_of(fake, again)["content"]


async def test_admin_close_posts_the_reveal_when_the_question_was_deleted(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "alpha"))
    del fake.messages[message["id"]]
    close = [{"name": "close", "type": 1, "options": []}]
    admin = await discord.run(discord.slash("quiz-admin", close, permissions=str(MANAGE_GUILD)))
    assert "is closed; the answer is revealed" in reply_of(fake, admin)["content"]
    [reveal] = [
        m for m in fake.messages.values() if m.get("interaction_metadata") is None and m["embeds"]
    ]
    assert "Time's up" in reveal["embeds"][0]["title"]


async def test_slow_engine_call_is_deferred_in_time(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    message = await discord.quiz(("category", "alpha"))
    fake.deadline_s = 0.2
    real = engine.store.record_answer

    async def slow_record_answer(**kwargs: Any) -> Any:
        await asyncio.sleep(0.5)
        return await real(**kwargs)

    engine.store.record_answer = slow_record_answer  # type: ignore[method-assign]
    token = await discord.run(discord.click(message, button_ids(message)[0]))
    assert "points" in reply_of(fake, token)["embeds"][0]["title"]
    callback, followup = fake.responses(token)
    assert callback.path.endswith("/callback") and callback.body["type"] == 5  # deferred
    assert callback.status < 300 and callback.code is None  # in time: not 404 10062
    assert followup.method == "POST" and followup.status == 200
    assert not fake.refused()


async def test_everyone_in_names_and_answers_is_inert(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    mallory = user("500000000000000009", "@everyone **boss**")
    message = await discord.quiz(("category", "beta"), ("mode", "open"))
    modal_id = "quizmodal:" + button_ids(message)[0].split(":")[1]
    token = await discord.run(
        discord.submit(
            modal_id,
            "@everyone <@&123456789012345678> **look** not found, the resource does not exist",
            who=mallory,
        )
    )
    feedback = reply_of(fake, token)
    answer = next(f["value"] for f in feedback["embeds"][0]["fields"] if f["name"] == "Your answer")
    assert (
        "@everyone" not in answer and "**" not in answer and "<@&123456789012345678>" not in answer
    )
    [followup] = [r for r in fake.responses(token) if "/webhooks/" in r.path]
    assert followup.body["allowed_mentions"] == {"parse": []}
    clock.advance(61)
    await engine.close_due_rounds()
    await engine.publications.drain()
    reveal = fake.messages[message["id"]]
    assert "@everyone" not in text_of(reveal) and "\\*\\*boss" in text_of(reveal)
    assert reveal["allowed_mentions"] == {"parse": []}


async def test_two_players_answer_concurrently(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    message = await discord.quiz(("category", "alpha"))
    ids = button_ids(message)
    tokens = [discord.send(discord.click(message, ids[0], who=w)) for w in (ALICE, BOB)]
    await asyncio.gather(*(fake.answered(t) for t in tokens))
    await asyncio.sleep(0.05)
    for token in tokens:
        assert "points" in reply_of(fake, token)["embeds"][0]["title"]
    clock.advance(61)
    [reveal] = await engine.close_due_rounds()
    assert reveal.answer_count == 2


async def test_timer_close_edits_message_with_disabled_buttons(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    message = await discord.quiz(("category", "alpha"))
    await discord.run(discord.click(message, button_ids(message)[0]))
    clock.advance(61)
    await engine.close_due_rounds()
    await engine.publications.drain()
    [edit] = fake.calls("PATCH", f"/channels/{CHANNEL}/messages/{message['id']}")
    assert edit.body["allowed_mentions"] == {"parse": []}
    edited = fake.messages[message["id"]]
    assert "Time's up" in edited["embeds"][0]["title"]
    buttons = [b for row in edited["components"] for b in row["components"]]
    assert len(buttons) == 4 and all(b["disabled"] for b in buttons)
    late = await discord.run(discord.click(message, button_ids(message)[1], who=BOB))
    assert "closed" in reply_of(fake, late)["content"]


async def test_leaderboard_and_stats(discord: Driver, fake: FakeDiscord) -> None:
    message = await discord.quiz(("category", "alpha"))
    for who in (ALICE, BOB):
        await discord.run(discord.click(message, button_ids(message)[0], who=who))
    board = await discord.run(
        discord.slash(
            "leaderboard",
            [
                {"name": "period", "type": 3, "value": "all"},
                {"name": "scope", "type": 3, "value": "channel"},
            ],
        )
    )
    embed = reply_of(fake, board)["embeds"][0]
    assert "all time" in embed["title"] and "Alice" in embed["description"]
    assert embed["footer"]["text"].startswith("Your rank:")
    stats = await discord.run(discord.slash("stats"))
    assert "Stats for Alice" in reply_of(fake, stats)["embeds"][0]["title"]
    assert "Seen 1 of 3 questions" in reply_of(fake, stats)["embeds"][0]["description"]
    resolved = {
        "users": {BOB["id"]: BOB},
        "members": {
            BOB["id"]: {
                "roles": [],
                "joined_at": "2025-11-24T16:00:00+00:00",
                "nick": None,
                "flags": 0,
                "permissions": "0",
                "deaf": False,
                "mute": False,
                "pending": False,
                "avatar": None,
                "premium_since": None,
                "communication_disabled_until": None,
            }
        },
    }
    other = await discord.run(
        discord.slash(
            "stats", [{"name": "member", "type": 6, "value": BOB["id"]}], resolved=resolved
        )
    )
    assert "Stats for Bob" in reply_of(fake, other)["embeds"][0]["title"]


async def test_refusals_are_ephemeral(discord: Driver, fake: FakeDiscord) -> None:
    await discord.quiz(("category", "alpha"))
    token = await discord.run(discord.slash("quiz", []))
    assert "already open" in reply_of(fake, token)["content"]
    assert reply_of(fake, token)["flags"] & EPHEMERAL
    token = await discord.run(
        discord.slash("quiz", [{"name": "category", "type": 3, "value": "nope"}], channel="1")
    )
    assert "Unknown category" in reply_of(fake, token)["content"]
