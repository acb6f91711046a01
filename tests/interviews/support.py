"""What the interview tests share: the built-in bank and answers of known quality."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path

from bot.engine.engine import QuizEngine
from questions.loader import QuestionBank, load_bank
from questions.schema import Question
from storage.store import Store
from tests.conftest import FakeClock

BUDGET_S = 180
WEAK_ANSWER = "I am not sure, sorry."

BUILTIN = load_bank()


def builtin_bank() -> QuestionBank:
    """The built-in packs: enough free-text questions at every level for a whole interview."""
    return BUILTIN


def question_of(prompt_text: str) -> Question:
    """The built-in question whose prompt is ``prompt_text`` (the text a prompt shows)."""
    return next(q for q in BUILTIN if q.prompt == prompt_text)


def question_shown_in(text: str) -> Question:
    """The built-in question whose prompt appears in a rendered message."""
    return max((q for q in BUILTIN if q.prompt in text), key=lambda q: len(q.prompt))


def strong_answer(question: Question) -> str:
    """The question's ``full`` sample: graded at the top of the rubric."""
    return next(s.text for s in question.samples if s.label == "full")


def follow_up_point(question: Question) -> str:
    """The required point a weak answer misses first: what the follow-up asks about."""
    return next(p.label for p in question.key_points if p.required)


def point_answer(question: Question, label: str) -> str:
    """An answer stating just the key point ``label`` (its first phrase)."""
    point = next(p for p in question.key_points if p.label == label)
    return f"Well, {point.phrases[0]}."


@contextlib.asynccontextmanager
async def opened_engine(path: Path, clock: FakeClock, seed: int = 3) -> AsyncIterator[QuizEngine]:
    """An engine on the database file ``path`` (reopening it is a restart), closed on exit
    (its connection's thread would keep the test process alive)."""
    store = await Store.open(path)
    try:
        yield QuizEngine(
            store,
            BUILTIN,
            clock=clock,
            rng=random.Random(seed),
            interview_question_seconds=BUDGET_S,
        )
    finally:
        await store.close()
