"""The store's core on both backends: teams and players, rounds, answers with their score
totals and hook, leaderboards. The same assertions hold on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from storage.records import (
    DuplicateAnswerError,
    OpenRoundExistsError,
    RoundClosedInStoreError,
)
from tests.backends.conftest import Backend, HookFailedError
from tests.backends.support import PERIODS, answer, open_round


async def test_teams_and_players_are_created_once_and_renamed(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("discord", "G1")
    assert await store.team_pk("discord", "G1") == team
    assert await store.find_team_pk("discord", "G1") == team
    assert await store.find_team_pk("slack", "G1") is None
    assert await store.team_by_pk(team) == ("discord", "G1")
    assert await store.team_by_pk(team + 1000) is None
    ada = await store.player_pk(team, "u1", "Ada")
    assert await store.player_pk(team, "u1", "Ada L.") == ada
    assert await store.find_player(team, "u1") == (ada, "Ada L.")
    assert await store.find_player(team, "nobody") is None
    other_team = await store.team_pk("slack", "T1")
    assert await store.player_pk(other_team, "u1", "Ada") != ada


async def test_one_open_quiz_round_per_channel_and_a_daily_beside_it(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    quiz = await open_round(store, team)
    assert await store.open_quiz_round(team, "c1") == quiz
    with pytest.raises(OpenRoundExistsError):
        await open_round(store, team, question="q2")
    daily = await open_round(store, team, kind="daily", question="q3")
    assert daily.kind == "daily" and daily.closed_at is None
    assert await store.publications.close_round(quiz.id, 170.0, reveal=False) is True
    assert await store.publications.close_round(quiz.id, 171.0, reveal=False) is False
    closed = await store.get_round(quiz.id)
    assert closed is not None and closed.closed_at == 170.0
    assert await store.open_quiz_round(team, "c1") is None
    again = await open_round(store, team, question="q1")
    assert await store.question_use_counts(team, "c1") == {"q1": 2, "q3": 1}
    assert again.id not in (quiz.id, daily.id)
    assert await store.get_round(2**70) is None


async def test_due_rounds_and_deadlines_leave_daily_rounds_out(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    late = await open_round(store, team, "a", closes_at=200.0)
    early = await open_round(store, team, "b", closes_at=150.0)
    await open_round(store, team, "c", kind="daily", closes_at=120.0)
    assert await store.next_deadline() == 150.0
    assert [r.id for r in await store.due_rounds(300.0)] == [early.id, late.id]
    assert await store.due_rounds(149.0) == []
    await store.set_message(late.id, "chan", "msg-1")
    stored = await store.get_round(late.id)
    assert stored is not None
    assert (stored.message_channel, stored.message_id) == ("chan", "msg-1")


async def test_an_answer_adds_to_every_period_scope_and_the_season(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    record = await open_round(store, team)
    answer_id = await answer(store, record, ada, 30)
    assert answer_id > 0
    for period in (*PERIODS, "season:1"):
        for scope in ("", "c1"):
            found = await store.player_score(team, period, scope, ada)
            assert found is not None
            score, rank = found
            assert (score.points, score.answers, score.correct, rank) == (30, 1, 1, 1)
    assert await store.player_score(team, "all", "elsewhere", ada) is None
    assert await store.answer_count(record.id) == 1
    [stored] = await store.round_answers(record.id)
    assert (stored.player_id, stored.display_name, stored.points, stored.correct) == (
        ada,
        "Ada",
        30,
        True,
    )


async def test_a_second_answer_and_an_answer_to_a_closed_round_are_refused(
    backend: Backend,
) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    bob = await store.player_pk(team, "u2", "Bob")
    record = await open_round(store, team)
    await answer(store, record, ada, 30)
    with pytest.raises(DuplicateAnswerError):
        await answer(store, record, ada, 30)
    await store.publications.close_round(record.id, 150.0, reveal=False)
    with pytest.raises(RoundClosedInStoreError):
        await answer(store, record, bob, 10)
    found = await store.player_score(team, "all", "", ada)
    assert found is not None and found[0].answers == 1
    assert await store.player_score(team, "all", "", bob) is None
    assert await store.answer_count(record.id) == 1


async def test_the_hook_commits_and_rolls_back_with_the_answer(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    record = await open_round(store, team)
    failing = backend.renaming_hook(ada, "Rolled back", fail=True)
    with pytest.raises(HookFailedError):
        await answer(store, record, ada, 30, hook=failing)
    assert await store.answer_count(record.id) == 0
    assert await store.player_score(team, "all", "", ada) is None
    assert await store.player_count(team, "all", "") == 0
    await answer(store, record, ada, 30, hook=backend.renaming_hook(ada, "Hooked"))
    [stored] = await store.round_answers(record.id)
    assert stored.display_name == "Hooked"


async def test_leaderboards_rank_with_ties_and_levels_follow_the_scores(
    backend: Backend,
) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    players = [await store.player_pk(team, f"u{i}", f"P{i}") for i in range(5)]
    points = [50, 30, 50, 10, 0]
    first = await open_round(store, team, "c1", question="q1")
    for player, value in zip(players, points, strict=True):
        await answer(store, first, player, value, correct=value > 0)
    second = await open_round(store, team, "c2", question="q2", category="beta")
    await answer(store, second, players[3], 40)  # P3: 10 + 40 = 50 in all, 40 in c2
    top = await store.top_scores(team, "all", "", 3)
    assert [(row.user_id, row.points) for row in top] == [("u0", 50), ("u2", 50), ("u3", 50)]
    ranks = {}
    for player in players:
        found = await store.player_score(team, "all", "", player)
        assert found is not None
        ranks[found[0].user_id] = found[1]
    assert ranks == {"u0": 1, "u2": 1, "u3": 1, "u1": 4, "u4": 5}
    assert await store.player_count(team, "all", "") == 5
    assert await store.player_count(team, "all", "c2") == 1
    assert await store.category_results(players[3]) == [("alpha", 1, 1), ("beta", 1, 1)]
    assert await store.answered_questions(players[3]) == {"q1", "q2"}
    assert await store.answered_questions(players[4]) == {"q1"}


async def test_concurrent_answers_of_one_player_count_once(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    record = await open_round(store, team)
    results = await asyncio.gather(
        *(answer(store, record, ada, 30) for _ in range(8)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, DuplicateAnswerError)]
    assert len(refused) == 7 and len(results) == 8
    found = await store.player_score(team, "all", "", ada)
    assert found is not None and (found[0].points, found[0].answers) == (30, 1)


async def test_answers_racing_a_close_are_either_counted_or_refused(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    players = [await store.player_pk(team, f"u{i}", f"P{i}") for i in range(12)]
    record = await open_round(store, team)

    async def counted(player: int) -> bool:
        try:
            await answer(store, record, player, 10)
        except RoundClosedInStoreError:
            return False
        return True

    answers = [counted(player) for player in players]
    outcomes = await asyncio.gather(
        *answers[:6], store.publications.close_round(record.id, 150.0, reveal=False), *answers[6:]
    )
    accepted = sum(1 for outcome in outcomes[:6] + outcomes[7:] if outcome)
    assert outcomes[6] is True
    assert await store.answer_count(record.id) == accepted
    assert await store.player_count(team, "all", "") == accepted
