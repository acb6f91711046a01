"""Answers on PostgreSQL written in batches: one transaction for the answers that arrive
together (group commit), with a handful of statements per batch whatever its size.

Each answer is still all-or-nothing with its score totals and its FSRS card, and each caller
gets its own answer id or its own refusal (:class:`DuplicateAnswerError`,
:class:`RoundClosedInStoreError`). A batch that fails for another reason is written again one
answer at a time, so one bad answer cannot refuse the others.

Batches take their locks in one order — the rounds and their teams (shared, so a close or a
season roll-over waits for the batch), then answers, cards and scores, each table in key order,
then the score levels (one ordered statement, see migration 0016) — so concurrent batches, of
this process or another replica, wait for each other but do not deadlock. Display names are
written with the rounds' locks, in the same statement, and lock a player's row only when the
name changed (a lock the foreign-key checks of other batches do not wait for); two replicas
renaming the same players at the same instant may deadlock, and the server's abort is retried
like any other.

The scores statement is sent before the cards' reviews are replayed in Python, so the server
adds to the scores while this process computes the cards' new states.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from storage.postgres.database import PostgresDatabase
from storage.postgres.scores import add_to_scores
from storage.postgres.url import PostgresUrl
from storage.records import (
    CardReview,
    DuplicateAnswerError,
    RoundClosedInStoreError,
    RoundRecord,
)
from storage.seasons import FIRST_SEASON

__all__ = [
    "BATCH_SIZE",
    "WRITERS",
    "AnswerBatches",
    "AnswerHook",
    "AnswerWrite",
    "BatchedWrites",
    "write_batch",
]

_log = logging.getLogger(__name__)

BATCH_SIZE = 64
"""The most answers one transaction writes."""
WRITERS = 4
"""The most batch transactions one store runs at once (each holds one pooled connection)."""

AnswerHook = Callable[[asyncpg.Connection, int], Awaitable[None]]
"""What runs last in the answer's transaction, given the connection and the new answer's id."""

InTransaction = Callable[[Callable[[asyncpg.Connection], Awaitable[None]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class AnswerWrite:
    """One answer to store, with what it adds to the totals and the card it reviews."""

    round_record: RoundRecord
    player_pk: int
    choice: int | None
    text: str | None
    grade: float
    correct: bool
    points: int
    answered_at: float
    periods: tuple[str, ...]
    review: CardReview | None = None
    on_recorded: AnswerHook | None = None


@dataclass(slots=True)
class _Pending:
    write: AnswerWrite
    done: asyncio.Future[int]


@dataclass(slots=True)
class _Batch:
    """What one transaction writes: display names first, then answers."""

    names: dict[int, str]
    renamed: list[asyncio.Future[None]]
    answers: list[_Pending]


class AnswerBatches:
    """Collects answers (and display-name refreshes) and writes them in batches through
    ``in_transaction`` (which retries a transaction the server aborted as a deadlock)."""

    def __init__(self, in_transaction: InTransaction, *, writers: int = WRITERS) -> None:
        self._in_transaction = in_transaction
        self._writers_max = writers
        self._writers = 0
        self._pending: list[_Pending] = []
        self._names: dict[int, str] = {}
        self._renamed: list[asyncio.Future[None]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def record(self, write: AnswerWrite) -> int:
        """Store ``write`` in the next batch; its answer id once committed."""
        pending = _Pending(write, asyncio.get_running_loop().create_future())
        self._pending.append(pending)
        self._start_writer()
        return await pending.done

    def rename(self, player_pk: int, display_name: str) -> asyncio.Future[None]:
        """Refresh a player's display name in the next batch, ahead of its answers (written
        only when it differs); done once committed. Not awaited by the caller: an answer given
        after it lands in the same batch or a later one."""
        self._names[player_pk] = display_name
        renamed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._renamed.append(renamed)
        self._start_writer()
        return renamed

    async def drain(self) -> None:
        """Wait until everything handed over so far is written (or refused)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _start_writer(self) -> None:
        if self._writers < self._writers_max:
            self._writers += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _next_batch(self) -> _Batch:
        batch = _Batch(self._names, self._renamed, self._pending[:BATCH_SIZE])
        self._names, self._renamed = {}, []
        del self._pending[:BATCH_SIZE]
        return batch

    async def _drain(self) -> None:
        try:
            while self._pending or self._names:
                await self._write(self._next_batch())
        except BaseException as exc:  # cancelled: nothing waits for a writer that is gone
            self._settle_all(self._next_batch(), exc)
            raise
        finally:
            self._writers -= 1

    async def _write(self, batch: _Batch) -> None:
        """Write ``batch`` in one transaction; its parts one by one when that fails."""
        try:
            outcomes = await self._transaction(batch)
        except asyncio.CancelledError as exc:
            self._settle_all(batch, exc)
            raise
        except Exception as exc:
            parts = [_Batch(batch.names, batch.renamed, [])] if batch.names else []
            parts += [_Batch({}, [], [item]) for item in batch.answers]
            if len(parts) == 1:
                self._settle_all(batch, exc)
                return
            for part in parts:
                await self._write(part)
            return
        for renamed in batch.renamed:
            _settle(renamed, None)
        for item, outcome in zip(batch.answers, outcomes, strict=True):
            _settle(item.done, outcome)

    @staticmethod
    def _settle_all(batch: _Batch, outcome: BaseException) -> None:
        """Hand ``outcome`` to every answer of ``batch``; its display names stay as they were
        (the player's next request refreshes them again)."""
        if batch.names and not isinstance(outcome, asyncio.CancelledError):
            _log.warning("display names of %d players not refreshed: %s", len(batch.names), outcome)
        for renamed in batch.renamed:
            _settle(renamed, None)
        for item in batch.answers:
            _settle(item.done, outcome)

    async def _transaction(self, batch: _Batch) -> list[int | Exception]:
        outcomes: list[int | Exception] = []

        async def work(conn: asyncpg.Connection) -> None:
            writes = [item.write for item in batch.answers]
            outcomes[:] = await write_batch(conn, writes, batch.names)

        await self._in_transaction(work)
        return outcomes


