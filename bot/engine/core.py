"""What every use case of the engine shares: store, question bank, clock, RNG and identities."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cachetools import LRUCache

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
    open_rounds: LRUCache[int, RoundRecord]
    """Rounds this engine opened or saw open, by id. Only their fixed fields are read from here:
    team, channel, kind, mode, question, choice order, opening and closing times are written
    when the round is created and never updated by any process. What changes (closed_at, the
    posted message) is not read from here: whether the round is still open is checked inside
    the answer's transaction, so a round another process closed refuses the answer, and the
    entry is then dropped."""

    def opened(self, record: RoundRecord) -> RoundRecord:
        """Remember a round just created (its first answers need not read it); ``record``."""
        self.open_rounds[record.id] = record
        return record

    def card(self, record: RoundRecord, *, answer_count: int = 0) -> QuestionCard:
        """The question card of a stored round."""
        question = self.bank.get(record.question_id)
        title = self.bank.category_titles.get(question.category, question.category)
        return views.question_card(record, question, title, answer_count=answer_count)
