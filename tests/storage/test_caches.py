"""The caches of the store and the engine: bounded, and right after another connection changed
what may change (several processes will share one database)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from cachetools import LRUCache

from bot.engine import answering, identity
from bot.engine.engine import QuizEngine
from bot.engine.errors import RoundClosedError
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Team
from questions.loader import QuestionBank
from storage.players import PLAYER_CACHE_SIZE
from storage.store import Store
from tests.conftest import FakeClock

TEAM = Team("console", "team-a")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")


async def test_the_player_cache_is_bounded_and_a_forgotten_player_keeps_its_id(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "q.db")
    try:
        assert isinstance(store.player_pks, LRUCache)
        assert store.player_pks.maxsize == PLAYER_CACHE_SIZE
        store.player_pks = LRUCache(maxsize=2)
        team_pk = await store.team_pk("console", "t")
        first = [await store.player_pk(team_pk, f"u{n}", f"User {n}") for n in range(3)]
        assert len(store.player_pks) == 2 and (team_pk, "u0") not in store.player_pks
        again = [await store.player_pk(team_pk, f"u{n}", f"User {n}") for n in range(3)]
        assert again == first and len(set(first)) == 3
    finally:
        await store.close()


async def test_a_player_renamed_by_another_connection_is_read_and_renamed_right(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    here, there = await Store.open(path), await Store.open(path)
    try:
        team_pk = await here.team_pk("console", "t")
        player = await here.player_pk(team_pk, "u1", "Ann")
        assert await there.player_pk(team_pk, "u1", "Annie") == player  # renamed elsewhere
        assert await here.find_player(team_pk, "u1") == (player, "Annie")
        assert await here.player_pk(team_pk, "u1", "Ann") == player  # the platform says Ann
        await here.publications.close_round(
            0, 0.0, reveal=False
        )  # any later write of this process commits after it
        assert await there.find_player(team_pk, "u1") == (player, "Ann")
    finally:
        await here.close()
        await there.close()


async def test_a_round_cached_while_open_refuses_answers_once_another_connection_closed_it(
    tmp_path: Path, bank: QuestionBank, clock: FakeClock
) -> None:
    path = tmp_path / "q.db"
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, bank, clock=clock, rng=random.Random(7), round_seconds=60)
        card = await engine.start_round(Channel(TEAM, "general"), ALICE, mode="choice")
        await engine.answer(ALICE, card.round_id, choice="A")  # the round is now remembered
        with sqlite3.connect(path) as other:  # another process closes it
            other.execute("UPDATE rounds SET closed_at = ? WHERE id = ?", (clock(), card.round_id))
        with pytest.raises(RoundClosedError):
            await engine.answer(BOB, card.round_id, choice="B")
        assert await store.answer_count(card.round_id) == 1
    finally:
        await store.close()


async def test_the_open_rounds_remembered_are_bounded(
    store: Store, bank: QuestionBank, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answering, "OPEN_ROUNDS_REMEMBERED", 2)
    engine = QuizEngine(store, bank, clock=clock, rng=random.Random(7), round_seconds=60)
    rounds = [
        (await engine.start_round(Channel(TEAM, f"c{n}"), ALICE, mode="choice")).round_id
        for n in range(3)
    ]
    for round_id in rounds:
        await engine.answer(ALICE, round_id, choice="A")
    remembered = engine._answers._open_rounds
    assert isinstance(remembered, LRUCache) and remembered.maxsize == 2
    assert list(remembered) == rounds[1:]  # the least recently answered forgotten
    feedback = await engine.answer(BOB, rounds[0], choice="A")  # read again from the database
    assert feedback.round_id == rounds[0]


async def test_the_teams_remembered_are_bounded_and_an_unknown_team_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "TEAMS_REMEMBERED", 2)
    path = tmp_path / "q.db"
    here, there = await Store.open(path), await Store.open(path)
    try:
        ids = identity.Identities(here)
        late = Team("slack", "T-late")
        assert await ids.known_team_pk(late) is None
        created = await there.team_pk("slack", "T-late")  # another process meets the team
        assert await ids.known_team_pk(late) == created
        pks = [await ids.team_pk(Team("console", f"t{n}")) for n in range(3)]
        assert len(ids._pks) == 2 and len(ids._teams) == 2
        assert await ids.team_of(pks[0]) == Team("console", "t0")  # forgotten, read again
        assert await ids.team_pk(Team("console", "t0")) == pks[0]
    finally:
        await here.close()
        await there.close()


class GrantingOutbox:
    """An outbox of a platform that grants roles; records the grants."""

    def __init__(self) -> None:
        self.granted: list[tuple[str, str]] = []

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        return MessageRef(channel.channel_id, "1")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        return None

    async def grant_role(self, team: Team, user_id: str, role_id: str) -> None:
        self.granted.append((user_id, role_id))


def _right_letter(engine: QuizEngine, card: QuestionCard) -> str:
    question = engine.bank.get(card.question_id)
    return "ABCD"[card.choices.index(question.choices[question.correct_index].text)]


async def test_a_reward_rule_another_process_set_applies_to_the_next_answer_here(
    tmp_path: Path, bank: QuestionBank, clock: FakeClock
) -> None:
    path = tmp_path / "q.db"
    here, there = await Store.open(path), await Store.open(path)
    try:
        engine = QuizEngine(here, bank, clock=clock, rng=random.Random(7), round_seconds=60)
        outbox = GrantingOutbox()
        engine.register_outbox(TEAM.platform, outbox)
        first = await engine.start_round(Channel(TEAM, "c1"), ALICE, mode="choice")
        assert (
            await engine.answer(ALICE, first.round_id, choice=_right_letter(engine, first))
        ).points
        assert outbox.granted == []  # no rule yet
        other = QuizEngine(there, bank, clock=clock, rng=random.Random(8), round_seconds=60)
        await other.rewards.set_rule(TEAM, "role-1", points=1)  # another process adds one
        second = await engine.start_round(Channel(TEAM, "c2"), ALICE, mode="choice")
        await engine.answer(ALICE, second.round_id, choice=_right_letter(engine, second))
        assert outbox.granted == [("alice", "role-1")]
    finally:
        await here.close()
        await there.close()
