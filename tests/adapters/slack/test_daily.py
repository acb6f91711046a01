"""The daily question on Slack: the scheduled post, its buttons, and /quiz-admin daily."""

from __future__ import annotations

import pytest

from bot.adapters.daily_admin import parse_daily
from bot.adapters.slack import SlackQuiz
from bot.adapters.slack.daily import linked_channel
from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, Team
from tests.adapters.slack.helpers import (
    SlackClient,
    answer_buttons,
    click_payload,
    dumped,
    response_texts,
)
from tests.conftest import FakeClock
from tests.fakes.slack_api import TEAM_ID, FakeSlack

GENERAL = Channel(Team("slack", TEAM_ID), "C1GENERAL", "general")


async def test_scheduled_post_renders_and_a_button_answers_it(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    await engine.daily.set_schedule(GENERAL, time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    service = DailyService(engine)
    await service.start(jobs=False)
    assert await service.run_slot(record, last_slot(spec_of(record), clock())) == "queued"
    await engine.publications.drain()
    [post] = slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "C1GENERAL" and "Daily question #" in dumped(post)
    assert "answered so far" in dumped(post)
    buttons = answer_buttons(post)
    assert [label[0] for label in buttons] == ["A", "B", "C", "D"]
    await client.interact(click_payload(slack, next(iter(buttons.values()))))
    await quiz.drain()
    [feedback] = slack.calls_to("response_url")
    assert feedback.args["response_type"] == "ephemeral" and "points" in feedback.args["text"]
    assert await service.refresh_counts() == 1
    await engine.publications.drain()
    [update] = slack.calls_to("chat.update")
    assert "*1* answered so far" in dumped(update)
    assert slack.errors == []


async def test_not_in_channel_pauses_the_schedule(
    quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine, clock: FakeClock
) -> None:
    await engine.daily.set_schedule(GENERAL, time_of_day="17:00", timezone="Europe/Berlin")
    [record] = await engine.daily.db.active_schedules()
    slack.not_in_channel.add("C1GENERAL")
    service = DailyService(engine)
    assert await service.run_slot(record, last_slot(spec_of(record), clock())) == "queued"
    await engine.publications.drain()
    assert len(slack.calls_to("chat.postMessage")) == 1  # not retried
    assert await engine.daily.db.active_schedules() == []


async def test_admin_daily_commands(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    text = "daily channel:<#C2DAILY|daily> time:09:00 timezone:Europe/Berlin days:mon-fri"
    await client.command("/quiz-admin", text)  # alice is no admin
    await quiz.drain()
    await client.command("/quiz-admin", text.replace("Europe/Berlin", "Berlin"), user_id="U9LISTED")
    await quiz.drain()
    refused, invalid = response_texts(slack)
    assert "Only workspace admins" in refused
    assert "IANA name such as Europe/Berlin" in invalid and "Nothing was saved" in invalid
    assert await engine.daily.schedules(GENERAL.team) == ()
    await client.command("/quiz-admin", text, user_id="U9LISTED")
    await quiz.drain()
    assert (
        "Daily question in <#C2DAILY>: 09:00 Europe/Berlin · mon-fri" in response_texts(slack)[-1]
    )
    await client.command("/quiz-admin", "daily show", user_id="U9LISTED")
    await quiz.drain()
    await client.command("/quiz-admin", "daily bogus:1", user_id="U9LISTED")
    await quiz.drain()
    shown, bogus = response_texts(slack)[-2:]
    assert shown.startswith("<#C2DAILY>: 09:00 Europe/Berlin")
    assert "Usage: /quiz-admin daily" in bogus
    await client.command("/quiz-admin", "daily off <#C2DAILY>", user_id="U9LISTED")
    await quiz.drain()
    assert "is off" in response_texts(slack)[-1]
    assert await engine.daily.schedules(GENERAL.team) == ()
    assert slack.errors == []


def test_daily_channels_are_slack_channel_links_only() -> None:
    team = GENERAL.team
    for text in ("daily channel:<#C2DAILY|daily> time:09:00", "daily off <#C2DAILY|>"):
        given = parse_daily(text).channel
        assert given is not None and linked_channel(team, given).channel_id == "C2DAILY"
    for text in ("daily channel:#daily time:09:00", "daily off #daily", "daily channel:daily"):
        given = parse_daily(text).channel
        assert given is not None
        with pytest.raises(QuizError, match="pick the channel from Slack's list"):
            linked_channel(team, given)


async def test_plain_channel_name_gets_a_clear_refusal(
    client: SlackClient, quiz: SlackQuiz, slack: FakeSlack, engine: QuizEngine
) -> None:
    text = "daily channel:#quiz time:09:00 timezone:Europe/Berlin"
    await client.command("/quiz-admin", text, user_id="U9LISTED")
    await quiz.drain()
    [refusal] = response_texts(slack)
    assert "cannot tell which channel '#quiz' is" in refusal
    assert await engine.daily.schedules(GENERAL.team) == ()
