"""Seasons: ending one archives its standings (viewable, with champions) and starts fresh."""

from __future__ import annotations

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Channel, Player, Team
from bot.engine.seasons import season_boundary, season_label
from tests.conftest import FakeClock

TEAM = Team("console", "local")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")
DAY = 86_400


async def play(engine: QuizEngine, winners: tuple[Player, ...], losers: tuple[Player, ...]) -> None:
    """One round: ``winners`` answer right, ``losers`` wrong."""
    card = await engine.start_round(GENERAL, None, category="beta")
    question = engine.bank.get(card.question_id)
    right = "ABCD"[card.choices.index(question.choices[question.correct_index].text)]
    wrong = next(x for x in "ABCD" if x != right)
    for player in winners:
        await engine.answer(player, card.round_id, choice=right)
    for player in losers:
        await engine.answer(player, card.round_id, choice=wrong)
    await engine.close_round(TEAM, card.round_id)


async def test_ending_a_season_archives_it_and_starts_fresh_boards(
    engine: QuizEngine, clock: FakeClock
) -> None:
    await play(engine, (ALICE, BOB), ())
    season = await engine.leaderboard(TEAM, period="season")
    assert [r.display_name for r in season.rows] == ["Alice", "Bob"]
    ended = await engine.seasons.end(TEAM, "  2026   spring ")
    assert (ended.name, ended.champions, ended.players) == ("2026 spring", ("Alice", "Bob"), 2)
    assert ended.points == 200  # medium, answered at once
    assert (await engine.leaderboard(TEAM, period="season")).rows == ()  # fresh
    assert len((await engine.leaderboard(TEAM, period="all")).rows) == 2  # untouched
    clock.advance(60)
    await play(engine, (BOB,), (ALICE,))
    archived = await engine.leaderboard(TEAM, season="2026 SPRING")
    assert archived.season == "2026 spring"
    assert [(r.rank, r.display_name, r.points) for r in archived.rows] == [
        (1, "Alice", 200),
        (1, "Bob", 200),
    ]
    current = await engine.leaderboard(TEAM, period="season")
    assert [(r.display_name, r.answers) for r in current.rows] == [("Bob", 1), ("Alice", 1)]


async def test_bad_season_names_and_unknown_seasons_are_refused(engine: QuizEngine) -> None:
    await play(engine, (ALICE,), ())
    for bad, message in (("", "Name the season"), ("x" * 41, "at most 40"), ("<@1>", "letters")):
        with pytest.raises(QuizError, match=message):
            await engine.seasons.end(TEAM, bad)
    assert (await engine.leaderboard(TEAM, period="season")).rows != ()  # nothing ended
    await engine.seasons.end(TEAM, "one")
    with pytest.raises(QuizError, match="already a season named 'ONE'"):
        await engine.seasons.end(TEAM, "ONE")
    with pytest.raises(QuizError, match=r"no ended season named 'two' here\. Ended seasons: one\."):
        await engine.leaderboard(TEAM, season="two")
    other = Team("console", "elsewhere")
    with pytest.raises(QuizError, match="no ended season named 'one'"):
        await engine.leaderboard(other, season="one")


async def test_a_correction_after_the_season_ended_keeps_its_final_standings(
    engine: QuizEngine, clock: FakeClock
) -> None:
    card = await engine.start_round(GENERAL, ALICE, category="alpha", mode="open")
    await engine.answer(ALICE, card.round_id, text="no idea")
    filed = await engine.dispute(ALICE, card.round_id, "unfair")
    await engine.seasons.end(TEAM, "autumn")
    await engine.disputes.settle(TEAM, filed.report_id, "uphold", grade="1")
    [final] = (await engine.leaderboard(TEAM, season="autumn")).rows
    assert final.points == 0  # final standings stay final
    [lifetime] = (await engine.leaderboard(TEAM, period="all")).rows
    assert lifetime.points > 0
    assert (await engine.leaderboard(TEAM, period="season")).rows == ()


@pytest.mark.parametrize(
    ("schedule", "later_days", "label"),
    [("monthly", 7, "2025-11"), ("quarterly", 38, "2025-Q4")],
)
async def test_seasons_end_by_themselves_when_the_month_or_quarter_turns(
    engine: QuizEngine, clock: FakeClock, schedule: str, later_days: int, label: str
) -> None:
    engine.seasons.schedule = schedule  # type: ignore[assignment]
    await play(engine, (ALICE,), ())  # 2025-11-24
    assert await engine.seasons.roll_over() == 0  # the month has not turned
    clock.advance(later_days * DAY)
    assert await engine.seasons.roll_over() == 1
    assert await engine.seasons.roll_over() == 0  # once
    archived = await engine.leaderboard(TEAM, season=label)
    assert [r.display_name for r in archived.rows] == ["Alice"]
    assert (await engine.leaderboard(TEAM, period="season")).rows == ()


def test_boundaries_and_labels() -> None:
    moment = 1_764_000_000.0  # 2025-11-24
    assert season_boundary("monthly", moment).isoformat() == "2025-11-01T00:00:00+00:00"
    assert season_boundary("quarterly", moment).isoformat() == "2025-10-01T00:00:00+00:00"
    assert season_label("monthly", season_boundary("monthly", moment)) == "2025-10"
    assert season_label("quarterly", season_boundary("quarterly", moment)) == "2025-Q3"


async def test_a_correction_of_an_answer_given_before_the_roll_over_keeps_the_new_board(
    engine: QuizEngine, clock: FakeClock
) -> None:
    engine.seasons.schedule = "monthly"
    await play(engine, (BOB,), ())  # 2025-11-24
    clock.advance(7 * DAY)  # December: the season is due to end, not ended yet
    card = await engine.start_round(GENERAL, ALICE, category="alpha", mode="open")
    await engine.answer(ALICE, card.round_id, text="no idea")  # counts in November's season
    await engine.close_round(TEAM, card.round_id)
    filed = await engine.dispute(ALICE, card.round_id, "unfair")
    clock.advance(20)  # the round timer's next pass
    assert await engine.seasons.roll_over() == 1
    clock.advance(60)
    await play(engine, (ALICE,), ())
    [before] = (await engine.leaderboard(TEAM, period="season")).rows
    await engine.disputes.settle(TEAM, filed.report_id, "uphold", grade="1")
    [after] = (await engine.leaderboard(TEAM, period="season")).rows
    assert (after.display_name, after.points) == ("Alice", before.points)
    archived = await engine.leaderboard(TEAM, season="2025-11")
    assert {r.display_name: r.points for r in archived.rows}["Alice"] == 0  # final
