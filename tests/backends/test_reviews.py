"""Spaced repetition on both backends: the card moves with the answer's transaction, the
latest review can be replayed, review rounds and reports."""

from __future__ import annotations

import pytest
from fsrs import Rating

from bot.engine.reviews import CardScheduler
from storage.review_store import DuplicateReportError
from tests.backends.conftest import Backend
from tests.backends.support import answer, open_round

DAY = 86_400.0


async def test_answers_review_the_card_inside_their_transaction(backend: Backend) -> None:
    store, reviews = backend.store, backend.reviews
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    first = await open_round(store, team, "review:u1", kind="review", question="q1")
    review = backend.card_review(ada, "q1", "alpha", Rating.Good, 110.0)
    await answer(store, first, ada, 20, review=review)
    card = await reviews.card(ada, "q1")
    assert card is not None
    assert (card.reviews, card.category, card.player_pk) == (1, "alpha", ada)
    assert card.due > 110.0 + DAY / 2
    assert await reviews.due_count(ada, 110.0) == 0
    assert await reviews.due_count(ada, card.due) == 1
    assert [c.id for c in await reviews.due_cards(ada, card.due)] == [card.id]
    logged = await reviews.review_of_answer(first.id, ada)
    assert logged is not None and logged[1] == card.id

    await store.publications.close_round(first.id, 120.0, reveal=False)
    second = await open_round(store, team, "review:u1", kind="review", question="q1")
    later = card.due + 1
    again = backend.card_review(ada, "q1", "alpha", Rating.Again, later)
    await answer(store, second, ada, 0, correct=False, at=later, review=again)
    moved = await reviews.card(ada, "q1")
    assert moved is not None and moved.reviews == 2 and moved.id == card.id
    assert [entry[:2] for entry in await reviews.review_log(card.id)] == [(3, 3), (1, 1)]
    assert [c.id for c in await reviews.cards(ada)] == [card.id]


async def test_only_the_latest_review_is_replayed_with_a_self_rating(backend: Backend) -> None:
    store, reviews = backend.store, backend.reviews
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    rounds = []
    for at in (110.0, 10 * DAY):
        record = await open_round(store, team, "review:u1", kind="review", question="q1")
        review = backend.card_review(ada, "q1", "a", Rating.Good, at)
        await answer(store, record, ada, 20, at=at, review=review)
        await store.publications.close_round(record.id, at + 1, reveal=False)
        rounds.append(record)
    old = await reviews.review_of_answer(rounds[0].id, ada)
    latest = await reviews.review_of_answer(rounds[1].id, ada)
    assert old is not None and latest is not None
    replay = CardScheduler().step(Rating.Easy, latest[2])
    assert await reviews.rerate(old[0], old[1], 4, replay) == (False, "")
    done, after = await reviews.rerate(latest[0], latest[1], 4, replay)
    assert done and after
    card = await reviews.card(ada, "q1")
    assert card is not None and card.card == after
    assert [entry[3] for entry in await reviews.review_log(card.id)] == [False, True]


async def test_an_unanswered_review_round_is_reused_until_it_expires(backend: Backend) -> None:
    store, reviews = backend.store, backend.reviews
    team = await store.team_pk("console", "local")
    ada = await store.player_pk(team, "u1", "Ada")
    record = await open_round(store, team, "review:u1", kind="review", closes_at=500.0)
    # opened_by is what ties a review round to its player
    assert await reviews.open_review_round(ada, 200.0) is None
    own = await store.create_round(
        team_pk=team,
        channel_id="review:u1",
        kind="review",
        mode="open",
        question_id="q2",
        category="beta",
        difficulty="easy",
        choice_order="",
        opened_by=ada,
        opened_at=100.0,
        closes_at=500.0,
    )
    assert own.id != record.id
    found = await reviews.open_review_round(ada, 200.0)
    assert found is not None and found.id == own.id
    assert await reviews.open_review_round(ada, 600.0) is None
    await answer(store, own, ada, 20)
    assert await reviews.open_review_round(ada, 200.0) is None
    assert await reviews.player_answer(own.id, ada) == (0, None, 1.0)


async def test_reports_are_filed_once_and_resolved_within_their_team(backend: Backend) -> None:
    store, reviews = backend.store, backend.reviews
    team = await store.team_pk("discord", "G1")
    other = await store.team_pk("discord", "G2")
    ada = await store.player_pk(team, "u1", "Ada")
    record = await open_round(store, team)
    fields = {
        "team_pk": team,
        "player_pk": ada,
        "round_id": record.id,
        "question_id": "q1",
        "note": "typo in B",
        "answer": None,
        "grade": None,
        "created_at": 120.0,
    }
    report = await reviews.add_report(kind="typo", **fields)
    with pytest.raises(DuplicateReportError):
        await reviews.add_report(kind="typo", **fields)
    await reviews.add_report(kind="unclear", **fields)
    listed = await reviews.reports()
    assert [(r.kind, r.platform, r.team_id, r.player) for r in listed] == [
        ("typo", "discord", "G1", "Ada"),
        ("unclear", "discord", "G1", "Ada"),
    ]
    assert await reviews.resolve_report(report, 130.0, team_pk=other) is False
    assert await reviews.resolve_report(report, 130.0, team_pk=team) is True
    assert await reviews.resolve_report(report, 131.0) is False
    assert [r.kind for r in await reviews.reports()] == ["unclear"]
    assert len(await reviews.reports(include_resolved=True)) == 2
