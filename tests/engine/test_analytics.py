"""Question analytics: rates, pick rates, discrimination and the flags, per team."""

from __future__ import annotations

import pytest

from bot.engine.analytics import MIN_ANSWERS, discrimination, question_stats
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from storage.analytics import AnswerFact

TEAM = Team("console", "local")
GENERAL = Channel(TEAM, "general", "general")


def fact(player: int, correct: bool, choice: int | None = None, grade: float = 0.0) -> AnswerFact:
    mode = "open" if choice is None else "choice"
    return AnswerFact(
        "q", mode, choice, grade if choice is None else float(correct), correct, player
    )


def test_discrimination_is_the_point_biserial_correlation() -> None:
    r = discrimination([True, True, False, False], [0.9, 0.8, 0.3, 0.2])
    assert r == pytest.approx(0.98639, abs=1e-4)  # (0.85 - 0.25) / 0.30414 × √(0.5 × 0.5)
    assert discrimination([True, True], [0.9, 0.1]) is None  # correctness does not vary
    assert discrimination([True, False], [0.5, 0.5]) is None  # accuracy does not vary


def test_flags_need_the_minimum_of_answers() -> None:
    # the weaker players get it right and the stronger ones wrong: negative discrimination
    answers = [fact(p, p < 5, choice=0 if p < 5 else 1) for p in range(MIN_ANSWERS)]
    accuracy = {p: 0.2 if p < 5 else 0.9 for p in range(MIN_ANSWERS)}
    stats = question_stats(
        "q", answers, asked=3, choices=4, player_accuracy=accuracy, disputes=2, reports=1
    )
    assert stats.correct_rate == 0.5 and stats.pick_rates == (0.5, 0.5, 0.0, 0.0)
    assert stats.discrimination is not None and stats.discrimination < 0
    assert stats.flags == ("negative-discrimination", "unused-distractor", "many-disputes")
    few = question_stats(
        "q", answers[:-1], asked=3, choices=4, player_accuracy=accuracy, disputes=0, reports=0
    )
    assert few.flags == ()  # one answer short of the minimum


def test_an_unpicked_correct_choice_is_no_unused_distractor() -> None:
    # nobody picks the correct choice (index 2); every wrong one is picked
    answers = [fact(p, False, choice=(0, 1, 3)[p % 3]) for p in range(MIN_ANSWERS)]
    accuracy = dict.fromkeys(range(MIN_ANSWERS), 0.5)
    stats = question_stats(
        "q",
        answers,
        asked=1,
        choices=4,
        player_accuracy=accuracy,
        disputes=0,
        reports=0,
        correct_choice=2,
    )
    assert stats.pick_rates[2] == 0.0
    assert stats.flags == ("too-hard",)


def test_free_text_grades_and_too_hard() -> None:
    answers = [fact(p, p == 0, grade=0.9 if p == 0 else 0.1) for p in range(12)]
    accuracy = dict.fromkeys(range(12), 0.5)
    stats = question_stats(
        "q", answers, asked=12, choices=4, player_accuracy=accuracy, disputes=0, reports=0
    )
    assert stats.mean_grade == pytest.approx((0.9 + 11 * 0.1) / 12)
    assert stats.pick_rates == () and stats.discrimination is None
    assert stats.flags == ("too-hard",)


async def test_questions_from_real_rounds_per_team(engine: QuizEngine) -> None:
    card = await engine.start_round(GENERAL, None, category="alpha", difficulty="easy")
    question = engine.bank.get(card.question_id)
    right = "ABCD"[card.choices.index(question.choices[question.correct_index].text)]
    wrong = next(x for x in "ABCD" if x != right)
    players = [Player(TEAM, f"p{n}", f"P{n}") for n in range(12)]
    for n, player in enumerate(players):
        await engine.answer(player, card.round_id, choice=wrong if n == 0 else right)
    await engine.dispute(players[0], card.round_id, "B is right too")
    [stats] = await engine.analytics.questions(TEAM)
    assert (stats.question_id, stats.asked, stats.answers) == ("alpha-easy", 1, 12)
    assert stats.correct_rate == pytest.approx(11 / 12)
    assert sorted(stats.pick_rates) == pytest.approx([0, 0, 1 / 12, 11 / 12])
    assert stats.pick_rates[question.correct_index] == pytest.approx(11 / 12)
    assert stats.discrimination == pytest.approx(1.0)  # one question: accuracy is correctness
    assert (stats.open_disputes, stats.open_reports) == (1, 0)
    assert stats.flags == ("too-easy", "unused-distractor")
    assert await engine.analytics.questions(Team("console", "elsewhere")) == ()
    assert len(await engine.analytics.questions(None)) == 1
