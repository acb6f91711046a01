"""The reads behind question analytics and team progress on both backends."""

from __future__ import annotations

from storage.analytics import AnswerFact, MemberCategory
from tests.backends.conftest import Backend
from tests.backends.support import answer, open_round


async def test_analytics_read_the_same_rows_on_both_backends(backend: Backend) -> None:
    store, analytics = backend.store, backend.analytics
    team = await store.team_pk("discord", "G1")
    other = await store.team_pk("discord", "G2")
    zed = await store.player_pk(team, "u1", "zed")
    amy = await store.player_pk(team, "u2", "Amy")
    eve = await store.player_pk(other, "u3", "Eve")
    first = await open_round(store, team, "c1", question="q1", category="beta")
    await answer(store, first, zed, 10)
    await answer(store, first, amy, 0, correct=False)
    second = await open_round(store, team, "c2", question="q2", category="alpha")
    await answer(store, second, zed, 10)
    elsewhere = await open_round(store, other, "c1", question="q1", category="beta")
    await answer(store, elsewhere, eve, 10)
    await backend.reviews.add_report(
        team_pk=team,
        player_pk=amy,
        round_id=first.id,
        question_id="q1",
        kind="dispute",
        note="",
        answer=None,
        grade=0.0,
        created_at=130.0,
    )
    facts = await analytics.answers(team)
    assert sorted(facts, key=lambda f: (f.question_id, f.player_pk)) == sorted(
        [
            AnswerFact("q1", "choice", 0, 1.0, True, zed),
            AnswerFact("q1", "choice", 0, 0.0, False, amy),
            AnswerFact("q2", "choice", 0, 1.0, True, zed),
        ],
        key=lambda f: (f.question_id, f.player_pk),
    )
    assert len(await analytics.answers(None)) == 4
    assert await analytics.times_asked(team) == {"q1": 1, "q2": 1}
    assert await analytics.times_asked(None) == {"q1": 2, "q2": 1}
    assert await analytics.open_reports(team) == {("q1", True): 1}
    assert await analytics.open_reports(other) == {}
    assert await analytics.member_categories(team) == [
        MemberCategory(amy, "Amy", "beta", 1, 0),
        MemberCategory(zed, "zed", "alpha", 1, 1),
        MemberCategory(zed, "zed", "beta", 1, 1),
    ]
    assert await analytics.questions_seen(team) == {zed: {"q1", "q2"}, amy: {"q1"}}
