"""Spaced repetition: FSRS cards per player and question, ``/review``, self-assessment, reports.

- Every answer (quiz, daily, review) reviews the player's FSRS card for the question, in the
  answer's own transaction (:meth:`ReviewDesk.card_update`). Rating: a wrong answer or a
  misconception is Again; a correct multiple-choice answer is Good (never Easy: a quarter of
  guesses are right); free text below :data:`~bot.engine.scoring.CORRECT_THRESHOLD` is Hard,
  at or above it Good.
- The scheduler is ``fsrs`` (FSRS-6) with its default parameters, without learning steps (a
  chat bot reviews in days, not minutes) and without fuzzing (the engine's clock makes tests
  exact); review times come from the engine's injected clock.
- ``/review`` serves the player's most overdue card; with nothing due, a question they have
  never seen, drawn with the engine's RNG and weighted toward their weakest category; with
  everything seen and nothing due, the card due soonest. Review rounds are private rounds
  (kind ``review``) in a per-player pseudo channel, answered through :meth:`QuizEngine.answer`,
  and earn :data:`~bot.engine.scoring.REVIEW_POINTS` × grade.
- After a review answer the player may correct the rating (Again / Hard / Good / Easy); FSRS
  replays the review with it. Points and leaderboards keep the automatic grade.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from fsrs import Card, Rating, Scheduler

from bot.engine import options
from bot.engine.core import Core
from bot.engine.drawing import askable, shuffled_order
from bot.engine.errors import QuizError
from bot.engine.grading import GradeResult
from bot.engine.identity import review_channel_id
from bot.engine.model import CategoryStats, Mode, Player, QuestionCard, Stats
from bot.engine.scoring import CORRECT_THRESHOLD
from questions.schema import Question
from storage.errors import DuplicateReportError
from storage.records import CardReview, ReviewStep, RoundRecord

if TYPE_CHECKING:
    from bot.engine.closing import RoundCloser

__all__ = [
    "RATINGS",
    "REPORT_KINDS",
    "REVIEW_SECONDS",
    "CardScheduler",
    "DueCounts",
    "Rated",
    "ReportFiled",
    "ReviewDesk",
    "category_weights",
    "note_text",
    "pick_unseen",
    "rating_for",
    "rating_for_grade",
    "weakest_category",
]

REVIEW_SECONDS = 15 * 60
"""How long a review round stays open (it closes silently: nobody else sees it)."""
RATINGS: tuple[str, ...] = ("again", "hard", "good", "easy")
QuestionReportKind = Literal["typo", "wrong", "unclear"]
ReportKind = Literal["dispute", "typo", "wrong", "unclear"]
REPORT_KINDS: tuple[QuestionReportKind, ...] = ("typo", "wrong", "unclear")
MAX_NOTE_CHARS = 1000
DAY = 86_400.0
_UNSEEN_MISS_RATE = 0.5
"""The miss rate assumed for a category the player has not answered yet."""


def rating_for(mode: str, result: GradeResult) -> Rating:
    """The FSRS rating of an automatically graded answer."""
    if result.misconception:
        return Rating.Again
    return rating_for_grade(mode, result.grade)


def rating_for_grade(mode: str, grade: float) -> Rating:
    """The FSRS rating of a grade (0..1) in ``mode``: Again, Hard or Good (never Easy)."""
    if grade <= 0:
        return Rating.Again
    if mode == "choice":
        return Rating.Good
    return Rating.Good if grade >= CORRECT_THRESHOLD else Rating.Hard


def parse_rating(value: str) -> Rating:
    """``again|hard|good|easy`` (any case) as an FSRS rating; :class:`InvalidOptionError`."""
    return Rating(RATINGS.index(options.choose("rating", value, RATINGS)) + 1)


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


class CardScheduler:
    """``fsrs.Scheduler`` with Quizbot's settings; times are epoch seconds (UTC)."""

    def __init__(self, *, desired_retention: float = 0.9) -> None:
        self.scheduler = Scheduler(
            desired_retention=desired_retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )

    @staticmethod
    def new_card(card_id: int, now: float) -> Card:
        """A card never reviewed, due at ``now``."""
        return Card(card_id=card_id, due=_moment(now))

    def review(self, card: Card, rating: Rating, at: float) -> Card:
        """The card after a review with ``rating`` at ``at``."""
        reviewed, _ = self.scheduler.review_card(card, rating, _moment(at))
        return reviewed

    def step(self, rating: Rating, at: float) -> ReviewStep:
        """The storage-side review step: card JSON (or None) -> (JSON, state, due)."""

        def run(before: str | None, card_id: int) -> tuple[str, int, float]:
            return self.replay(before, card_id, int(rating), at)

        return run

    def replay(
        self, before: str | None, card_id: int, rating: int, at: float
    ) -> tuple[str, int, float]:
        """One stored review: card JSON (or None for a new card) -> (JSON, state, due)."""
        card = Card.from_json(before) if before else self.new_card(card_id, at)
        after = self.review(card, Rating(rating), at)
        return after.to_json(), int(after.state), after.due.timestamp()


