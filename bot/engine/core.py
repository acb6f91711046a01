"""What every use case of the engine shares: store, question bank, clock, RNG and identities."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.engine import views
from bot.engine.identity import Identities
from bot.engine.model import QuestionCard
from bot.engine.ports import Clock
from questions.loader import QuestionBank
from storage.interface import Storage
from storage.records import RoundRecord

__all__ = ["Core"]


@dataclass(frozen=True, slots=True)
class Core:
    """The engine's shared collaborators, handed to each group of use cases."""

    store: Storage
    bank: QuestionBank
    clock: Clock
    rng: random.Random
    ids: Identities

    def card(self, record: RoundRecord, *, answer_count: int = 0) -> QuestionCard:
        """The question card of a stored round."""
        question = self.bank.get(record.question_id)
        title = self.bank.category_titles.get(question.category, question.category)
        return views.question_card(record, question, title, answer_count=answer_count)
