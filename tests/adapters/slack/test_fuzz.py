"""Property-based bad input through the Slack translation layer.

The parsers and payload readers either return a value of the promised shape or raise their one
documented error; and the real app, fed generated commands, clicks and modal submissions over
loopback, never fails, answers privately, shows no other team's data and writes nothing when it
refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.daily_admin import USAGE as DAILY_USAGE
from bot.adapters.daily_admin import parse_daily
from bot.adapters.slack import blocks, create_app, serve_http
from bot.adapters.slack.daily import linked_channel
from bot.adapters.slack.parsing import (
    USAGE,
    AdminArgs,
    ButtonValue,
    LeaderboardArgs,
    QuizArgs,
    StatsArgs,
    UsageError,
    parse_admin,
    parse_button_value,
    parse_leaderboard,
    parse_quiz,
    parse_stats,
)
from bot.adapters.slack.payloads import (
    PayloadError,
    command_identity,
    event_name,
    event_team,
    interaction_channel,
    interaction_identity,
    modal_metadata,
    modal_response_url,
    text_field,
    view_value,
)
from bot.config import Settings
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import MODES, PERIODS, Channel, Player, Team
from bot.logging_setup import EVENT_LOGGER
from questions.loader import load_bank
from questions.schema import DIFFICULTIES
from storage.store import Store
from tests.adapters.slack.helpers import (
    BOT_TOKEN,
    FORM,
    SECRET,
    SlackClient,
    actor,
    click_payload,
    command_form,
)
from tests.conftest import TEST_PACKS, FakeClock
from tests.fakes.slack_api import TEAM_ID, FakeSlack

FUZZ = settings(max_examples=100, deadline=None)
LOOPBACK = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WORDS = st.sampled_from(
    [
        "python", "alpha", "easy", "HARD", "open", "choice", "week", "all", "channel", "here",
        "close", "daily", "show", "off", "now", "help", "?", "<!channel>", "<@U123|bob>",
        "<@U1>", "<#C2XYZ|random>", "<#C2XYZ|>", "#random", "channel:<#C9|x>", "channel:#x",
        "time:09:00", "timezone:Europe/Berlin", "days:mon-fri", "bogus:1", "*boss*", "```",
        "quiz:1:A", "x" * 300,
    ]
)  # fmt: skip
COMMAND_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(WORDS, max_size=6).map(" ".join),
    st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=20)), max_size=5).map(" ".join),
    st.integers(1_000, 40_000).map(lambda n: "é<*_" * (n // 4)),
)
BUTTON_VALUE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["quiz:1:A", "quiz:1:open", "quiz:0:B", "rate:1:good", "dispute:1"]),
    st.builds("quiz:{}:{}".format, st.integers(-5, 10**20), st.sampled_from("ABCDEab")),
    st.integers(2000, 10_000).map(lambda n: "quiz:" + "9" * n + ":A"),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["team_id", "user_id", "channel_id", "channel_name", "user_name", "text", "command", "id",
     "name", "username", "team", "user", "channel", "actions", "view", "type", "event",
     "private_metadata", "state", "values", "value", "callback_id", "response_url"]
)  # fmt: skip
PAYLOAD = st.recursive(
    st.none() | st.integers() | st.text(max_size=30) | JSON,
    lambda inner: st.dictionaries(KEYS, inner, max_size=6) | st.lists(inner, max_size=3),
    max_leaves=25,
)
_ID = re.compile(r"^[UWCGD][A-Z0-9]{1,20}$")


# -- parsing.py and daily.py -------------------------------------------------------------------


@FUZZ
@given(COMMAND_TEXT | st.none())
def test_parse_quiz_returns_known_words_or_usage(text: str | None) -> None:
    try:
        args = parse_quiz(text)
    except UsageError as exc:
        assert exc.message.endswith(USAGE["quiz"])
        return
    assert isinstance(args, QuizArgs)
    assert args.difficulty in (None, *DIFFICULTIES) and args.mode in (None, *MODES)
    assert args.category is None or args.category in (text or "").split()


@FUZZ
@given(COMMAND_TEXT | st.none())
def test_parse_leaderboard_returns_a_period_and_a_channel_id_or_usage(text: str | None) -> None:
    try:
        args = parse_leaderboard(text, "C1HERE")
    except UsageError:
        return
    assert isinstance(args, LeaderboardArgs)
    assert args.period in (None, *PERIODS)
    assert args.channel_id is None or _ID.match(args.channel_id)


@FUZZ
@given(COMMAND_TEXT | st.none())
def test_parse_stats_and_admin_return_or_usage(text: str | None) -> None:
    try:
        stats = parse_stats(text)
    except UsageError:
        pass
    else:
        assert isinstance(stats, StatsArgs)
        assert stats.user_id is None or _ID.match(stats.user_id)
        assert ">" not in stats.name and len(stats.name) <= 80
    try:
        admin = parse_admin(text)
    except UsageError:
        pass
    else:
        assert admin == AdminArgs("close")


@FUZZ
@given(COMMAND_TEXT | st.none())
def test_parse_daily_returns_a_linked_channel_or_refuses(text: str | None) -> None:
    team = Team("slack", TEAM_ID)
    try:
        args = parse_daily(f"daily {text or ''}")
        channel = None if args.channel is None else linked_channel(team, args.channel)
    except QuizError as exc:
        assert DAILY_USAGE in exc.message
        return
    assert args.action in ("set", "off", "show", "now")
    assert channel is None or (_ID.match(channel.channel_id) and channel.team == team)
    assert args.action == "set" or not args.options


@FUZZ
@given(BUTTON_VALUE | JSON)
def test_parse_button_value_round_trips_or_is_a_value_error(value: object) -> None:
    try:
        decoded = parse_button_value(value)
    except ValueError:
        return
    assert isinstance(decoded, ButtonValue) and decoded.round_id >= 0
    assert blocks.button_value(decoded.round_id, decoded.choice) == value


# -- payloads.py -------------------------------------------------------------------------------


@FUZZ
@given(PAYLOAD)
def test_payload_readers_return_or_raise_payload_error(body: Any) -> None:
    mapping = body if isinstance(body, dict) else {"payload": body}
    for read in (command_identity, interaction_identity):
        with contextlib.suppress(PayloadError):
            read(mapping)
    team = Team("slack", "T1")
    channel = interaction_channel(mapping, team)
    assert channel is None or (channel.channel_id and channel.team == team)
    assert isinstance(event_name(mapping), str) and isinstance(event_team(mapping), str)
    assert isinstance(text_field(body, "text", "id"), str)
    view = mapping.get("view", body)
    try:
        round_id, channel_id = modal_metadata(view)
    except PayloadError:
        pass
    else:
        assert isinstance(round_id, int) and channel_id
    url = modal_response_url(view)
    assert url == "" or url.startswith(("http://", "https://"))
    assert isinstance(view_value(view, "answer", "text"), str)


@FUZZ
@given(
    st.dictionaries(st.sampled_from(["round", "channel", "response_url"]), JSON),
    st.text(max_size=40),
)
def test_modal_metadata_accepts_only_a_round_and_a_channel(meta: dict[str, Any], junk: str) -> None:
    view = {"private_metadata": json.dumps(meta)}
    try:
        round_id, channel_id = modal_metadata(view)
    except PayloadError:
        assert not (
            isinstance(meta.get("round"), int)
            and isinstance(meta.get("channel"), str)
            and meta["channel"]
        )
    else:
        assert (round_id, channel_id) == (meta["round"], meta["channel"])
    assert modal_response_url({"private_metadata": junk}) in ("", junk)


# -- the real app over loopback ----------------------------------------------------------------

EVIL_TEAM = "T9EVIL"
SECRET_NAME = "Zelda-of-the-home-team"
COMMANDS = st.sampled_from(["/quiz", "/leaderboard", "/stats", "/review", "/quiz-admin"])
CLICKS = st.sampled_from(["quiz:answer:A", "quiz:open", "review:rate:good", "review:dispute"])
MODALS = st.sampled_from(["quiz:answer_modal", "review:dispute_modal", "review:report_modal"])
METADATA = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda r, c: json.dumps({"round": r, "channel": c}),
        st.integers(-3, 10**19) | st.text(max_size=5),
        st.sampled_from(["C1GENERAL", "", "D1"]),
    ),
)
REQUEST = st.one_of(
    st.tuples(st.just("command"), COMMANDS, COMMAND_TEXT),
    st.tuples(st.just("click"), CLICKS, BUTTON_VALUE),
    st.tuples(st.just("modal"), MODALS, st.tuples(METADATA, COMMAND_TEXT)),
)


class _Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.outcomes.append(str(getattr(record, "outcome", "")))


async def _row_counts(store: Store) -> dict[str, int]:
    tables = await store.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    counts = {}
    for (name,) in tables:
        row = await store.fetchone(f'SELECT COUNT(*) FROM "{name}"')
        counts[name] = int(row[0]) if row else 0
    return counts


def _request(slack: FakeSlack, request: tuple[str, str, Any]) -> str:
    kind, name, data = request
    who = {"team_id": EVIL_TEAM, "user_id": "U9EVIL", "user_name": "mallory"}
    if kind == "command":
        return urlencode(command_form(slack, name, data, **who))
    if kind == "click":
        payload = click_payload(slack, data, action_id=name, **who)
    else:
        metadata, text = data
        state = {"values": {b: {a: {"value": text}} for b, a in (("answer", "text"),
                                                                ("note", "value"),
                                                                ("kind", "value"))}}  # fmt: skip
        view = {"id": "V1", "type": "modal", "callback_id": name, "state": state}
        payload = {
            "type": "view_submission",
            **actor(**who),
            "view": {**view, "private_metadata": metadata},
        }
    return urlencode({"payload": json.dumps(payload)})


async def _scenario(request: tuple[str, str, Any]) -> None:
    events = _Events()
    logging.getLogger(EVENT_LOGGER).addHandler(events)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "quizbot.db")
        try:
            async with FakeSlack() as slack:
                engine = QuizEngine(
                    store,
                    load_bank(builtin_dir=TEST_PACKS),
                    clock=FakeClock(),
                    rng=random.Random(7),
                    round_seconds=60,
                )
                home = Team("slack", TEAM_ID)
                card = await engine.start_round(Channel(home, "C1GENERAL", "general"), None)
                await engine.answer(Player(home, "U1ZELDA", SECRET_NAME), card.round_id, choice="A")
                before = await _row_counts(store)
                quiz = create_app(
                    engine,
                    Settings(
                        _env_file=None,  # type: ignore[call-arg]
                        slack_bot_token=BOT_TOKEN,
                        slack_signing_secret=SECRET,
                        slack_api_url=slack.api_url,
                    ),
                )
                async with (
                    serve_http(quiz, "127.0.0.1", 0) as port,
                    aiohttp.ClientSession() as session,
                ):
                    client = SlackClient(session, f"http://127.0.0.1:{port}/slack/events", slack)
                    reply = await client.post(_request(slack, request), FORM)
                    await quiz.drain()
                after = await _row_counts(store)
        finally:
            await store.close()
            logging.getLogger(EVENT_LOGGER).removeHandler(events)
    assert reply.status == 200
    assert "error" not in events.outcomes, events.outcomes  # nothing escapes the listener
    assert slack.errors == []  # every reply fits Block Kit, however long the input
    sent = [c for c in slack.calls if c.method not in ("auth.test", "users.info")]
    for call in sent:
        assert SECRET_NAME not in json.dumps(call.args)  # no other team's data
        if call.method == "response_url":
            assert call.args["response_type"] == "ephemeral"
        else:
            assert call.method in ("chat.postEphemeral", "views.open", "views.update") or (
                call.method == "chat.postMessage" and request[1] == "/quiz"
            ), call.method
    if set(events.outcomes) & {"refused", "ignored"}:
        assert after == before


@LOOPBACK
@given(REQUEST)
def test_generated_requests_through_the_real_app(request: tuple[str, str, Any]) -> None:
    asyncio.run(_scenario(request))