# -- choosing what to review ------------------------------------------------------------------


def category_weights(
    categories: Sequence[str], results: Mapping[str, tuple[int, int]]
) -> dict[str, float]:
    """Draw weight per category: ``1 + 4 × miss rate`` (0.5 assumed for an unanswered one).

    ``results`` maps category -> (answers, correct). The weakest category weighs up to 5×
    a perfect one.
    """
    weights = {}
    for category in categories:
        answers, correct = results.get(category, (0, 0))
        miss = 1 - correct / answers if answers else _UNSEEN_MISS_RATE
        weights[category] = 1 + 4 * miss
    return weights


def pick_unseen(
    questions: Sequence[Question],
    seen: set[str],
    results: Mapping[str, tuple[int, int]],
    rng: random.Random,
) -> Question | None:
    """A question the player has never answered, weighted toward their weakest category."""
    unseen: dict[str, list[Question]] = {}
    for question in questions:
        if question.id not in seen:
            unseen.setdefault(question.category, []).append(question)
    if not unseen:
        return None
    categories = sorted(unseen)
    weights = category_weights(categories, results)
    [category] = rng.choices(categories, weights=[weights[c] for c in categories])
    pool = unseen[category]
    return pool[rng.randrange(len(pool))]


def weakest_category(categories: Sequence[CategoryStats]) -> CategoryStats | None:
    """The answered category with the lowest accuracy (None when every one is perfect)."""
    answered = [c for c in categories if c.answers and c.correct < c.answers]
    if not answered:
        return None
    return min(answered, key=lambda c: (c.accuracy, -c.answers, c.title))


# -- views ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rated:
    """The player's self-assessment was applied: the card's next review."""

    round_id: int
    rating: str
    due_at: float
    interval_days: float


@dataclass(frozen=True, slots=True)
class ReportFiled:
    """A dispute or a question report was stored for the pack authors."""

    report_id: int
    kind: ReportKind
    question_id: str


@dataclass(frozen=True, slots=True)
class DueCounts:
    """How many of a player's cards are due now, by the end of today (UTC), within 7 days."""

    now: int
    today: int
    week: int


# -- the use cases ----------------------------------------------------------------------------


