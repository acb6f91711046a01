"""The shared ``/quiz-admin daily …`` parser and dispatcher: one set of refusals whether the
options were typed or already split, and the engine's schedules behind them (real SQLite)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.daily_admin import (
    USAGE,
    DailyReply,
    DailyRequest,
    daily_request,
    is_daily,
    parse_daily,
    run_daily,
)
from bot.daily import DailyService
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal, Team

TEAM = Team("console", "team-a")
GENERAL = Channel(TEAM, "general", "general")
QUIZ = Channel(TEAM, "quiz", "quiz")


def resolve(name: str) -> Channel:
    """A console-like resolver: ``#name`` or ``name`` is a channel of TEAM."""
    bare = name.removeprefix("#")
    if not bare.isidentifier():
        raise QuizError(f"No channel {bare!r} here.")
    return Channel(TEAM, bare, bare)


def hashed(channel: Channel) -> str:
    return f"#{channel.name}"


def refusal(text: str) -> str:
    with pytest.raises(QuizError) as refused:
        parse_daily(text)
    return refused.value.message


def split_refusal(action: str, options: dict[str, str | None], channel: str | None = None) -> str:
    with pytest.raises(QuizError) as refused:
        daily_request(action, options, channel=channel)
    return refused.value.message


class PrintingOutbox:
    """Keeps what the daily service posted."""

    def __init__(self) -> None:
        self.posted: list[QuestionCard | Reveal] = []

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        self.posted.append(view)
        return MessageRef(channel.channel_id, str(len(self.posted)))

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        self.posted.append(view)


def test_is_daily_only_for_the_daily_word() -> None:
    assert is_daily("daily show") and is_daily("DAILY") and is_daily("  daily off")
    assert not is_daily("disputes") and not is_daily("") and not is_daily(None)
    assert not is_daily("dailyshow")


def test_typed_text_parses_action_channel_and_options() -> None:
    assert parse_daily("daily time:09:00 timezone:UTC") == DailyRequest(
        "set", None, {"time": "09:00", "timezone": "UTC"}
    )
    assert parse_daily("daily set channel:#quiz TIME:09:00 days:mon-fri") == DailyRequest(
        "set", "#quiz", {"time": "09:00", "days": "mon-fri"}
    )
    assert parse_daily("daily OFF <#C123|quiz>") == DailyRequest("off", "<#C123|quiz>")
    assert parse_daily("daily now channel:<#C123|quiz>") == DailyRequest("now", "<#C123|quiz>")
    assert parse_daily("daily show") == DailyRequest("show")


def test_typed_and_split_options_are_refused_with_the_same_words() -> None:
    typed = refusal("daily off time:09:00")
    assert (
        typed
        == split_refusal("off", {"time": "09:00"})
        == (f"daily off takes only a channel. {USAGE}")
    )
    assert refusal("daily now digest:on channel:#quiz") == split_refusal(
        "now", {"digest": "on"}, channel="#quiz"
    )
    assert (
        refusal("daily show channel:#quiz")
        == split_refusal("show", {}, channel="#quiz")
        == (f"daily show takes no options. {USAGE}")
    )
    assert (
        refusal("daily channel:")
        == split_refusal("set", {}, channel="")
        == (f"channel needs a channel after the colon. {USAGE}")
    )


def test_malformed_words_are_refused_with_usage() -> None:
    assert refusal("daily sometimes") == f"Unexpected 'sometimes'. {USAGE}"
    assert refusal("daily colour:red") == f"Unexpected 'colour:red'. {USAGE}"
    assert refusal("daily time:09:00 off") == f"Unexpected 'off'. {USAGE}"
    assert refusal("daily #a #b") == f"Unexpected '#b'. {USAGE}"
    assert refusal("daily time:09:00 time:10:00") == f"time is given twice. {USAGE}"
    assert refusal("daily channel:#a channel:#b") == f"channel is given twice. {USAGE}"
    assert refusal("disputes") == USAGE
    long_word = "x" * 100
    assert refusal(f"daily {long_word}") == f"Unexpected '{'x' * 39}…'. {USAGE}"
    assert split_refusal("later", {}) == f"Unknown daily action 'later'. {USAGE}"
    assert split_refusal("set", {"colour": "red"}) == f"Unexpected option 'colour'. {USAGE}"


