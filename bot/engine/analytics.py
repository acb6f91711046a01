"""Question analytics for pack authors (``engine.analytics``): which questions are too easy, too
hard or badly written.

Per question, over the answers of one team (or of every team, from the CLI): times asked, the
share of correct answers, the mean grade of free-text answers, each choice's pick rate among
multiple-choice answers, the **discrimination** (the point-biserial correlation of an answer's
correctness with its player's overall accuracy: do the stronger players get it right more
often?), and the open disputes and reports.

Flags need at least :data:`MIN_ANSWERS` answers (a distractor nobody picks, at least
:data:`MIN_ANSWERS` multiple-choice answers); below that a question is listed without them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from bot.engine.core import Core
from bot.engine.model import QuestionStats, Team
from questions.loader import QuestionBank
from storage.analytics import AnswerFact

__all__ = [
    "FLAGS",
    "MANY_REPORTS",
    "MIN_ANSWERS",
    "TOO_EASY",
    "TOO_HARD",
    "QuestionAnalytics",
    "discrimination",
    "question_stats",
]

MIN_ANSWERS = 10
"""Answers a question needs before it is flagged."""
TOO_EASY = 0.90
"""Flagged "too easy" above this share of correct answers."""
TOO_HARD = 0.15
"""Flagged "too hard" below this share of correct answers."""
MANY_REPORTS = 3
"""Flagged "many disputes" from this many open disputes and reports."""
FLAGS = {
    "too-easy": f"too easy (over {TOO_EASY:.0%} correct)",
    "too-hard": f"too hard (under {TOO_HARD:.0%} correct)",
    "unused-distractor": "a wrong choice nobody picks",
    "negative-discrimination": "stronger players miss it more often",
    "many-disputes": f"{MANY_REPORTS} or more open disputes and reports",
}
"""Each flag's name and what it means."""


def discrimination(correct: list[bool], accuracy: list[float]) -> float | None:
    """The point-biserial correlation of correctness with the players' accuracy (Pearson's r
    with a 0/1 variable); None when either side does not vary."""
    if len(correct) < 2 or len(set(correct)) < 2 or len(set(accuracy)) < 2:
        return None
    return statistics.correlation([float(c) for c in correct], accuracy)


def _flags(
    answers: list[AnswerFact],
    picks: list[int],
    correct_choice: int | None,
    reports: int,
    r: float | None,
) -> tuple[str, ...]:
    flags: list[str] = []
    if len(answers) >= MIN_ANSWERS:
        rate = sum(a.correct for a in answers) / len(answers)
        if rate > TOO_EASY:
            flags.append("too-easy")
        if rate < TOO_HARD:
            flags.append("too-hard")
        if r is not None and r < 0:
            flags.append("negative-discrimination")
    distractors = [count for i, count in enumerate(picks) if i != correct_choice]
    if sum(picks) >= MIN_ANSWERS and 0 in distractors:
        flags.append("unused-distractor")
    if reports >= MANY_REPORTS:
        flags.append("many-disputes")
    return tuple(flags)


def question_stats(
    question_id: str,
    answers: list[AnswerFact],
    *,
    asked: int,
    choices: int,
    player_accuracy: Mapping[int, float],
    disputes: int,
    reports: int,
    correct_choice: int | None = None,
) -> QuestionStats:
    """The statistics and flags of one question from its answers.

    ``correct_choice`` (its index in the pack's order) is no distractor: nobody picking it
    makes the question too hard, not a wrong choice unused.
    """
    picks = [0] * choices
    for answer in answers:
        if answer.choice is not None and 0 <= answer.choice < choices:
            picks[answer.choice] += 1
    picked = sum(picks)
    grades = [a.grade for a in answers if a.mode == "open"]
    r = discrimination(
        [a.correct for a in answers], [player_accuracy[a.player_pk] for a in answers]
    )
    return QuestionStats(
        question_id=question_id,
        asked=asked,
        answers=len(answers),
        correct_rate=sum(a.correct for a in answers) / len(answers) if answers else None,
        mean_grade=statistics.fmean(grades) if grades else None,
        pick_rates=tuple(count / picked for count in picks) if picked else (),
        discrimination=r,
        open_disputes=disputes,
        open_reports=reports,
        flags=_flags(answers, picks, correct_choice, disputes + reports, r),
    )


def _accuracy(answers: Iterable[AnswerFact]) -> dict[int, float]:
    totals: Counter[int] = Counter()
    right: Counter[int] = Counter()
    for answer in answers:
        totals[answer.player_pk] += 1
        right[answer.player_pk] += answer.correct
    return {player: right[player] / totals[player] for player in totals}


def _correct_choice(bank: QuestionBank, question_id: str) -> int | None:
    """The index of the question's correct choice, None when it has no choices (or is gone)."""
    if question_id not in bank or not bank.get(question_id).choices:
        return None
    return bank.get(question_id).correct_index


class QuestionAnalytics:
    """The analytics use case of one :class:`QuizEngine` (``engine.analytics``)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.store = core.store.analytics

    async def questions(self, team: Team | None) -> tuple[QuestionStats, ...]:
        """Every question asked in ``team`` (every team when None) or reported there: flagged
        ones first (most flags first), then by answers, most first."""
        team_pk = None if team is None else await self._core.ids.known_team_pk(team)
        if team is not None and team_pk is None:
            return ()
        answers = await self.store.answers(team_pk)
        asked = await self.store.times_asked(team_pk)
        reports = await self.store.open_reports(team_pk)
        by_question: defaultdict[str, list[AnswerFact]] = defaultdict(list)
        for answer in answers:
            by_question[answer.question_id].append(answer)
        accuracy = _accuracy(answers)
        bank = self._core.bank
        ids = set(asked) | {question for question, _ in reports}
        found = [
            question_stats(
                question_id,
                by_question[question_id],
                asked=asked.get(question_id, 0),
                choices=len(bank.get(question_id).choices) if question_id in bank else 0,
                player_accuracy=accuracy,
                disputes=reports.get((question_id, True), 0),
                reports=reports.get((question_id, False), 0),
                correct_choice=_correct_choice(bank, question_id),
            )
            for question_id in ids
        ]
        found.sort(key=lambda s: (-len(s.flags), -s.answers, s.question_id))
        return tuple(found)