def _settle(future: asyncio.Future[Any], outcome: object) -> None:
    if future.done():
        return
    if isinstance(outcome, asyncio.CancelledError):
        future.cancel()
    elif isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


async def write_batch(
    conn: asyncpg.Connection, writes: Sequence[AnswerWrite], names: Mapping[int, str] = {}
) -> list[int | Exception]:
    """Write ``writes`` inside the open transaction of ``conn``, after giving players their
    latest display ``names`` (by player id): for each write, its answer id or the refusal its
    caller gets."""
    outcomes: list[int | Exception] = [0] * len(writes)
    seasons = await _open_rounds(conn, sorted({w.round_record.id for w in writes}), names)
    taken: set[tuple[int, int]] = set()
    live: list[int] = []
    for index, write in enumerate(writes):
        key = (write.round_record.id, write.player_pk)
        if write.round_record.id not in seasons:
            outcomes[index] = RoundClosedInStoreError(write.round_record.id)
        elif key in taken:
            outcomes[index] = DuplicateAnswerError(write.round_record.id)
        else:
            taken.add(key)
            live.append(index)
    stored = await _insert_answers(conn, [writes[i] for i in live])
    recorded: dict[int, int] = {}  # index in ``writes`` -> the new answer's id
    for index in live:
        answer_id = stored.get((writes[index].round_record.id, writes[index].player_pk))
        if answer_id is None:
            outcomes[index] = DuplicateAnswerError(writes[index].round_record.id)
        else:
            outcomes[index] = recorded[index] = answer_id
    if recorded:
        reviewed = [
            (review, answer_id)
            for index, answer_id in recorded.items()
            if (review := writes[index].review) is not None
        ]
        cards = await _lock_cards(conn, reviewed)
        # The server adds the answers to the scores while the reviews are replayed here.
        scoring = asyncio.ensure_future(
            _add_to_scores(conn, [writes[index] for index in recorded], seasons)
        )
        try:
            await asyncio.sleep(0)  # the scores statement goes out
            card_writes = _replay(cards, reviewed)
        finally:
            await scoring
        await _write_reviews(conn, card_writes)
    for index, answer_id in recorded.items():
        hook = writes[index].on_recorded
        if hook is not None:
            await hook(conn, answer_id)
    return outcomes


