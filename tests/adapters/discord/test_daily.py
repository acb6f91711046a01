"""The daily question on Discord: the scheduled post, its buttons, and /quiz-admin daily."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord as discord_py
import pytest

from bot.adapters.console import ConsoleSession
from bot.adapters.discord import sync_commands
from bot.adapters.discord.daily import NOT_POSTABLE
from bot.config import Settings
from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from tests.adapters.discord.conftest import CHANNEL, GUILD, MANAGE_GUILD, Driver
from tests.adapters.discord.test_commands import button_ids, reply_of, text_of
from tests.conftest import FakeClock
from tests.fakes.discord_api import FakeDiscord

GENERAL = Channel(Team("discord", GUILD), CHANNEL, "general")


def daily_set(**values: str) -> list[dict[str, Any]]:
    options = [{"name": "channel", "type": 7, "value": CHANNEL}]
    options += [{"name": k, "type": 3, "value": v} for k, v in values.items()]
    return [
        {"name": "daily", "type": 2, "options": [{"name": "set", "type": 1, "options": options}]}
    ]


def daily_sub(name: str) -> list[dict[str, Any]]:
    return [{"name": "daily", "type": 2, "options": [{"name": name, "type": 1, "options": []}]}]


RESOLVED = {
    "channels": {CHANNEL: {"id": CHANNEL, "name": "general", "type": 0, "permissions": "84992"}}
}


async def test_scheduled_post_renders_and_its_buttons_answer_it(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, clock: FakeClock
) -> None:
    await engine.daily.set_schedule(GENERAL, time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    service = DailyService(engine)
    await service.start(jobs=False)
    assert await service.run_slot(record, last_slot(spec_of(record), clock())) == "queued"
    await engine.publications.drain()
    [message] = [m for m in fake.messages.values() if m["embeds"]]
    assert message["channel_id"] == CHANNEL
    assert "Daily question #" in message["embeds"][0]["title"]
    assert message["allowed_mentions"] == {"parse": []}
    ids = button_ids(message)
    assert [i[-1] for i in ids] == list("ABCD")
    token = await discord.run(discord.click(message, ids[0]))
    assert "points" in reply_of(fake, token)["embeds"][0]["title"]
    assert await service.refresh_counts() == 1
    await engine.publications.drain()
    assert "Answered so far 1" in text_of(fake.messages[message["id"]])


async def test_admin_daily_commands_are_gated_and_validated(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    refused = await discord.run(
        discord.slash(
            "quiz-admin", daily_set(time="09:00", timezone="Europe/Berlin"), resolved=RESOLVED
        )
    )
    assert "Manage Server" in reply_of(fake, refused)["content"]
    admin = str(MANAGE_GUILD)
    bad = await discord.run(
        discord.slash(
            "quiz-admin",
            daily_set(time="09:00", timezone="Mars/Olympus"),
            resolved=RESOLVED,
            permissions=admin,
        )
    )
    assert "IANA name such as Europe/Berlin" in reply_of(fake, bad)["content"]
    assert await engine.daily.schedules(GENERAL.team) == ()
    good = await discord.run(
        discord.slash(
            "quiz-admin",
            daily_set(time="09:00", timezone="Europe/Berlin", days="mon-fri"),
            resolved=RESOLVED,
            permissions=admin,
        )
    )
    assert "09:00 Europe/Berlin · mon-fri" in reply_of(fake, good)["content"]
    assert reply_of(fake, good)["flags"] & 64
    show = await discord.run(discord.slash("quiz-admin", daily_sub("show"), permissions=admin))
    assert f"<#{CHANNEL}>: 09:00 Europe/Berlin" in reply_of(fake, show)["content"]
    off = await discord.run(discord.slash("quiz-admin", daily_sub("off"), permissions=admin))
    assert "is off" in reply_of(fake, off)["content"]
    assert await engine.daily.schedules(GENERAL.team) == ()


def channel_option(sync_body: list[dict[str, Any]], sub: str) -> dict[str, Any]:
    admin = next(c for c in sync_body if c["name"] == "quiz-admin")
    daily = next(o for o in admin["options"] if o["name"] == "daily")
    command = next(o for o in daily["options"] if o["name"] == sub)
    return dict(next(o for o in command["options"] if o["name"] == "channel"))


async def test_daily_channel_option_offers_text_and_announcement_channels_only(
    settings: Settings, fake: FakeDiscord
) -> None:
    await sync_commands(settings, int(GUILD))
    [put] = fake.calls("PUT", "/commands")
    for sub in ("set", "now"):
        option = channel_option(put.body, sub)
        assert option["type"] == 7 and option["channel_types"] == [0, 5]  # text, news


async def test_daily_set_refuses_a_category_or_voice_channel(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    for kind in (4, 2):  # category, voice: Discord hides them; a stale client may still send
        resolved = {
            "channels": {
                CHANNEL: {"id": CHANNEL, "name": "lobby", "type": kind, "permissions": "0"}
            }
        }
        token = await discord.run(
            discord.slash(
                "quiz-admin",
                daily_set(time="09:00", timezone="Europe/Berlin"),
                resolved=resolved,
                permissions=str(MANAGE_GUILD),
            )
        )
        assert reply_of(fake, token)["content"] == NOT_POSTABLE
        assert reply_of(fake, token)["flags"] & 64
    assert await engine.daily.schedules(GENERAL.team) == ()


async def test_outbox_classifies_gone_channels_and_messages(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    outbox = discord.bot.outbox
    card = await engine.start_round(GENERAL, Player(GENERAL.team, "1", "Alice"))
    fake.non_text_channels.add(CHANNEL)
    with pytest.raises(discord_py.HTTPException) as non_text:
        await outbox.post(GENERAL, card)
    assert outbox.channel_gone(non_text.value) and not outbox.message_gone(non_text.value)
    fake.non_text_channels.clear()
    ref = await outbox.post(GENERAL, card)
    del fake.messages[ref.message_id]
    with pytest.raises(discord_py.NotFound) as deleted:
        await outbox.edit(ref, card)
    assert outbox.message_gone(deleted.value) and not outbox.channel_gone(deleted.value)
    assert not outbox.message_gone(RuntimeError("boom"))
    response = SimpleNamespace(status=500, reason="Server Error")
    temporary = discord_py.DiscordServerError(response, {"code": 0, "message": "oops"})
    assert not outbox.channel_gone(temporary) and not outbox.message_gone(temporary)


async def test_daily_replies_are_the_consoles_word_for_word(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine
) -> None:
    console = ConsoleSession(engine, team_name="elsewhere")
    admin = str(MANAGE_GUILD)
    cases = [
        (daily_sub("show"), "/quiz-admin daily show"),
        (daily_sub("off"), "/quiz-admin daily off"),
        (daily_sub("now"), "/quiz-admin daily now"),
        (
            daily_set(time="25:00", timezone="Europe/Berlin"),
            "/quiz-admin daily time:25:00 timezone:Europe/Berlin",
        ),
    ]
    for options, typed in cases:
        token = await discord.run(
            discord.slash("quiz-admin", options, resolved=RESOLVED, permissions=admin)
        )
        console_reply = await console.handle(typed)
        assert console_reply is not None and console_reply.strip()
        assert reply_of(fake, token)["content"] == console_reply
    assert await engine.daily.schedules(GENERAL.team) == ()
