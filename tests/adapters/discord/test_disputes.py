"""/quiz-admin disputes|uphold|reject|resolve on Discord, and the player's DM."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from tests.adapters.discord.conftest import ALICE, BOB, CHANNEL, GUILD, MANAGE_GUILD, Driver
from tests.adapters.discord.test_commands import EPHEMERAL, callback_flags, reply_of, text_of
from tests.analytics_data import (
    DAY,
    DIGEST_TITLE,
    FIGURES,
    FLAGGED,
    PROGRESS_LINE,
    answer_easy_question,
    last_week_then_a_daily_slot,
    run_due_slot,
)
from tests.conftest import FakeClock
from tests.fakes.discord_api import FakeDiscord

TEAM = Team("discord", GUILD)
ADMIN = str(MANAGE_GUILD)


async def file_dispute(engine: QuizEngine, clock: FakeClock) -> int:
    """Alice answers a free-text question with a ping in it, gets 0 and disputes it."""
    alice = Player(TEAM, ALICE["id"], "Alice @everyone")
    card = await engine.start_round(
        Channel(TEAM, CHANNEL, "general"), alice, category="alpha", difficulty="easy", mode="open"
    )
    clock.advance(6)
    await engine.answer(alice, card.round_id, text="no idea <@&123456789012345678> **bold**")
    return (await engine.dispute(alice, card.round_id, "@here my answer was right")).report_id


def sub(name: str, **values: Any) -> list[dict[str, Any]]:
    types = {int: 4, str: 3}
    options = [{"name": k, "type": types[type(v)], "value": v} for k, v in values.items()]
    return [{"name": name, "type": 1, "options": options}]


async def test_admin_lists_upholds_and_the_player_gets_a_dm(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    report_id = await file_dispute(engine, clock)
    listed = await discord.run(
        discord.slash("quiz-admin", sub("disputes"), permissions=ADMIN, who=BOB)
    )
    assert callback_flags(fake, listed) == EPHEMERAL
    [embed] = reply_of(fake, listed)["embeds"]
    [field] = embed["fields"]
    assert field["name"] == f"Grade dispute #{report_id} · question #1 · grade 0%"
    assert "Which planet is known as the red planet?" in field["value"]
    assert "no idea <@\u200b&123456789012345678> \\*\\*bold\\*\\*" in field["value"]
    assert "@\u200bhere my answer was right" in field["value"]
    assert reply_of(fake, listed)["allowed_mentions"] == {"parse": []}

    upheld = await discord.run(
        discord.slash(
            "quiz-admin",
            sub("uphold", report=report_id, grade="0.8", note="@everyone fair point"),
            permissions=ADMIN,
            who=BOB,
        )
    )
    confirmation = reply_of(fake, upheld)["content"]
    assert confirmation.startswith(f"Grade dispute #{report_id} upheld: Alice @\u200beveryone")
    assert "80% (0 → 76 pts)" in confirmation and "was told privately" in confirmation
    dm_channel = fake.dm_channels[ALICE["id"]]
    [dm] = [m for m in fake.messages.values() if m["channel_id"] == dm_channel]
    assert dm["allowed_mentions"] == {"parse": []}
    told = text_of(dm)
    assert f"Grade dispute #{report_id} on question #1: upheld" in told
    assert "corrected from 0% to 80% (0 → 76 pts)" in told
    assert "@\u200beveryone fair point" in told
    board = await engine.leaderboard(TEAM, period="all")
    assert [row.points for row in board.rows] == [76]
    again = await discord.run(
        discord.slash("quiz-admin", sub("disputes"), permissions=ADMIN, who=BOB)
    )
    assert "No open grade disputes" in text_of(reply_of(fake, again))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (sub("uphold", report=1, grade="1.5"), "from 0 to 1"),
        (sub("reject", report=7), "There is no report #7 here."),
        (sub("resolve", report=1, note="x" * 1001), "under 1000 characters"),
    ],
)
async def test_bad_settlements_are_refused_ephemerally_and_change_nothing(
    discord: Driver,
    fake: FakeDiscord,
    engine: QuizEngine,
    clock: FakeClock,
    options: list[dict[str, Any]],
    message: str,
) -> None:
    await file_dispute(engine, clock)
    refused = await discord.run(discord.slash("quiz-admin", options, permissions=ADMIN, who=BOB))
    assert callback_flags(fake, refused) == EPHEMERAL
    content = reply_of(fake, refused)["content"]
    assert message in content, content
    assert len(await engine.disputes.open_reports(TEAM)) == 1
    assert ALICE["id"] not in fake.dm_channels


async def test_only_server_managers_settle(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    report_id = await file_dispute(engine, clock)
    for options in (sub("disputes"), sub("reject", report=report_id)):
        refused = await discord.run(discord.slash("quiz-admin", options))
        assert "Manage Server" in reply_of(fake, refused)["content"]
    assert len(await engine.disputes.open_reports(TEAM)) == 1


async def test_a_player_who_takes_no_dm_is_told_when_they_open_them(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    report_id = await file_dispute(engine, clock)
    fake.dms_closed.add(ALICE["id"])
    rejected = await discord.run(
        discord.slash("quiz-admin", sub("reject", report=report_id), permissions=ADMIN, who=BOB)
    )
    assert "will be told privately" in reply_of(fake, rejected)["content"]
    fake.dms_closed.clear()
    assert await engine.disputes.tell_pending() == 1
    dm_channel = fake.dm_channels[ALICE["id"]]
    [dm] = [m for m in fake.messages.values() if m["channel_id"] == dm_channel]
    assert "your grade of 0% stands" in text_of(dm)


async def test_admin_sees_how_the_questions_fare(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    await answer_easy_question(engine, TEAM, CHANNEL)
    shown = await discord.run(
        discord.slash("quiz-admin", sub("questions"), permissions=ADMIN, who=BOB)
    )
    assert callback_flags(fake, shown) == EPHEMERAL
    [embed] = reply_of(fake, shown)["embeds"]
    [field] = embed["fields"]
    assert field["name"] == FLAGGED and field["value"].startswith(FIGURES)
    assert "Flags need 10 answers" in embed["footer"]["text"]
    refused = await discord.run(discord.slash("quiz-admin", sub("questions")))
    assert "Manage Server" in reply_of(fake, refused)["content"]


async def test_admin_sees_each_members_progress(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    await answer_easy_question(engine, TEAM, CHANNEL)
    shown = await discord.run(
        discord.slash("quiz-admin", sub("progress"), permissions=ADMIN, who=BOB)
    )
    assert callback_flags(fake, shown) == EPHEMERAL
    [embed] = reply_of(fake, shown)["embeds"]
    assert len(embed["fields"]) == 12
    name, summary = PROGRESS_LINE.split(": ", 1)
    member = next(f for f in embed["fields"] if f["name"] == name)
    assert member["value"] == f"{summary}\nAlpha basics ▰▰▰▰▰▰▰▰▰▰ 1/1 (100%)"
    refused = await discord.run(discord.slash("quiz-admin", sub("progress")))
    assert "Manage Server" in reply_of(fake, refused)["content"]


async def test_admin_ends_the_season_and_the_leaderboard_shows_it(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    await answer_easy_question(engine, TEAM, CHANNEL)
    end = [
        {
            "name": "season",
            "type": 2,
            "options": [
                {"name": "end", "type": 1, "options": [{"name": "name", "type": 3, "value": "Q1"}]}
            ],
        }
    ]
    refused = await discord.run(discord.slash("quiz-admin", end))
    assert "Manage Server" in reply_of(fake, refused)["content"]
    ended = await discord.run(discord.slash("quiz-admin", end, permissions=ADMIN, who=BOB))
    content = reply_of(fake, ended)["content"]
    assert content.startswith("Season Q1 is over and archived: champions player 1, player 2")
    final = await discord.run(
        discord.slash("leaderboard", [{"name": "season", "type": 3, "value": "q1"}])
    )
    [embed] = reply_of(fake, final)["embeds"]
    assert embed["title"] == "Leaderboard — season Q1, final standings"
    assert embed["description"].startswith("🏆 Champions: player 1, player 2")
    current = await discord.run(
        discord.slash("leaderboard", [{"name": "period", "type": 3, "value": "season"}])
    )
    assert reply_of(fake, current)["embeds"][0]["title"] == "Leaderboard — this season"


async def test_the_weekly_digest_follows_the_weeks_first_daily_question(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    general = Channel(TEAM, CHANNEL, "general")
    service, record = await last_week_then_a_daily_slot(engine, clock, general)
    assert await run_due_slot(service, record, clock) == "posted"
    [digest] = [m for m in fake.messages.values() if DIGEST_TITLE in text_of(m)]
    assert digest["channel_id"] == CHANNEL and digest["allowed_mentions"] == {"parse": []}
    [embed] = digest["embeds"]
    top, missed, categories = embed["fields"]
    assert top["value"].startswith("1. player 1 — 100 pts")
    assert missed["name"] == "Most missed (11/12 answers correct)"
    assert categories["value"] == "Alpha basics 92% (11/12)"
    clock.advance(DAY)
    assert await run_due_slot(service, record, clock) == "posted"
    assert len([m for m in fake.messages.values() if DIGEST_TITLE in text_of(m)]) == 1
    await service.stop()


async def test_without_dms_the_players_next_private_reply_tells_them(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    report_id = await file_dispute(engine, clock)
    fake.dms_closed.add(ALICE["id"])
    await discord.run(
        discord.slash(
            "quiz-admin",
            sub("uphold", report=report_id, grade="1", note="yes"),
            permissions=ADMIN,
            who=BOB,
        )
    )
    title = f"Grade dispute #{report_id} on question #1: upheld"
    assert not [m for m in fake.messages.values() if title in text_of(m)]  # not yet told
    await discord.run(discord.slash("review"))  # Alice's next command, answered privately
    [notice] = [m for m in fake.messages.values() if title in text_of(m)]
    assert notice["channel_id"] == CHANNEL and notice["flags"] & EPHEMERAL
    assert "corrected from 0% to 100%" in text_of(notice)
    fake.dms_closed.clear()
    assert await engine.disputes.tell_pending() == 0  # told once
    await discord.run(discord.slash("review"))
    assert len([m for m in fake.messages.values() if title in text_of(m)]) == 1
