"""Rounds and answers for the backend tests, written the way the engine writes them."""

from __future__ import annotations

from storage.records import CardReview, RoundRecord
from tests.backends.conftest import AnyStore

__all__ = ["PERIODS", "answer", "open_round"]

PERIODS = ("all", "w2026-48", "m2026-11")


async def open_round(
    store: AnyStore,
    team: int,
    channel: str = "c1",
    *,
    kind: str = "quiz",
    question: str = "q1",
    category: str = "alpha",
    closes_at: float = 160.0,
) -> RoundRecord:
    """A round opened at 100.0 in ``channel``."""
    return await store.create_round(
        team_pk=team,
        channel_id=channel,
        kind=kind,
        mode="choice",
        question_id=question,
        category=category,
        difficulty="easy",
        choice_order="0123",
        opened_by=None,
        opened_at=100.0,
        closes_at=closes_at,
    )


async def answer(
    store: AnyStore,
    record: RoundRecord,
    player: int,
    points: int,
    *,
    correct: bool = True,
    at: float = 110.0,
    hook: object = None,
    review: CardReview | None = None,
) -> int:
    """``player``'s answer (choice A) to ``record``, with the periods of :data:`PERIODS`."""
    return await store.record_answer(
        round_record=record,
        player_pk=player,
        choice=0,
        text=None,
        grade=1.0 if correct else 0.0,
        correct=correct,
        points=points,
        answered_at=at,
        periods=PERIODS,
        on_recorded=hook,  # type: ignore[arg-type]
        review=review,
    )
