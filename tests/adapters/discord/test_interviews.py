"""/interview start|stop|history on Discord (loopback fake): ephemeral questions, the answer
modal, follow-ups, the scorecard in several messages, stale buttons and a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord import QuizBot
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import QuestionBank
from tests.adapters.discord.conftest import BOB, GUILD, Driver
from tests.adapters.discord.test_commands import EPHEMERAL, button_ids, callback_flags
from tests.conftest import FakeClock
from tests.fakes.discord_api import FakeDiscord
from tests.interviews.support import (
    BUDGET_S,
    WEAK_ANSWER,
    builtin_bank,
    follow_up_point,
    opened_engine,
    point_answer,
    question_shown_in,
    strong_answer,
)


@pytest.fixture
def bank() -> QuestionBank:
    return builtin_bank()


def sub(name: str, **values: str) -> list[dict[str, Any]]:
    """The options of ``/interview <name> key:value ...``."""
    options = [{"name": k, "type": 3, "value": v} for k, v in values.items()]
    return [{"name": name, "type": 1, "options": options}]


def text_of(body: dict[str, Any]) -> str:
    """Everything a sent message body shows: content, embed titles, texts and fields."""
    parts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f["name"] + " " + f["value"] for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def messages(fake: FakeDiscord, token: str) -> list[dict[str, Any]]:
    """Every message the interaction's followups sent, in order."""
    return [r.body for r in fake.responses(token) if r.method == "POST" and "/webhooks/" in r.path]


async def run(discord: Driver, fake: FakeDiscord, payload: dict[str, Any]) -> list[dict[str, Any]]:
    token = await discord.run(payload)
    sent = messages(fake, token)
    assert sent, fake.requests
    assert all(m["flags"] & EPHEMERAL and m["allowed_mentions"] == {"parse": []} for m in sent)
    return sent


async def answer(
    discord: Driver, fake: FakeDiscord, shown: dict[str, Any], text: str, **kw: Any
) -> list[dict[str, Any]]:
    """Press the question's Answer button (it opens the modal) and submit ``text``."""
    [answer_id, _] = button_ids(shown)
    token = await discord.run(discord.click(shown, answer_id, **kw))
    [callback] = [r for r in fake.responses(token) if r.path.endswith("/callback")]
    assert callback.body["type"] == 9  # the modal
    modal_id = callback.body["data"]["custom_id"]
    assert modal_id == answer_id.replace("ivanswer", "ivmodal")
    return await run(discord, fake, discord.submit(modal_id, text, **kw))


async def test_a_whole_interview_in_ephemeral_messages(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    token = await discord.run(discord.slash("interview", sub("start", length="5")))
    assert callback_flags(fake, token) == EPHEMERAL
    [shown] = messages(fake, token)
    assert shown["embeds"][0]["title"].startswith("Interview #1 · question 1 of 5 · ")
    assert button_ids(shown) == ["ivanswer:1:1", "ivstop:1"]
    assert "⏱ 3 min for this question" in text_of(shown) and "<t:" in text_of(shown)
    sent = [shown]
    while sent[0].get("components"):
        sent = await answer(
            discord, fake, sent[0], strong_answer(question_shown_in(text_of(sent[0])))
        )
    summary = sent[0]["embeds"][0]
    assert summary["title"] == "Interview #1 scorecard — finished, 5 of 5 questions answered"
    assert "**Verdict: ready" in summary["description"]
    assert "ready ≥ 75 %, almost ≥ 50 %, else not yet" in summary["description"]
    assert len([e for m in sent for e in m["embeds"]]) == 6  # the summary and 5 questions
    assert all(len(m["embeds"]) <= 10 for m in sent)
    board = await engine.leaderboard(Team("discord", GUILD))
    [row] = board.rows
    assert row.display_name == "Alice" and 0 < row.points <= 100 and row.answers == 5


async def test_follow_ups_and_the_stop_button(discord: Driver, fake: FakeDiscord) -> None:
    [shown] = await run(discord, fake, discord.slash("interview", sub("start", category="python")))
    question = question_shown_in(text_of(shown))
    [follow] = await answer(discord, fake, shown, WEAK_ANSWER)
    assert "follow-up" in follow["embeds"][0]["title"]
    assert button_ids(follow) == ["ivanswer:1:1f", "ivstop:1"]
    assert question.reference_answer not in text_of(follow)
    [second] = await answer(
        discord, fake, follow, point_answer(question, follow_up_point(question))
    )
    assert "question 2 of 8" in second["embeds"][0]["title"]
    [follow2] = await answer(discord, fake, second, "@everyone **no idea**")
    await answer(discord, fake, follow2, "Something about loops.")
    token = await discord.run(discord.click(second, "ivstop:1"))
    card = messages(fake, token)
    text = "\n".join(text_of(m) for m in card)
    assert "stopped, 2 of 8" in text and "earned back" in text and "earned nothing back" in text
    assert "@\u200beveryone" in text and "\\*\\*no idea\\*\\*" in text
    assert "`/review category:python`" in text


async def test_stale_and_foreign_buttons_are_refused(discord: Driver, fake: FakeDiscord) -> None:
    [shown] = await run(discord, fake, discord.slash("interview", sub("start", length="5")))
    stolen = await run(discord, fake, discord.submit("ivmodal:1:1", "bob's answer", who=BOB))
    assert "not yours" in text_of(stolen[0])
    [nxt] = await answer(discord, fake, shown, strong_answer(question_shown_in(text_of(shown))))
    again = await run(discord, fake, discord.submit("ivmodal:1:1", "second try"))
    assert "already answered" in text_of(again[0])
    await run(discord, fake, discord.slash("interview", sub("stop")))
    ended = await run(discord, fake, discord.submit("ivmodal:1:2", "late"))
    assert "has ended" in text_of(ended[0])
    stale_stop = await run(discord, fake, discord.click(nxt, "ivstop:1"))
    assert "has ended" in text_of(stale_stop[0])
    [history] = await run(discord, fake, discord.slash("interview", sub("history")))
    assert "#1 · stopped · 1 of 5 answered" in history["embeds"][0]["description"]
    bad = await run(discord, fake, discord.slash("interview", sub("start", category="cooking")))
    assert "Unknown category" in text_of(bad[0])


async def test_restart_mid_interview_and_an_answer_over_time(
    discord: Driver, fake: FakeDiscord, bot: QuizBot, tmp_path: Path, clock: FakeClock
) -> None:
    [shown] = await run(discord, fake, discord.slash("interview", sub("start", length="5")))
    await bot.quiz_engine.store.close()  # type: ignore[union-attr]
    async with opened_engine(tmp_path / "quizbot.db", clock, seed=5) as reopened:
        bot.quiz_engine = reopened
        clock.advance(BUDGET_S + 30)
        [resumed] = await run(discord, fake, discord.slash("interview", sub("start")))
        assert resumed["embeds"][0]["footer"]["text"].startswith("Resuming where you left it.")
        assert button_ids(resumed) == button_ids(shown)
        [nxt] = await answer(discord, fake, shown, strong_answer(question_shown_in(text_of(shown))))
        assert "question 2 of 5" in nxt["embeds"][0]["title"]
        card = await run(discord, fake, discord.slash("interview", sub("stop")))
        assert "30s over" in "\n".join(text_of(m) for m in card)


async def test_targeted_review_option(discord: Driver, fake: FakeDiscord) -> None:
    options = [{"name": "category", "type": 3, "value": "web"}]
    [card] = await run(discord, fake, discord.slash("review", options))
    assert question_shown_in(text_of(card)).category == "web"
