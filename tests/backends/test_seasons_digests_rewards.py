"""Seasons, the weekly digest and reward roles on both backends."""

from __future__ import annotations

import asyncio

import pytest

from storage.reward_store import RewardRow
from storage.seasons import SeasonNameTakenError
from tests.backends.conftest import Backend
from tests.backends.support import answer, open_round


async def test_ending_a_season_archives_its_board_and_starts_the_next(backend: Backend) -> None:
    store, seasons = backend.store, backend.seasons
    team = await store.team_pk("discord", "G1")
    ada = await store.player_pk(team, "u1", "Ada")
    assert (await seasons.current(team)).period == "season:1"
    assert await seasons.due_to_end(1_000.0) == []
    first = await open_round(store, team, question="q1")
    await answer(store, first, ada, 30)
    assert await seasons.due_to_end(100.0) == []
    assert await seasons.due_to_end(1_000.0) == [team]
    assert await seasons.end(team, "Spring", 500.0) == "season:1"
    with pytest.raises(SeasonNameTakenError):
        await seasons.end(team, "spring", 600.0)
    current = await seasons.current(team)
    assert (current.period, current.name, current.started_at) == ("season:2", None, 500.0)
    ended = await seasons.ended(team, "SPRING")
    assert ended is not None and (ended.period, ended.ended_at) == ("season:1", 500.0)
    await store.publications.close_round(first.id, 510.0, reveal=False)
    second = await open_round(store, team, question="q2")
    await answer(store, second, ada, 10, at=520.0)
    archived = await store.player_score(team, "season:1", "", ada)
    running = await store.player_score(team, "season:2", "", ada)
    assert archived is not None and archived[0].points == 30
    assert running is not None and running[0].points == 10
    await seasons.end(team, "Summer", 900.0)
    assert await seasons.ended_names(team) == ["Summer", "Spring"]


async def test_answers_racing_a_seasons_end_land_in_exactly_one_season(backend: Backend) -> None:
    store, seasons = backend.store, backend.seasons
    team = await store.team_pk("discord", "G1")
    players = [await store.player_pk(team, f"u{i}", f"P{i}") for i in range(10)]
    record = await open_round(store, team)
    answers = [answer(store, record, player, 10) for player in players]
    await asyncio.gather(*answers[:5], seasons.end(team, "Race", 150.0), *answers[5:])
    first = await store.player_count(team, "season:1", "")
    second = await store.player_count(team, "season:2", "")
    assert first + second == len(players)
    assert await store.player_count(team, "all", "") == len(players)


async def test_a_weeks_digest_is_claimed_once_per_channel(backend: Backend) -> None:
    store, digests = backend.store, backend.digests
    team = await store.team_pk("slack", "T1")
    await digests.set_opted_in(team, "C1", True)
    await digests.set_opted_in(team, "C1", True)
    await digests.set_opted_in(team, "C2", True)
    await digests.set_opted_in(team, "C2", False)
    assert await digests.opted_in(team) == {"C1"}
    claims = await asyncio.gather(*(digests.claim(team, "C1", "2026-W48", 1.0) for _ in range(5)))
    assert sorted(claims) == [False, False, False, False, True]
    assert await digests.claim(team, "C1", "2026-W49", 2.0) is True
    await digests.mark_posted(team, "C1", "2026-W48", 3.0)


async def test_a_digest_counts_the_weeks_quiz_answers_not_reviews(backend: Backend) -> None:
    store, digests = backend.store, backend.digests
    team = await store.team_pk("slack", "T1")
    ada = await store.player_pk(team, "u1", "Ada")
    bob = await store.player_pk(team, "u2", "Bob")
    quiz = await open_round(store, team, "C1", question="q-b", category="beta")
    await answer(store, quiz, ada, 10)
    await answer(store, quiz, bob, 0, correct=False)
    other = await open_round(store, team, "C2", question="q-a", category="Alpha")
    await answer(store, other, ada, 10)
    practice = await open_round(store, team, "review:u1", kind="review", question="q-r")
    await answer(store, practice, ada, 20)
    late = await open_round(store, team, "C3", question="q-late")
    await answer(store, late, ada, 10, at=900.0)
    assert await digests.results(team, 100.0, 200.0, by="question_id") == [
        ("q-a", 1, 1),
        ("q-b", 2, 1),
    ]
    assert await digests.results(team, 100.0, 200.0, by="category") == [
        ("Alpha", 1, 1),
        ("beta", 2, 1),
    ]


async def test_points_roles_are_due_once_their_threshold_is_reached(backend: Backend) -> None:
    store, rewards = backend.store, backend.rewards
    team = await store.team_pk("discord", "G1")
    ada = await store.player_pk(team, "u1", "Ada")
    await rewards.set_rule(team, RewardRow("r-gold", "points", 100))
    await rewards.set_rule(team, RewardRow("r-bronze", "points", 20))
    await rewards.set_rule(team, RewardRow("r-champ", "champions", None))
    await rewards.set_rule(team, RewardRow("r-silver", "points", 60))
    await rewards.set_rule(team, RewardRow("r-silver", "points", 50))
    assert await rewards.rules(team) == [
        RewardRow("r-champ", "champions", None),
        RewardRow("r-bronze", "points", 20),
        RewardRow("r-silver", "points", 50),
        RewardRow("r-gold", "points", 100),
    ]
    assert await rewards.teams_with_points_rules() == {team}
    record = await open_round(store, team)
    await answer(store, record, ada, 55)
    assert await rewards.points_roles_due(team, ada) == ["r-bronze", "r-silver"]
    await rewards.granted(team, "r-bronze", ada, 200.0)
    await rewards.granted(team, "r-bronze", ada, 201.0)
    assert await rewards.points_roles_due(team, ada) == ["r-silver"]
    assert await rewards.remove_rule(team, "r-silver") is True
    assert await rewards.remove_rule(team, "r-silver") is False
    assert await rewards.points_roles_due(team, ada) == []
