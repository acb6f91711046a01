"""Which question comes next: filtered, and no repeat in a channel until all have been asked."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from questions.schema import Question

__all__ = ["askable", "draw_question", "shuffled_order"]


def askable(question: Question, mode: str) -> bool:
    """Whether ``question`` can be asked in ``mode``: choice-only questions never in open mode."""
    return mode == "choice" or question.open_mode


def draw_question(
    candidates: Sequence[Question], use_counts: Mapping[str, int], rng: random.Random
) -> Question:
    """Pick, at random, one of the candidates asked least often in the channel.

    Picking among the least-used means no question repeats until every candidate has been
    asked, and then the cycle starts again. ``candidates`` must not be empty.
    """
    fewest = min(use_counts.get(q.id, 0) for q in candidates)
    pool = [q for q in candidates if use_counts.get(q.id, 0) == fewest]
    return pool[rng.randrange(len(pool))]


def shuffled_order(count: int, rng: random.Random) -> str:
    """A random display order of ``count`` choices, as a string of file indexes ("2031")."""
    order = list(range(count))
    rng.shuffle(order)
    return "".join(str(i) for i in order)