async def _open_rounds(
    conn: asyncpg.Connection, round_ids: list[int], names: Mapping[int, str]
) -> dict[int, str]:
    """The open rounds among ``round_ids``, each with its team's current season, the rounds
    and teams locked for share in id order; in the same statement, players get their latest
    display ``names`` (rows whose name is unchanged are not written)."""
    ids = sorted(names)
    rows = await conn.fetch(
        "WITH renamed AS (UPDATE players p SET display_name = u.name "
        "FROM unnest($2::bigint[], $3::text[]) AS u(id, name) "
        "WHERE p.id = u.id AND p.display_name IS DISTINCT FROM u.name) "
        "SELECT r.id, r.closed_at, s.period FROM rounds r JOIN teams t ON t.id = r.team_id "
        "LEFT JOIN seasons s ON s.team_id = r.team_id AND s.ended_at IS NULL "
        "WHERE r.id = ANY($1::bigint[]) ORDER BY r.id FOR SHARE OF r, t",
        round_ids,
        ids,
        [names[player_pk] for player_pk in ids],
    )
    return {int(row[0]): str(row[2] or FIRST_SEASON) for row in rows if row[1] is None}


async def _insert_answers(
    conn: asyncpg.Connection, writes: Sequence[AnswerWrite]
) -> dict[tuple[int, int], int]:
    """Insert the answers not already stored; the new ids by (round, player)."""
    if not writes:
        return {}
    rows = await conn.fetch(
        "INSERT INTO answers (round_id, player_id, choice, text, grade, correct, points, "
        "answered_at) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], "
        "$4::text[], $5::float8[], $6::integer[], $7::bigint[], $8::float8[]) "
        "ORDER BY 1, 2 ON CONFLICT (round_id, player_id) DO NOTHING "
        "RETURNING id, round_id, player_id",
        [w.round_record.id for w in writes],
        [w.player_pk for w in writes],
        [w.choice for w in writes],
        [w.text for w in writes],
        [w.grade for w in writes],
        [int(w.correct) for w in writes],
        [w.points for w in writes],
        [w.answered_at for w in writes],
    )
    return {(int(row[1]), int(row[2])): int(row[0]) for row in rows}


async def _lock_cards(
    conn: asyncpg.Connection, reviewed: Sequence[tuple[CardReview, int]]
) -> dict[tuple[int, str], _CardState]:
    """The FSRS cards the answers review (created when new), locked in key order, by (player,
    question)."""
    if not reviewed:
        return {}
    latest = {(review.player_pk, review.question_id): review for review, _ in reviewed}
    keys = sorted(latest)
    players = [player for player, _ in keys]
    questions = [question for _, question in keys]
    await conn.execute(
        "INSERT INTO cards (player_id, question_id, category, state, due, card) "
        "SELECT p, q, c, 0, d, '' FROM unnest($1::bigint[], $2::text[], $3::text[], "
        "$4::float8[]) AS u(p, q, c, d) ORDER BY p, q "
        "ON CONFLICT (player_id, question_id) DO NOTHING",
        players,
        questions,
        [latest[key].category for key in keys],
        [latest[key].reviewed_at for key in keys],
    )
    rows = await conn.fetch(
        "SELECT c.id, c.player_id, c.question_id, c.card FROM cards c "
        "JOIN unnest($1::bigint[], $2::text[]) AS u(p, q) "
        "ON c.player_id = u.p AND c.question_id = u.q "
        "ORDER BY c.player_id, c.question_id FOR UPDATE OF c",
        players,
        questions,
    )
    return {
        (int(row[1]), str(row[2])): _CardState(int(row[0]), str(row[3]) or None) for row in rows
    }


