"""The engine's use cases against a real SQLite file and a fake clock."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.engine.engine import MAX_ANSWER_CHARS, QuizEngine
from bot.engine.errors import (
    AlreadyAnsweredError,
    AnswerRejectedError,
    InvalidOptionError,
    QuizError,
    RoundAlreadyOpenError,
    RoundClosedError,
    RoundNotFoundError,
)
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Team
from questions.loader import QuestionBank
from tests.conftest import FakeClock

TEAM = Team("console", "team-a")
OTHER = Team("console", "team-b")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")


def correct_letter(engine: QuizEngine, card: QuestionCard) -> str:
    question = engine.bank.get(card.question_id)
    return "ABCD"[card.choices.index(question.choices[question.correct_index].text)]


def wrong_letter(engine: QuizEngine, card: QuestionCard) -> str:
    right = correct_letter(engine, card)
    return next(letter for letter in "ABCD" if letter != right)


async def test_round_shows_question_with_four_shuffled_choices(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE, category="alpha", difficulty="easy")
    question = engine.bank.get(card.question_id)
    assert card.question_id == "alpha-easy"
    assert sorted(card.choices) == sorted(c.text for c in question.choices)
    assert card.category_title == "Alpha basics"
    assert card.time_limit_s == 60


async def test_correct_answer_scores_by_difficulty_and_speed(
    engine: QuizEngine, clock: FakeClock
) -> None:
    card = await engine.start_round(GENERAL, ALICE, category="alpha", difficulty="hard")
    feedback = await engine.answer(ALICE, card.round_id, choice=correct_letter(engine, card))
    assert feedback.correct and feedback.points == 300
    clock.advance(30)
    late = await engine.answer(BOB, card.round_id, choice=correct_letter(engine, card))
    assert late.points == 225  # 300 × (1 − 0.5 × 30/60)


async def test_wrong_answer_scores_zero_and_explains(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    feedback = await engine.answer(ALICE, card.round_id, choice=wrong_letter(engine, card))
    assert not feedback.correct and feedback.points == 0 and feedback.verdict == "wrong"
    assert feedback.reference_answer and feedback.explanation


async def test_second_answer_is_refused_and_first_kept(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    first = await engine.answer(ALICE, card.round_id, choice=correct_letter(engine, card))
    with pytest.raises(AlreadyAnsweredError):
        await engine.answer(ALICE, card.round_id, choice=wrong_letter(engine, card))
    board = await engine.leaderboard(TEAM, period="all")
    assert [(r.user_id, r.points) for r in board.rows] == [("alice", first.points)]


async def test_one_open_round_per_channel(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    with pytest.raises(RoundAlreadyOpenError) as refused:
        await engine.start_round(GENERAL, BOB)
    assert refused.value.round_id == card.round_id
    other_channel = await engine.start_round(Channel(TEAM, "ops"), BOB)
    assert other_channel.round_id != card.round_id


async def test_round_closes_itself_after_time_limit(engine: QuizEngine, clock: FakeClock) -> None:
    posted: list[Reveal] = []

    class Outbox:
        async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
            raise AssertionError("the round's message should be edited, not reposted")

        async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
            assert isinstance(view, Reveal)
            posted.append(view)

    engine.register_outbox("console", Outbox())
    card = await engine.start_round(GENERAL, ALICE)
    await engine.attach_message(TEAM, card.round_id, MessageRef("general", "m1"))
    await engine.answer(ALICE, card.round_id, choice=correct_letter(engine, card))
    clock.advance(59)
    assert await engine.close_due_rounds() == []
    clock.advance(1)
    reveals = await engine.close_due_rounds()
    assert posted == []  # queued: the publication worker publishes it
    await engine.publications.drain()
    assert [r.round_id for r in reveals] == [card.round_id] and posted == reveals
    assert reveals[0].first_correct == "Alice"
    assert reveals[0].message_ref == MessageRef("general", "m1")
    with pytest.raises(RoundClosedError):
        await engine.answer(BOB, card.round_id, choice="A")


async def test_answer_after_deadline_is_refused_even_before_timer_runs(
    engine: QuizEngine, clock: FakeClock
) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    clock.advance(61)
    with pytest.raises(RoundClosedError):
        await engine.answer(ALICE, card.round_id, choice="A")
    assert (await engine.leaderboard(TEAM, period="all")).rows == ()


async def test_reveal_counts_each_choice_and_who_got_it(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    right, wrong = correct_letter(engine, card), wrong_letter(engine, card)
    await engine.answer(ALICE, card.round_id, choice=wrong)
    await engine.answer(BOB, card.round_id, choice=right)
    await engine.answer(Player(TEAM, "cy", "Cy"), card.round_id, choice=right)
    reveal = await engine.close_round(TEAM, card.round_id)
    counts = {t.letter: t.count for t in reveal.tallies}
    assert counts[right] == 2 and counts[wrong] == 1 and sum(counts.values()) == 3
    assert reveal.correct_letter == right
    assert reveal.correct_players == ("Bob", "Cy") and reveal.first_correct == "Bob"
    with pytest.raises(RoundClosedError):
        await engine.close_round(TEAM, card.round_id)


async def test_other_team_cannot_see_or_answer_a_round(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    intruder = Player(OTHER, "alice", "Alice")
    with pytest.raises(RoundNotFoundError):
        await engine.answer(intruder, card.round_id, choice="A")
    with pytest.raises(RoundNotFoundError):
        await engine.close_round(OTHER, card.round_id)
    with pytest.raises(RoundNotFoundError):
        await engine.answer(ALICE, 999_999, choice="A")
    assert (await engine.leaderboard(OTHER, period="all")).rows == ()
    assert await engine.store.answer_count(card.round_id) == 0


async def test_leaderboards_never_mix_teams(engine: QuizEngine) -> None:
    for team in (TEAM, OTHER):
        card = await engine.start_round(Channel(team, "general"), None)
        await engine.answer(Player(team, "p", f"P-{team.team_id}"), card.round_id, choice="A")
        await engine.close_round(team, card.round_id)
    board = await engine.leaderboard(OTHER, period="all")
    assert [r.display_name for r in board.rows] == ["P-team-b"]


async def test_no_repeat_until_every_eligible_question_was_asked(engine: QuizEngine) -> None:
    seen = []
    for _ in range(6):
        card = await engine.start_round(GENERAL, ALICE, category="alpha")
        seen.append(card.question_id)
        await engine.close_round(TEAM, card.round_id)
    assert sorted(seen[:2]) == ["alpha-easy", "alpha-hard"]
    assert sorted(seen[2:4]) == ["alpha-easy", "alpha-hard"]


@pytest.mark.parametrize(
    ("option", "value"),
    [("category", "astrology"), ("difficulty", "insane"), ("mode", "essay")],
)
async def test_unknown_option_lists_allowed_values(
    engine: QuizEngine, option: str, value: str
) -> None:
    with pytest.raises(InvalidOptionError) as refused:
        await engine.start_round(GENERAL, ALICE, **{option: value})
    assert "Allowed:" in refused.value.message
    assert await engine.current_round(GENERAL) is None


async def test_open_mode_grades_free_text_with_partial_credit(engine: QuizEngine) -> None:
    card = await engine.start_round(
        GENERAL, ALICE, category="alpha", difficulty="hard", mode="open"
    )
    assert card.choices == ()
    feedback = await engine.answer(ALICE, card.round_id, text="It needs more memory for buckets.")
    assert feedback.verdict == "partial" and 0 < feedback.points < 300
    assert feedback.covered == ("Uses extra memory",)
    assert feedback.missed == ("Collisions can slow it down",)


async def test_misconception_scores_zero_with_correction(engine: QuizEngine) -> None:
    card = await engine.start_round(
        GENERAL, ALICE, category="alpha", difficulty="easy", mode="open"
    )
    feedback = await engine.answer(ALICE, card.round_id, text="Venus is the red planet.")
    assert feedback.points == 0 and feedback.misconception is not None


async def test_a_ceiling_says_why_it_held_the_grade_down(engine: QuizEngine) -> None:
    card = await engine.start_round(
        GENERAL, ALICE, category="alpha", difficulty="easy", mode="open"
    )
    feedback = await engine.answer(ALICE, card.round_id, text="Its surface is covered in rust.")
    assert feedback.covered == ("Mentions iron oxide or rust",)
    assert feedback.missed == ("Names Mars",)
    assert feedback.grade == 0.25
    assert feedback.cap == "Every central point is missing, so the grade is at most 25%."
    full = await engine.answer(BOB, card.round_id, text="Mars, because of the rust on it.")
    assert full.grade == 1.0 and full.cap is None


async def test_a_wrong_choice_says_why_it_is_wrong(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE, category="alpha", difficulty="easy")
    letter = {text: "ABCD"[i] for i, text in enumerate(card.choices)}
    venus = await engine.answer(ALICE, card.round_id, choice=letter["Venus"])
    assert venus.why_wrong == "Venus is hidden under pale clouds of sulphuric acid."
    mars = await engine.answer(BOB, card.round_id, choice=letter["Mars"])
    assert mars.correct and mars.why_wrong is None
    carol = Player(TEAM, "carol", "Carol")
    jupiter = await engine.answer(carol, card.round_id, choice=letter["Jupiter"])
    assert not jupiter.correct and jupiter.why_wrong is None  # the pack gives no reason


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "empty"), ("x" * (MAX_ANSWER_CHARS + 1), str(MAX_ANSWER_CHARS))],
)
async def test_bad_free_text_is_refused_and_nothing_recorded(
    engine: QuizEngine, text: str, message: str
) -> None:
    card = await engine.start_round(GENERAL, ALICE, mode="open")
    with pytest.raises(AnswerRejectedError) as refused:
        await engine.answer(ALICE, card.round_id, text=text)
    assert message in refused.value.message
    assert await engine.store.answer_count(card.round_id) == 0


async def test_wrong_kind_of_answer_is_refused(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    with pytest.raises(AnswerRejectedError):
        await engine.answer(ALICE, card.round_id, text="some words")
    with pytest.raises(InvalidOptionError):
        await engine.answer(ALICE, card.round_id, choice="E")
    assert await engine.store.answer_count(card.round_id) == 0


async def test_leaderboard_ranks_and_shows_caller_outside_top_ten(engine: QuizEngine) -> None:
    players = [Player(TEAM, f"p{i:02d}", f"Player {i}") for i in range(12)]
    for index, player in enumerate(players):
        card = await engine.start_round(GENERAL, player)
        letter = correct_letter(engine, card) if index < 11 else wrong_letter(engine, card)
        await engine.answer(player, card.round_id, choice=letter)
        await engine.close_round(TEAM, card.round_id)
    board = await engine.leaderboard(TEAM, period="week", caller=players[11])
    assert len(board.rows) == 11 and board.total_players == 12
    assert board.rows[9].points == board.rows[10].points  # the 11th is tied with the 10th
    assert [r.points for r in board.rows] == sorted((r.points for r in board.rows), reverse=True)
    assert board.caller is not None and board.caller.rank == 12 and board.caller.points == 0
    channel_board = await engine.leaderboard(TEAM, period="all", channel_id="ops")
    assert channel_board.rows == ()


async def test_stats_by_category(engine: QuizEngine) -> None:
    for category in ("alpha", "beta"):
        card = await engine.start_round(GENERAL, ALICE, category=category)
        await engine.answer(ALICE, card.round_id, choice=correct_letter(engine, card))
        await engine.close_round(TEAM, card.round_id)
    stats = await engine.stats(ALICE)
    assert stats.answers == 2 and stats.correct == 2 and stats.rank == 1
    assert {c.category: c.accuracy for c in stats.categories} == {"alpha": 1.0, "beta": 1.0}
    nobody = await engine.stats(Player(TEAM, "ghost", "Ghost"))
    assert nobody.answers == 0 and nobody.rank is None


async def test_answers_racing_a_close_are_either_refused_or_in_the_reveal(
    engine: QuizEngine, bank: QuestionBank, clock: FakeClock
) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    # The players answer through another engine on the store (as on another replica): it did
    # not open the round, so each answer reads it while the close is under way.
    other = QuizEngine(engine.store, bank, clock=clock, rng=random.Random(8), round_seconds=60)
    players = [Player(TEAM, f"racer{i}", f"Racer {i}") for i in range(40)]
    for player in players:  # known players, so every answer takes the same path
        await other.identities.player_pk(player)

    async def answer(player: Player) -> bool:
        try:
            await other.answer(player, card.round_id, choice="A")
        except RoundClosedError:
            return False
        return True

    answers = [asyncio.create_task(answer(p)) for p in players[:20]]
    closing = asyncio.create_task(engine.close_round(TEAM, card.round_id))
    answers += [asyncio.create_task(answer(p)) for p in players[20:]]
    accepted = sum(await asyncio.gather(*answers))
    reveal = await closing
    assert reveal.answer_count == accepted == await engine.store.answer_count(card.round_id)
    assert 0 < accepted < len(players)


async def test_a_round_answered_before_stays_invisible_to_other_teams(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, ALICE)
    await engine.answer(ALICE, card.round_id, choice="A")
    with pytest.raises(RoundNotFoundError):
        await engine.answer(Player(OTHER, "bob", "Bob"), card.round_id, choice="A")
    await engine.close_round(TEAM, card.round_id)
    with pytest.raises(RoundClosedError):
        await engine.answer(BOB, card.round_id, choice="A")
    assert await engine.store.answer_count(card.round_id) == 1


@pytest.mark.parametrize("channel_id", ["", "  ", "review:alice"])
async def test_a_channel_never_shares_the_team_or_a_review_scope(
    engine: QuizEngine, channel_id: str
) -> None:
    """Every answer counts for the team (scope "") and its channel: the two never collapse."""
    channel = Channel(TEAM, channel_id, channel_id)
    with pytest.raises(QuizError, match=r"(?i)channel"):
        await engine.start_round(channel, ALICE)
    with pytest.raises(QuizError, match=r"(?i)channel"):
        await engine.daily.set_schedule(channel, time_of_day="09:00", timezone="UTC")
    assert await engine.next_deadline() is None  # no round was opened
    assert await engine.daily.schedules(TEAM) == ()


async def _all_score_100(engine: QuizEngine, count: int) -> None:
    for index in range(count):
        player = Player(TEAM, f"p{index:02d}", f"Player {index}")
        card = await engine.start_round(GENERAL, player, difficulty="easy")
        await engine.answer(player, card.round_id, choice=correct_letter(engine, card))
        await engine.close_round(TEAM, card.round_id)


async def test_the_top_ten_includes_everyone_tied_with_the_tenth(engine: QuizEngine) -> None:
    await _all_score_100(engine, 12)
    board = await engine.leaderboard(TEAM, period="week")
    assert [(r.rank, r.points) for r in board.rows] == [(1, 100)] * 12
    assert not board.more_tied


async def test_a_long_tie_is_cut_with_a_flag(engine: QuizEngine) -> None:
    await _all_score_100(engine, 22)
    board = await engine.leaderboard(TEAM, period="week")
    assert len(board.rows) == 20 and board.more_tied and board.total_players == 22
