"""PostgreSQL writes answers that arrive together in shared transactions: each answer still
gets its own id or its own refusal, one that fails fails alone, and the totals, score levels
and FSRS cards come out exactly as if the answers had been written one by one."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import asyncpg
import pytest
from fsrs import Rating

from bot.engine.reviews import CardScheduler
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from storage.records import (
    CardReview,
    DuplicateAnswerError,
    ReviewStep,
    RoundClosedInStoreError,
)
from tests.backends.conftest import HookFailedError
from tests.backends.support import PERIODS, open_round
from tests.postgres_server import PostgresServer, fresh_database

_SCHEDULER = CardScheduler()


@pytest.fixture
async def url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh migrated database of the session's server."""
    async with fresh_database(postgres_server) as database_url:
        yield database_url


async def _open(url: str) -> PostgresStore:
    return await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=8)


def _review(player: int, question: str, at: float) -> CardReview:
    return CardReview(
        player_pk=player,
        question_id=question,
        category="alpha",
        rating=int(Rating.Good),
        reviewed_at=at,
        step=_SCHEDULER.step(Rating.Good, at),
    )


class _ReplayFailed(Exception):
    """A card review that cannot be replayed."""


async def _answer(
    store: PostgresStore,
    record: object,
    player: int,
    points: int,
    *,
    hook: object = None,
    step: ReviewStep | None = None,
) -> int | Exception:
    """The answer id, or the refusal (or failure) the caller gets; ``step`` replaces the
    review's scheduler."""
    review = _review(player, record.question_id, 110.0 + player)  # type: ignore[attr-defined]
    if step is not None:
        review = dataclasses.replace(review, step=step)
    try:
        return await store.record_answer(
            round_record=record,  # type: ignore[arg-type]
            player_pk=player,
            choice=0,
            text=None,
            grade=1.0,
            correct=True,
            points=points,
            answered_at=110.0 + player,
            periods=PERIODS,
            review=review,
            on_recorded=hook,  # type: ignore[arg-type]
        )
    except (DuplicateAnswerError, RoundClosedInStoreError, HookFailedError, _ReplayFailed) as exc:
        return exc


