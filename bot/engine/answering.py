"""Answering a round: validate the reply, grade it, score it, commit it, give feedback.

A free-text reply is graded by the offline rubric, then by the optional judge
(:mod:`bot.engine.judging`); the adapters call the engine after acknowledging the platform,
so the judge's time is never the acknowledgement's.

Once per player per round is the database's UNIQUE constraint; the answer, the score totals
and the player's FSRS card are committed in one transaction before the feedback is returned.
"""

from __future__ import annotations

from typing import cast

from bot.engine import scoring
from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.errors import (
    AlreadyAnsweredError,
    AnswerRejectedError,
    InvalidOptionError,
    RoundClosedError,
    RoundNotFoundError,
)
from bot.engine.grading import GradeResult, grade_choice, grade_text
from bot.engine.judging import judged
from bot.engine.model import CHOICE_LETTERS, Feedback, Player, RoundKind
from bot.engine.ports import Judge
from bot.engine.reviews import ReviewDesk, rating_for
from bot.engine.rewards import RoleRewards
from bot.engine.standings import period_keys
from bot.safe_text import has_lone_surrogate
from questions.schema import Question
from storage.errors import DuplicateAnswerError, RoundClosedInStoreError
from storage.interface import DailyStorage
from storage.records import RoundRecord

__all__ = ["MAX_ANSWER_CHARS", "AnswerDesk", "grade_reply", "validate_reply"]

MAX_ANSWER_CHARS = 4000


def validate_reply(choice: str | None, text: str | None) -> tuple[str | None, str | None]:
    """(choice letter, free text). A lone letter typed as text is both (an output may be "B")."""
    if choice is not None:
        letter = choice.strip().upper()
        if len(letter) != 1 or letter not in CHOICE_LETTERS:
            raise InvalidOptionError("answer", choice, tuple(CHOICE_LETTERS))
        return letter, None
    reply = (text or "").strip()
    if not reply:
        raise AnswerRejectedError("Your answer is empty; please write a few words.")
    if has_lone_surrogate(reply):
        raise AnswerRejectedError(
            "Your answer contains broken characters (a lone surrogate); please retype it."
        )
    if len(reply) > MAX_ANSWER_CHARS:
        raise AnswerRejectedError(
            f"Your answer is {len(reply)} characters long; the limit is {MAX_ANSWER_CHARS}."
        )
    if len(reply) == 1 and reply.upper() in CHOICE_LETTERS:
        return reply.upper(), reply
    return None, reply


def grade_reply(
    record: RoundRecord, question: Question, letter: str | None, reply: str | None
) -> tuple[int | None, GradeResult, str]:
    """Grade a validated reply; returns (choice index in the file, result, reply as shown).

    In open mode a lone letter answers an output question (its output may be ``B``) and is
    refused for any other question, which wants a sentence.
    """
    if record.mode == "choice":
        if letter is None:
            raise AnswerRejectedError("This question is multiple choice: answer A, B, C or D.")
        index = int(record.choice_order[CHOICE_LETTERS.index(letter)])
        return index, grade_choice(question, index), f"{letter}) {question.choices[index].text}"
    if question.type == "output":
        if reply is None:
            raise AnswerRejectedError("This question wants its exact output: type what it prints.")
    elif reply is None or letter is not None:
        raise AnswerRejectedError("This question wants an answer in your own words.")
    return None, grade_text(question, reply), reply


def _why_wrong(question: Question, choice_index: int | None) -> str | None:
    """The pack's reason the chosen option is wrong (None for the right one, or free text)."""
    if choice_index is None or choice_index == question.correct_index:
        return None
    return question.choices[choice_index].why_wrong


OPEN_ROUNDS_REMEMBERED = 10_000
"""The most open rounds remembered between answers (least recently used forgotten first)."""


class AnswerDesk:
    """Takes players' answers to rounds."""

    def __init__(
        self,
        core: Core,
        closer: RoundCloser,
        reviews: ReviewDesk,
        daily_store: DailyStorage,
        judge: Judge | None = None,
        *,
        rewards: RoleRewards | None = None,
    ) -> None:
        self._core = core
        self._judge = judge
        self._rewards = rewards
        self._closer = closer
        self._reviews = reviews
        self._daily_store = daily_store
        self._open_rounds = core.open_rounds

    async def _answerable_round(self, player: Player, round_id: int) -> RoundRecord:
        """The round, checked against the player (team, and owner of a review round), from
        memory when recently seen."""
        ids = self._core.ids
        record = self._open_rounds.get(round_id)
        if record is None:
            record = await ids.player_round(player, round_id)
            if record.closed_at is None:
                self._open_rounds[round_id] = record
        elif await ids.known_team_pk(player.team) != record.team_pk:
            raise RoundNotFoundError()
        return ids.for_player(record, player)

    async def answer(
        self, player: Player, round_id: int, *, choice: str | None, text: str | None
    ) -> Feedback:
        """Answer a round once (see :meth:`QuizEngine.answer`)."""
        core = self._core
        letter, reply = validate_reply(choice, text)
        record = await self._answerable_round(player, round_id)
        now = core.clock()
        if record.closed_at is not None:
            raise RoundClosedError()
        if now >= record.closes_at:
            self._open_rounds.pop(round_id, None)
            await self._closer.close_due_rounds()
            raise RoundClosedError()
        question = core.bank.get(record.question_id)
        choice_index, result, shown = grade_reply(record, question, letter, reply)
        if choice_index is None and reply is not None:  # free text, never a choice typed
            left_s = record.closes_at - now
            result = await judged(self._judge, question, reply, result, within_s=left_s)
        player_pk = await core.ids.player_pk(player)
        streak = 0
        if record.kind == "daily" and result.grade > 0:
            streak = await self._daily_store.current_streak(
                record.team_pk, record.channel_id, player_pk
            )
        points = scoring.answer_points(
            kind=record.kind,
            difficulty=record.difficulty,
            grade=result.grade,
            elapsed_s=now - record.opened_at,
            time_limit_s=record.closes_at - record.opened_at,
            streak_days=streak,
        )
        verdict = scoring.verdict_for(result.grade)
        rating = rating_for(record.mode, result)
        try:
            await core.store.record_answer(
                round_record=record,
                player_pk=player_pk,
                choice=choice_index,
                text=reply if choice_index is None else None,
                grade=result.grade,
                correct=verdict == "correct",
                points=points,
                answered_at=now,
                periods=period_keys(now).values(),
                review=self._reviews.card_update(player_pk, record, rating, now),
            )
        except DuplicateAnswerError:
            raise AlreadyAnsweredError() from None
        except RoundClosedInStoreError:
            self._open_rounds.pop(round_id, None)
            raise RoundClosedError() from None
        if self._rewards is not None and points > 0:
            await self._rewards.after_answer(player)
        return Feedback(
            round_id=record.id,
            question_id=question.id,
            correct=verdict == "correct",
            grade=result.grade,
            points=points,
            verdict=verdict,
            your_answer=shown,
            reference_answer=question.reference_answer,
            explanation=question.explanation,
            output=question.output,
            covered=result.covered,
            missed=result.missed,
            misconception=result.misconception,
            cap=result.cap,
            contradicted=result.contradicted,
            judge_note=result.note,
            why_wrong=_why_wrong(question, choice_index),
            kind=cast(RoundKind, record.kind),
            rating=rating.name.lower(),
            reviews_due=await self._reviews.nudge_count(player_pk),
        )
