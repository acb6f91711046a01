"""Building the neutral views of a stored round: its question card and its reveal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import cast

from bot.engine.model import (
    CHOICE_LETTERS,
    ChoiceTally,
    MessageRef,
    Mode,
    QuestionCard,
    Reveal,
    RoundKind,
)
from questions.schema import Question
from storage.store import AnswerRecord, RoundRecord

__all__ = ["question_card", "reveal"]


def question_card(
    record: RoundRecord, question: Question, category_title: str, *, answer_count: int
) -> QuestionCard:
    """The round's question as shown in its channel, choices in the round's shuffled order."""
    choices = (
        tuple(question.choices[int(i)].text for i in record.choice_order)
        if record.mode == "choice"
        else ()
    )
    return QuestionCard(
        round_id=record.id,
        kind=cast(RoundKind, record.kind),
        mode=cast(Mode, record.mode),
        question_id=question.id,
        category=question.category,
        category_title=category_title,
        difficulty=question.difficulty,
        prompt=question.prompt,
        choices=choices,
        closes_at=record.closes_at,
        time_limit_s=round(record.closes_at - record.opened_at),
        answer_count=answer_count,
        code=question.code,
    )


def _tallies(
    record: RoundRecord, question: Question, answers: Sequence[AnswerRecord]
) -> tuple[ChoiceTally, ...]:
    counts = Counter(a.choice for a in answers if a.choice is not None)
    return tuple(
        ChoiceTally(
            letter=CHOICE_LETTERS[position],
            text=question.choices[int(index)].text,
            count=counts.get(int(index), 0),
            correct=int(index) == question.correct_index,
        )
        for position, index in enumerate(record.choice_order)
    )


def reveal(record: RoundRecord, question: Question, answers: Sequence[AnswerRecord]) -> Reveal:
    """What everyone sees when the round closes: the answer, the tallies, who got it."""
    correct_players = tuple(a.display_name for a in answers if a.correct)
    is_choice = record.mode == "choice"
    tallies = _tallies(record, question, answers) if is_choice else ()
    ref = (
        MessageRef(record.message_channel, record.message_id)
        if record.message_channel and record.message_id
        else None
    )
    return Reveal(
        round_id=record.id,
        question_id=question.id,
        mode=cast(Mode, record.mode),
        prompt=question.prompt,
        correct_letter=next((t.letter for t in tallies if t.correct), None),
        correct_text=question.choices[question.correct_index].text
        if is_choice
        else question.reference_answer,
        explanation=question.explanation,
        tallies=tallies,
        answer_count=len(answers),
        correct_players=correct_players,
        first_correct=correct_players[0] if correct_players else None,
        message_ref=ref,
        code=question.code,
        output=question.output,
    )