class ReviewDesk:
    """The review use cases of one :class:`QuizEngine` (``engine.reviews``)."""

    def __init__(self, core: Core, closer: RoundCloser, *, nudge: bool = False) -> None:
        self._core = core
        self._closer = closer
        self.store = core.store.reviews
        self.scheduler = CardScheduler()
        self.nudge = nudge

    # -- the answer path -------------------------------------------------------------------

    def card_update(
        self, player_pk: int, record: RoundRecord, rating: Rating, at: float
    ) -> CardReview:
        """The card review :meth:`Storage.record_answer` applies in the answer's transaction."""
        return CardReview(
            player_pk=player_pk,
            question_id=record.question_id,
            category=record.category,
            rating=int(rating),
            reviewed_at=at,
            step=self.scheduler.step(rating, at),
        )

    async def nudge_count(self, player_pk: int) -> int:
        """Reviews due now, when nudges are on (0 otherwise)."""
        if not self.nudge:
            return 0
        return await self.store.due_count(player_pk, self._core.clock())

    # -- /review ---------------------------------------------------------------------------

    async def start(
        self, player: Player, *, mode: str | None = None, category: str | None = None
    ) -> QuestionCard:
        """A private practice question: most overdue, else unseen (weakest category first);
        only questions of ``category`` when it is given (targeted practice)."""
        core = self._core
        chosen_mode = options.parse_mode(mode or "open")
        chosen_category = options.parse_category(category, core.bank.categories)
        await self._closer.close_due_rounds()
        team_pk = await core.ids.team_pk(player.team)
        player_pk = await core.ids.player_pk(player)
        now = core.clock()
        existing = await self.store.open_review_round(player_pk, now)
        if (
            existing is not None
            and existing.mode == chosen_mode
            and chosen_category in (None, existing.category)
        ):
            return core.card(existing)
        question = await self._next_question(player_pk, now, chosen_mode, chosen_category)
        record = await core.store.create_round(
            team_pk=team_pk,
            channel_id=review_channel_id(player),
            kind="review",
            mode=chosen_mode,
            question_id=question.id,
            category=question.category,
            difficulty=question.difficulty,
            choice_order=shuffled_order(len(question.choices), core.rng),
            opened_by=player_pk,
            opened_at=now,
            closes_at=now + REVIEW_SECONDS,
        )
        return core.card(record)

    async def _next_question(
        self, player_pk: int, now: float, mode: Mode, category: str | None
    ) -> Question:
        core = self._core
        allowed = {
            q.id: q for q in core.bank if askable(q, mode) and category in (None, q.category)
        }
        for card in await self.store.due_cards(player_pk, now):
            if card.question_id in allowed:
                return allowed[card.question_id]
        cards = await self.store.cards(player_pk)
        results = {c: (n, k) for c, n, k in await core.store.category_results(player_pk)}
        seen = {c.question_id for c in cards}
        unseen = pick_unseen(list(allowed.values()), seen, results, core.rng)
        if unseen is not None:
            return unseen
        for card in cards:  # everything seen, nothing due: the card due soonest, early
            if card.question_id in allowed:
                return allowed[card.question_id]
        if category is not None and not allowed:
            raise QuizError(
                f"No {category} question can be reviewed this way; try another category "
                "or mode:choice."
            )
        if mode == "open" and len(core.bank):
            raise QuizError(
                "Every question is multiple choice only; ask /review for multiple choice."
            )
        raise QuizError("There are no questions to review.")

    async def rate(self, player: Player, round_id: int, rating: str) -> Rated:
        """Correct the automatic rating of the player's review answer; FSRS replays it."""
        chosen = parse_rating(rating)
        record = await self._core.ids.player_round(player, round_id)
        if record.kind != "review":
            raise QuizError("Only /review questions can be rated; this one keeps its grade.")
        player_pk = await self._core.ids.player_pk(player)
        logged = await self.store.review_of_answer(record.id, player_pk)
        if logged is None:
            raise QuizError("Answer the question first, then rate how well you knew it.")
        log_id, card_id, at = logged
        done, after = await self.store.rerate(
            log_id, card_id, int(chosen), self.scheduler.step(chosen, at)
        )
        if not done:
            raise QuizError("You have reviewed this question again since; rate the newer one.")
        card = Card.from_json(after)
        due = card.due.timestamp()
        return Rated(record.id, chosen.name.lower(), due, (due - at) / DAY)

    async def due_counts(self, player: Player) -> DueCounts:
        """The player's cards due now, by the end of today (UTC) and within 7 days."""
        found = await self._core.ids.find_player(player)
        if found is None:
            return DueCounts(0, 0, 0)
        now = self._core.clock()
        end_of_day = (now // DAY + 1) * DAY
        count = self.store.due_count
        return DueCounts(
            await count(found[0], now),
            await count(found[0], end_of_day),
            await count(found[0], now + 7 * DAY),
        )

    async def with_progress(self, player: Player, stats: Stats) -> Stats:
        """``stats`` with the weakest category and the due counts filled in."""
        weakest = weakest_category(stats.categories)
        due = await self.due_counts(player)
        return replace(
            stats,
            weakest_category=weakest.title if weakest else None,
            due_today=due.today,
            due_week=due.week,
        )

    # -- disputes and reports --------------------------------------------------------------

    async def dispute(self, player: Player, round_id: int, reason: str) -> ReportFiled:
        """ "Dispute grade": why the player thinks their grade is wrong."""
        note = note_text(reason, required=True)
        return await self._report(player, round_id, "dispute", note, need_answer=True)

    async def report_question(
        self, player: Player, round_id: int, kind: str, note: str = ""
    ) -> ReportFiled:
        """ "Report question": a typo, a wrong answer, or an unclear question."""
        report_kind = options.choose("report", kind, REPORT_KINDS)
        return await self._report(player, round_id, report_kind, note_text(note), need_answer=False)

    async def _report(
        self, player: Player, round_id: int, kind: ReportKind, note: str, *, need_answer: bool
    ) -> ReportFiled:
        core = self._core
        record = await core.ids.player_round(player, round_id)
        player_pk = await core.ids.player_pk(player)
        answered = await self.store.player_answer(record.id, player_pk)
        if answered is None and need_answer:
            raise QuizError("You can dispute a grade once you have answered the question.")
        answer: str | None = None
        grade: float | None = None
        if answered is not None:
            choice, text, grade = answered
            if choice is not None and record.question_id in core.bank:
                answer = core.bank.get(record.question_id).choices[choice].text
            else:
                answer = text
        try:
            report_id = await self.store.add_report(
                team_pk=record.team_pk,
                player_pk=player_pk,
                round_id=record.id,
                question_id=record.question_id,
                kind=kind,
                note=note,
                answer=answer,
                grade=grade,
                created_at=core.clock(),
            )
        except DuplicateReportError:
            what = "disputed this grade" if kind == "dispute" else "sent that report"
            raise QuizError(f"You already {what} for this question; thank you!") from None
        return ReportFiled(report_id, kind, record.question_id)


def note_text(text: str, *, required: bool = False) -> str:
    """A player's or admin's note, trimmed; :class:`QuizError` when missing (if required) or
    too long."""
    note = text.strip()
    if required and not note:
        raise QuizError("Please say briefly why the grade is wrong.")
    if len(note) > MAX_NOTE_CHARS:
        raise QuizError(f"Please keep it under {MAX_NOTE_CHARS} characters.")
    return note