def test_split_options_not_given_are_dropped() -> None:
    request = daily_request("SET", {"time": "09:00", "days": None, "close": ""}, channel="#quiz")
    assert request == DailyRequest("set", "#quiz", {"time": "09:00"})
    assert daily_request("off", {"time": None, "digest": ""}) == DailyRequest("off")


def test_reply_renders_channels_and_text_each_platform_its_way() -> None:
    reply = DailyReply((("The daily question in ", QUIZ, " is off <now>."),))
    assert reply.text(hashed) == "The daily question in #quiz is off <now>."
    assert (
        reply.text(lambda c: f"<#{c.channel_id}>", lambda t: t.replace("<", "&lt;"))
        == "The daily question in <#quiz> is off &lt;now>."
    )


async def test_set_show_off_through_the_engine(engine: QuizEngine) -> None:
    saved = await run_daily(
        engine,
        parse_daily("daily channel:#quiz time:09:00 timezone:Europe/Berlin days:mon-fri"),
        here=GENERAL,
        resolve=resolve,
    )
    assert saved.text(hashed).startswith("Daily question in #quiz: 09:00 Europe/Berlin · mon-fri")
    shown = await run_daily(engine, parse_daily("daily show"), here=GENERAL, resolve=resolve)
    assert shown.lines[0][0] == QUIZ
    assert shown.text(hashed).startswith("#quiz: 09:00 Europe/Berlin · mon-fri")
    off = await run_daily(engine, parse_daily("daily off #quiz"), here=GENERAL, resolve=resolve)
    assert off.text(hashed) == "The daily question in #quiz is off."
    with pytest.raises(QuizError) as refused:  # off: nothing left to post now
        await engine.daily.post_now(QUIZ)
    assert "set one first" in refused.value.message


async def test_show_without_schedules_explains_the_format(engine: QuizEngine) -> None:
    shown = await run_daily(engine, daily_request("show", {}), here=GENERAL, resolve=resolve)
    assert shown.text(hashed).startswith("No daily question is scheduled. Format: daily ")


async def test_engine_refusal_saves_nothing(engine: QuizEngine) -> None:
    with pytest.raises(QuizError) as refused:
        await run_daily(
            engine,
            daily_request("set", {"time": "25:00", "timezone": "Europe/Berlin"}),
            here=GENERAL,
            resolve=resolve,
        )
    assert "Nothing was saved" in refused.value.message
    assert await engine.daily.schedules(TEAM) == ()


async def test_unresolvable_channel_is_refused_before_the_engine(engine: QuizEngine) -> None:
    with pytest.raises(QuizError) as refused:
        await run_daily(
            engine,
            parse_daily("daily channel:#no-such! time:09:00 timezone:UTC"),
            here=GENERAL,
            resolve=resolve,
        )
    assert refused.value.message == "No channel 'no-such!' here."
    assert await engine.daily.schedules(TEAM) == ()


async def test_now_posts_the_daily_question_of_the_channel(engine: QuizEngine) -> None:
    outbox = PrintingOutbox()
    engine.register_outbox("console", outbox)
    await DailyService(engine).start(jobs=False)
    with pytest.raises(QuizError) as refused:
        await run_daily(engine, daily_request("now", {}), here=GENERAL, resolve=resolve)
    assert "set one first" in refused.value.message
    await run_daily(
        engine, parse_daily("daily time:09:00 timezone:UTC"), here=GENERAL, resolve=resolve
    )
    posted = await run_daily(engine, parse_daily("daily now"), here=GENERAL, resolve=resolve)
    await engine.publications.drain()
    [card] = outbox.posted
    assert isinstance(card, QuestionCard)
    assert posted.text(hashed) == f"Daily question #{card.round_id} is up in #general."


def test_the_shared_command_loads_no_platform_library() -> None:
    code = (
        "import sys, bot.adapters.daily_admin\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('discord', 'slack_bolt', 'slack_sdk'))))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert result.stdout.strip() == ""
