"""Property-based bad input through the Discord translation layer.

The custom-id templates and :func:`modal_field` are checked on their own, then generated
button presses, modal submissions and slash-command options go through the real bot over the
loopback fake: nothing escapes, every interaction gets exactly one accepted response (never
"interaction failed"), refusals are ephemeral and change no row, and no other server's data
shows.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.adapters.discord.components import (
    ANSWER_FIELD,
    BUTTON_KINDS,
    MODAL_ID,
    AnswerButton,
    OpenAnswerButton,
    button_for,
)
from bot.adapters.discord.interaction import SOMETHING_WRONG, modal_field
from bot.adapters.discord.review_components import MODAL_ID as REVIEW_MODAL_ID
from bot.adapters.discord.review_components import ModalButton, RateButton
from bot.engine.engine import QuizEngine
from tests.adapters.discord.conftest import ALICE, CHANNEL, GUILD, OTHER_GUILD, Driver, user
from tests.fakes.discord_api import FakeDiscord

EPHEMERAL = 64
MALLORY = user("500000000000000066", "Mallory")
OTHER_CHANNEL = "555555555555555555"
UNICODE_EDGES = (
    "\u202e",  # right-to-left override
    "\u200b",  # zero width space
    "\ufeff",  # byte order mark
    "\x00",  # NUL
    "\x1b[31m",  # terminal escape
    "e\u0301\u0301\u0301",  # stacked combining accents
    "👩\u200d👩\u200d👧",  # ZWJ emoji sequence
    "\U0010ffff",  # last code point
    "٣",  # an Arabic-Indic digit (\d would match it)
    "\n",
    "@everyone",
)
PREFIXES = (
    "quiz:",
    "quizopen:",
    "quizmodal:",
    "rate:",
    "dispute:",
    "report:",
    "disputemodal:",
    "reportmodal:",
    "QUIZ:",
    "quiz::",
    "",
)
SUFFIXES = ("", ":A", ":D", ":E", ":a", ":good", ":zzz", ":again\n", "\n", ":A:B", " ")
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

numbers = st.one_of(
    st.integers(-5, 10**20).map(str),
    st.integers(1, 3).map(str),  # rounds that exist
    st.text(alphabet="0123456789٣", max_size=20),
)
near_miss_ids = st.builds(
    lambda prefix, number, suffix: prefix + number + suffix,
    st.sampled_from(PREFIXES),
    numbers,
    st.sampled_from(SUFFIXES),
)
custom_ids = st.one_of(
    near_miss_ids,
    st.text(max_size=100),
    st.lists(st.sampled_from(UNICODE_EDGES + PREFIXES), max_size=6).map("".join),
)
free_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(UNICODE_EDGES), min_size=1, max_size=20).map("".join),
    st.integers(3990, 4100).map(lambda n: "x" * n),
    st.integers(0, 2).map(lambda n: " " * n),
)


# -- the templates and modal_field on their own ------------------------------------------


def matching(custom_id: str) -> list[type[Any]]:
    return [
        kind for kind in BUTTON_KINDS if kind.__discord_ui_compiled_template__.fullmatch(custom_id)
    ]


@settings(max_examples=100, deadline=None, database=None)
@given(custom_id=custom_ids)
@example(custom_id="quiz:1:A\n")
@example(custom_id="quiz:٣:A")
@example(custom_id="quiz:" + "9" * 19 + ":A")
async def test_custom_id_patterns_accept_only_well_formed_ids(custom_id: str) -> None:
    kinds = matching(custom_id)
    built = button_for(custom_id)
    assert (built is not None) == bool(kinds)
    assert len(kinds) <= 1  # never ambiguous
    if built is None:
        return
    assert custom_id.isascii() and "\n" not in custom_id and len(custom_id) <= 100
    assert [type(built)] == kinds
    rebuilt = built.custom_id
    assert rebuilt is not None and matching(rebuilt) == kinds
    assert re.sub(r"(?<=:)0+(?=[0-9])", "", custom_id) == rebuilt  # only leading zeros differ


@settings(max_examples=100, deadline=None, database=None)
@given(
    round_id=st.integers(0, 10**18 - 1),
    letter=st.sampled_from("ABCD"),
    rating=st.sampled_from(["again", "hard", "good", "easy"]),
    what=st.sampled_from(["dispute", "report"]),
)
def test_every_button_quizbot_renders_round_trips(
    round_id: int, letter: str, rating: str, what: str
) -> None:
    for button in (
        AnswerButton(round_id, letter, "text"),
        OpenAnswerButton(round_id),
        RateButton(round_id, rating),
        ModalButton(what, round_id),
    ):
        custom_id = button.custom_id
        assert custom_id is not None and len(custom_id) <= 100
        assert matching(custom_id) == [type(button)]
        routed = button_for(custom_id)
        assert routed is not None and routed.custom_id == custom_id
    for pattern, modal_id in (
        (MODAL_ID, f"quizmodal:{round_id}"),
        (REVIEW_MODAL_ID, f"{what}modal:{round_id}"),
    ):
        found = pattern.fullmatch(modal_id)
        assert found is not None and int(found["round"]) == round_id
        assert button_for(modal_id) is None  # modal ids are not button ids


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["custom_id", "value", "components", "component", "type", "x"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None, database=None)
@given(components=json_values, target=st.sampled_from([ANSWER_FIELD, "note", "kind", ""]))
def test_modal_field_never_raises_on_garbage(components: Any, target: str) -> None:
    found = modal_field(components, target)
    assert found is None or isinstance(found, str)


@settings(max_examples=100, deadline=None, database=None)
@given(value=free_text, label_shape=st.booleans(), decoys=st.integers(0, 3))
def test_modal_field_reads_both_payload_shapes(value: str, label_shape: bool, decoys: int) -> None:
    text_input = {"type": 4, "custom_id": ANSWER_FIELD, "value": value}
    other = [{"type": 4, "custom_id": f"other{i}", "value": "decoy"} for i in range(decoys)]
    if label_shape:
        components: list[Any] = [{"type": 18, "component": c} for c in [*other, text_input]]
    else:
        components = [{"type": 1, "components": [c]} for c in [*other, text_input]]
    assert modal_field(components, ANSWER_FIELD) == value
    assert modal_field(components, "missing") is None


# -- generated interactions through the real bot -----------------------------------------

guilds = st.sampled_from([GUILD, GUILD, OTHER_GUILD])
option_values = st.one_of(
    st.sampled_from(["alpha", "beta", "easy", "hard", "choice", "open", "week", "all", "channel"]),
    st.text(max_size=120),
    st.lists(st.sampled_from(UNICODE_EDGES), min_size=1, max_size=8).map("".join),
)
COMMAND_OPTIONS = {
    "quiz": ("category", "difficulty", "mode"),
    "leaderboard": ("period", "scope"),
    "review": ("mode",),
    "stats": (),
}


@st.composite
def slash_commands(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    name = draw(st.sampled_from(sorted(COMMAND_OPTIONS)))
    chosen = draw(st.lists(st.sampled_from(COMMAND_OPTIONS[name] or ("",)), unique=True))
    options = [
        {"name": option, "type": 3, "value": draw(option_values)} for option in chosen if option
    ]
    return name, options


actions = st.one_of(
    st.tuples(st.just("click"), custom_ids, guilds),
    st.tuples(
        st.just("modal"),
        st.one_of(
            st.builds(
                lambda prefix, number: prefix + number,
                st.sampled_from(["quizmodal:", "disputemodal:", "reportmodal:", "quizmodal:x"]),
                numbers,
            ),
            custom_ids,
        ),
        free_text,
        guilds,
    ),
    st.tuples(
        st.just("slash"), slash_commands(), guilds, st.sampled_from([CHANNEL, OTHER_CHANNEL])
    ),
)


async def row_counts(engine: QuizEngine) -> dict[str, int]:
    tables = await engine.store.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    counts = {}
    for (table,) in tables:
        row = await engine.store.fetchone(f'SELECT COUNT(*) FROM "{table}"')
        assert row is not None
        counts[str(table)] = int(row[0])
    return counts


async def cross_team_answers(engine: QuizEngine) -> int:
    row = await engine.store.fetchone(
        "SELECT COUNT(*) FROM answers a JOIN rounds r ON a.round_id = r.id "
        "JOIN players p ON a.player_id = p.id WHERE r.team_id != p.team_id"
    )
    assert row is not None
    return int(row[0])


def payload_of(discord: Driver, message: dict[str, Any], action: tuple[Any, ...]) -> Any:
    kind = action[0]
    guild = action[-1] if kind != "slash" else action[2]
    who = ALICE if guild == GUILD else MALLORY
    if kind == "click":
        button = {"type": 2, "style": 2, "label": "x", "custom_id": action[1]}
        forged = {**message, "components": [{"type": 1, "components": [button]}]}
        return discord.click(forged, action[1], who=who, guild=guild)
    if kind == "modal":
        return discord.submit(action[1], action[2], who=who, guild=guild)
    (name, options), channel = action[1], action[3]
    return discord.slash(name, options, who=who, guild=guild, channel=channel)


def shown(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f["name"] + " " + f["value"] for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


SUCCESSES = ("Question #", "Thanks!", "Rated ")


@SETTINGS
@given(action=actions)
@example(action=("click", "quiz:1:A", OTHER_GUILD))
@example(action=("modal", "quizmodal:1", "x" * 4001, GUILD))
@example(action=("slash", ("quiz", [{"name": "mode", "type": 3, "value": "nope"}]), GUILD, CHANNEL))
@example(
    action=("slash", ("leaderboard", [{"name": "period", "type": 3, "value": "x"}]), GUILD, CHANNEL)
)
async def test_generated_interactions_get_exactly_one_safe_reply(
    discord: Driver, fake: FakeDiscord, engine: QuizEngine, action: tuple[Any, ...]
) -> None:
    message: dict[str, Any] | None = getattr(discord, "posted", None)
    if message is None:  # once per test: an open question in GUILD, answered by Alice
        message = await discord.quiz(("category", "alpha"))
        discord.posted = message  # type: ignore[attr-defined]
    before = await row_counts(engine)
    requests = len(fake.requests)

    token = discord.send(payload_of(discord, message, action))
    await fake.answered(token)
    await asyncio.sleep(0.03)  # let the handler finish after its last request

    sent = fake.requests[requests:]
    assert not [r for r in sent if r.status >= 400], [(r.path, r.status, r.code) for r in sent]
    callbacks = [r for r in fake.responses(token) if r.path.endswith("/callback")]
    assert len(callbacks) == 1  # exactly one response, in time
    assert await cross_team_answers(engine) == 0
    if callbacks[0].body["type"] == 9:  # a modal opened: nothing changed yet
        assert await row_counts(engine) == before
        return
    reply = fake.original(token)
    assert reply is not None
    text = shown(reply)
    assert reply["content"] != SOMETHING_WRONG  # nothing unexpected escaped a handler
    if action[-1] == OTHER_GUILD or (action[0] == "slash" and action[2] == OTHER_GUILD):
        assert "Alice" not in text  # Alice plays in GUILD only
    if not reply["embeds"] and not reply["content"].startswith(SUCCESSES):
        assert reply["content"], reply  # a refusal says why…
        assert reply["flags"] & EPHEMERAL  # …privately…
        assert await row_counts(engine) == before  # …and changes nothing