def _replay(
    cards: dict[tuple[int, str], _CardState], reviewed: Sequence[tuple[CardReview, int]]
) -> _CardWrites:
    """Replay each answer's review on its card, the reviews of one card in the batch's order:
    a review-log row per answer, and the cards as the reviews leave them."""
    logs: list[tuple[int, int, int, float, str]] = []
    for review, answer_id in reviewed:
        card = cards[(review.player_pk, review.question_id)]
        before = card.json
        card.json, card.state, card.due = review.step(before, card.id)
        card.category = review.category
        card.reviews += 1
        card.last_answer_id = answer_id
        logs.append((card.id, answer_id, review.rating, review.reviewed_at, before or ""))
    return _CardWrites(logs, list(cards.values()))


@dataclass(slots=True)
class _CardState:
    """A card as the batch's reviews leave it (``reviews``: how many this batch added)."""

    id: int
    json: str | None
    state: int = 0
    due: float = 0.0
    category: str = ""
    reviews: int = 0
    last_answer_id: int = 0


@dataclass(frozen=True, slots=True)
class _CardWrites:
    """A batch's reviews once replayed: the review-log rows (card, answer, rating, time, the
    card before) and the cards as the reviews leave them."""

    logs: list[tuple[int, int, int, float, str]]
    cards: list[_CardState]


async def _write_reviews(conn: asyncpg.Connection, reviews: _CardWrites) -> None:
    """In one statement, the review-log rows and the cards' new states (the cards are locked
    already)."""
    if not reviews.logs:
        return
    changed = reviews.cards
    await conn.execute(
        "WITH logged AS (INSERT INTO review_log (card_id, answer_id, rating, auto_rating, "
        "reviewed_at, card_before) SELECT c, a, r, r, t, b FROM unnest($1::bigint[], "
        "$2::bigint[], $3::integer[], $4::float8[], $5::text[]) AS u(c, a, r, t, b) "
        "RETURNING id, answer_id) "
        "UPDATE cards c SET state = u.state, due = u.due, card = u.card, "
        "category = u.category, reviews = c.reviews + u.reviews, last_log_id = logged.id "
        "FROM unnest($6::bigint[], $7::integer[], $8::float8[], $9::text[], $10::text[], "
        "$11::integer[], $12::bigint[]) AS u(id, state, due, card, category, reviews, answer) "
        "JOIN logged ON logged.answer_id = u.answer WHERE c.id = u.id",
        *(list(column) for column in zip(*reviews.logs, strict=True)),
        [card.id for card in changed],
        [card.state for card in changed],
        [card.due for card in changed],
        [card.json for card in changed],
        [card.category for card in changed],
        [card.reviews for card in changed],
        [card.last_answer_id for card in changed],
    )


async def _add_to_scores(
    conn: asyncpg.Connection, writes: Sequence[AnswerWrite], seasons: dict[int, str]
) -> None:
    """Add the recorded ``writes`` to their leaderboard rows: each period, the team's season,
    team-wide and per channel (the rows locked in key order, then their levels: migration
    0016's statement triggers)."""
    await add_to_scores(
        conn,
        [
            (record.team_pk, period, scope, write.player_pk, write.points, int(write.correct))
            for write in writes
            for record in (write.round_record,)
            for period in (*write.periods, seasons[record.id])
            for scope in ("", record.channel_id)
        ],
    )


class BatchedWrites(PostgresDatabase):
    """A PostgreSQL database whose answers and display-name refreshes go through one
    :class:`AnswerBatches` (``self.batches``), written before the pool closes."""

    def __init__(self, pool: asyncpg.Pool, url: PostgresUrl) -> None:
        super().__init__(pool, url)
        self.batches = AnswerBatches(self.in_transaction)

    async def close(self) -> None:
        """Write what was handed over, then close every pooled connection."""
        await self.batches.drain()
        await super().close()