async def _levels_match_scores_only(url: str) -> None:
    """Every level counts exactly the score rows at its points."""
    conn = await asyncpg.connect(url)
    try:
        counted = await conn.fetch(
            "SELECT team_id, period, channel_id, points, COUNT(*) FROM scores "
            "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        )
        levels = await conn.fetch(
            "SELECT team_id, period, channel_id, points, players FROM score_levels "
            "WHERE players <> 0 ORDER BY 1, 2, 3, 4"
        )
        assert counted and [tuple(row) for row in levels] == [tuple(row) for row in counted]
    finally:
        await conn.close()


async def _levels_match_scores(url: str) -> None:
    """Every level counts exactly the score rows at its points, and every player's all-time
    total is the sum of their answers."""
    await _levels_match_scores_only(url)
    conn = await asyncpg.connect(url)
    try:
        totals = await conn.fetch(
            "SELECT s.player_id, s.points, s.answers FROM scores s "
            "WHERE s.period = 'all' AND s.channel_id = '' ORDER BY 1"
        )
        answered = await conn.fetch(
            "SELECT player_id, SUM(points), COUNT(*) FROM answers GROUP BY 1 ORDER BY 1"
        )
        assert [tuple(row) for row in totals] == [tuple(row) for row in answered]
    finally:
        await conn.close()


async def test_answers_arriving_together_share_commits_and_keep_their_own_outcomes(
    url: str,
) -> None:
    store = await _open(url)
    try:
        team = await store.team_pk("console", "t")
        players = [await store.player_pk(team, f"u{n}", f"Player {n}") for n in range(60)]
        first = await open_round(store, team, "c1", question="q1")
        second = await open_round(store, team, "c2", question="q2")
        closed = await open_round(store, team, "c3", question="q3")
        assert await store.publications.close_round(closed.id, 150.0, reveal=False)

        calls = [_answer(store, first, p, 10 + p % 7) for p in players]
        calls += [_answer(store, second, p, 5 + p % 3) for p in players]
        calls += [_answer(store, first, p, 99) for p in players[:10]]  # a second try
        calls += [_answer(store, closed, p, 99) for p in players[:10]]
        outcomes = await asyncio.gather(*calls)

        ids = [o for o in outcomes if isinstance(o, int)]
        assert len(ids) == len(set(ids)) == 120
        duplicates = [o for o in outcomes if isinstance(o, DuplicateAnswerError)]
        refused = [o for o in outcomes if isinstance(o, RoundClosedInStoreError)]
        assert len(duplicates) == 10 and len(refused) == 10
        for n in range(10):  # of a player's two tries at the first round, exactly one counts
            tries = (outcomes[n], outcomes[120 + n])
            assert sum(isinstance(o, int) for o in tries) == 1
        assert await store.answer_count(first.id) == await store.answer_count(second.id) == 60
        assert await store.answer_count(closed.id) == 0

        conn = await asyncpg.connect(url)
        try:
            transactions = await conn.fetchval("SELECT COUNT(DISTINCT xmin::text) FROM answers")
            logs = await conn.fetchval("SELECT COUNT(*) FROM review_log")
            cards = await conn.fetch(
                "SELECT c.reviews, c.last_log_id, MAX(l.id) FROM cards c "
                "JOIN review_log l ON l.card_id = c.id GROUP BY c.id"
            )
        finally:
            await conn.close()
        assert transactions < 120  # answers shared commits
        assert logs == 120 and len(cards) == 120
        assert all(reviews == 1 and last == newest for reviews, last, newest in cards)
    finally:
        await store.close()
    await _levels_match_scores(url)


async def test_an_answer_that_fails_in_a_shared_transaction_fails_alone(url: str) -> None:
    store = await _open(url)
    try:
        team = await store.team_pk("console", "t")
        players = [await store.player_pk(team, f"u{n}", f"Player {n}") for n in range(30)]
        record = await open_round(store, team)

        async def failing(conn: asyncpg.Connection, answer_id: int) -> None:
            await conn.execute("UPDATE players SET display_name = 'changed' WHERE id = $1", 1)
            raise HookFailedError(answer_id)

        outcomes = await asyncio.gather(
            *(
                _answer(store, record, p, 10, hook=failing if p == players[7] else None)
                for p in players
            )
        )
        assert isinstance(outcomes[7], HookFailedError)
        assert all(isinstance(o, int) for n, o in enumerate(outcomes) if n != 7)
        assert await store.answer_count(record.id) == 29
        assert (await store.find_player(team, "u0")) == (players[0], "Player 0")
        board = await store.top_scores(team, "all", "", 50)
        assert players[7] not in {row.player_pk for row in board} and len(board) == 29
    finally:
        await store.close()
    await _levels_match_scores(url)


async def test_a_review_that_fails_while_the_scores_are_written_fails_alone(url: str) -> None:
    """The scores statement is in flight while the reviews replay: a replay that raises leaves
    the connection usable, the shared transaction is rolled back, and only that answer fails."""
    store = await _open(url)
    try:
        team = await store.team_pk("console", "t")
        players = [await store.player_pk(team, f"u{n}", f"Player {n}") for n in range(30)]
        record = await open_round(store, team)

        def broken(card: str | None, card_id: int) -> tuple[str, int, float]:
            raise _ReplayFailed(card_id)

        outcomes = await asyncio.gather(
            *(
                _answer(store, record, p, 10, step=broken if p == players[11] else None)
                for p in players
            )
        )
        assert isinstance(outcomes[11], _ReplayFailed)
        assert all(isinstance(o, int) for n, o in enumerate(outcomes) if n != 11)
        assert await store.answer_count(record.id) == 29
        board = await store.top_scores(team, "all", "", 50)
        assert {row.player_pk for row in board} == set(players) - {players[11]}
        assert all(row.points == 10 and row.answers == 1 for row in board)
        conn = await asyncpg.connect(url)
        try:
            logs = await conn.fetchval("SELECT COUNT(*) FROM review_log")
            carded = await conn.fetchval("SELECT COUNT(*) FROM cards WHERE reviews = 1")
        finally:
            await conn.close()
        assert logs == carded == 29
    finally:
        await store.close()
    await _levels_match_scores(url)


async def test_a_new_display_name_is_read_back_at_once_and_shown_with_the_answer(
    url: str,
) -> None:
    store = await _open(url)
    try:
        team = await store.team_pk("console", "t")
        player = await store.player_pk(team, "u1", "Ann")
        record = await open_round(store, team)
        assert await store.player_pk(team, "u1", "Annie") == player  # renamed on the platform
        assert await store.find_player(team, "u1") == (player, "Annie")
        await store.player_pk(team, "u1", "Anna")
        await _answer(store, record, player, 10)
        board = await store.top_scores(team, "all", "", 10)
        assert [(row.player_pk, row.display_name) for row in board] == [(player, "Anna")]
    finally:
        await store.close()


async def test_two_replicas_answering_the_same_players_keep_every_total_exact(url: str) -> None:
    here, there = await _open(url), await _open(url)
    try:
        team = await here.team_pk("console", "t")
        players = [await here.player_pk(team, f"u{n}", f"Player {n}") for n in range(40)]
        rounds = [await open_round(here, team, f"c{n}", question=f"q{n}") for n in range(6)]
        calls = [
            _answer(here if n % 2 else there, record, p, (p * 7 + n) % 40)
            for n, record in enumerate(rounds)
            for p in players
        ]
        outcomes = await asyncio.gather(*calls)
        assert all(isinstance(o, int) for o in outcomes)
    finally:
        await here.close()
        await there.close()
    await _levels_match_scores(url)


async def test_score_levels_follow_updates_and_deletes_of_many_rows_at_once(url: str) -> None:
    store = await _open(url)
    try:
        team = await store.team_pk("console", "t")
        players = [await store.player_pk(team, f"u{n}", f"Player {n}") for n in range(20)]
        record = await open_round(store, team)
        await asyncio.gather(*(_answer(store, record, p, 10 * (p % 4)) for p in players))
    finally:
        await store.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("UPDATE scores SET points = points + 5 WHERE player_id % 3 = 0")
        await conn.execute("DELETE FROM scores WHERE player_id % 5 = 0")
    finally:
        await conn.close()
    await _levels_match_scores_only(url)
