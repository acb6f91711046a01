"""Two replicas on one PostgreSQL database: two engines in this process, each on a
``PostgresStore`` with a pool of its own, as two processes would be. Concurrent answers are
stored once with totals that add up, due rounds close (and are revealed) once, a daily slot
fired by both is posted once, and both publication workers draining one queue publish each
entry once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.errors import AlreadyAnsweredError
from bot.engine.model import Channel, Player, QuestionCard, Team
from questions.loader import QuestionBank
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from tests.conftest import FakeClock
from tests.postgres_server import PostgresServer, fresh_database
from tests.publishing.support import PlatformOutbox

TEAM = Team("console", "acme")
CHANNELS = 10
PLAYERS_PER_CHANNEL = 100


@dataclass
class Replicas:
    """Two engines on one database, sharing the test's clock."""

    first: QuizEngine
    second: QuizEngine

    def __iter__(self) -> Iterator[QuizEngine]:
        return iter((self.first, self.second))


@pytest.fixture
async def replicas(
    postgres_server: PostgresServer, bank: QuestionBank, clock: FakeClock
) -> AsyncIterator[Replicas]:
    async with fresh_database(postgres_server) as url:
        stores = [
            await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=8)
            for _ in range(2)
        ]
        try:
            engines = [
                QuizEngine(store, bank, clock=clock, rng=random.Random(n), round_seconds=600)
                for n, store in enumerate(stores)
            ]
            yield Replicas(*engines)
        finally:
            for store in stores:
                await store.close()


async def test_concurrent_answers_over_both_replicas_are_stored_once_and_add_up(
    replicas: Replicas, clock: FakeClock
) -> None:
    first, second = replicas
    cards: list[QuestionCard] = []
    for n in range(CHANNELS):  # rounds opened on either replica
        opener = first if n % 2 else second
        cards.append(await opener.start_round(Channel(TEAM, f"room-{n}", f"room-{n}"), None))
    clock.advance(5)

    async def one(engine: QuizEngine, card: QuestionCard, user: int, letter: str) -> int:
        player = Player(TEAM, f"u{user}", f"User {user}")
        try:
            await engine.answer(player, card.round_id, choice=letter)
        except AlreadyAnsweredError:
            return 0
        return 1

    work = []
    for c, card in enumerate(cards):
        for user in range(PLAYERS_PER_CHANNEL):
            letter = "ABCD"[(user + c) % 4]
            # every player answers twice, once through each replica, in either order
            pair = [one(first, card, user, letter), one(second, card, user, letter)]
            work += pair if user % 2 else pair[::-1]
    random.Random(7).shuffle(work)
    stored = await asyncio.gather(*work)
    assert len(stored) == 2 * CHANNELS * PLAYERS_PER_CHANNEL  # 2 000 answers, 1 000 distinct
    assert sum(stored) == CHANNELS * PLAYERS_PER_CHANNEL

    store = first.store
    team_pk = await store.team_pk("console", "acme")
    points = 0
    for card in cards:
        answers = await store.round_answers(card.round_id)
        assert len(answers) == PLAYERS_PER_CHANNEL == len({a.player_id for a in answers})
        points += sum(a.points for a in answers)
        board = await store.top_scores(team_pk, "all", f"room-{cards.index(card)}", 1_000)
        assert sum(row.points for row in board) == sum(a.points for a in answers)
    team_board = await second.store.top_scores(team_pk, "all", "", 1_000)
    assert len(team_board) == PLAYERS_PER_CHANNEL
    assert sum(row.points for row in team_board) == points
    assert sum(row.answers for row in team_board) == CHANNELS * PLAYERS_PER_CHANNEL
    assert await second.store.player_count(team_pk, "all", "") == PLAYERS_PER_CHANNEL

    # Both round timers find the rounds due at once: each closes (and queues a reveal) once.
    clock.advance(600)
    closed = await asyncio.gather(first.close_due_rounds(), second.close_due_rounds())
    assert sorted(r.round_id for batch in closed for r in batch) == sorted(
        c.round_id for c in cards
    )
    for card in cards:
        entries = await first.store.publications.entries(card.round_id)
        assert [e.kind for e in entries] == ["reveal"]


async def test_both_replicas_firing_one_daily_slot_post_it_once(
    replicas: Replicas, clock: FakeClock
) -> None:
    first, second = replicas
    outbox = PlatformOutbox()  # one platform: both replicas talk to it
    services = []
    for engine in replicas:
        engine.register_outbox("console", outbox)
        service = DailyService(engine, grace_s=6 * 3600)
        await service.start(jobs=False)
        services.append(service)
    channel = Channel(TEAM, "general", "general")
    await first.daily.set_schedule(channel, time_of_day="09:00", timezone="UTC")
    team_pk = await first.identities.team_pk(TEAM)
    record = await second.daily.db.schedule(team_pk, "general")
    assert record is not None
    slot = last_slot(spec_of(record), clock())
    outcomes = await asyncio.gather(
        *(service.run_slot(record, slot) for service in services for _ in range(3))
    )
    assert sorted(outcomes) == ["queued"] + ["taken"] * 5
    assert await asyncio.gather(*(service.catch_up() for service in services)) == [[], []]
    published = await asyncio.gather(first.publications.drain(), second.publications.drain())
    assert sum(published) == 1
    posts = [view for what, view in outbox.calls if what == "post"]
    assert len(posts) == 1 and posts[0].kind == "daily"
    assert await first.daily.db.slot_state(team_pk, "general", slot.key) == "posted"


async def test_both_publication_workers_drain_one_queue_publishing_each_entry_once(
    replicas: Replicas, clock: FakeClock
) -> None:
    first, second = replicas
    outbox = PlatformOutbox()
    for engine in replicas:
        engine.register_outbox("console", outbox)
    round_ids = []
    for n in range(60):
        opener = first if n % 2 else second
        card = await opener.start_round(Channel(TEAM, f"room-{n}", f"room-{n}"), None)
        round_ids.append(card.round_id)
    clock.advance(601)
    await asyncio.gather(first.close_due_rounds(), second.close_due_rounds())
    handled = await asyncio.gather(
        first.publications.drain(),
        second.publications.drain(),
        first.publications.drain(),
        second.publications.drain(),
    )
    assert sum(handled) == len(round_ids)
    assert Counter(outbox.reveals()) == Counter(round_ids)  # each once
    assert set(outbox.most_at_once.values()) == {1}
    for round_id in round_ids:
        [entry] = await second.store.publications.entries(round_id)
        assert (entry.kind, entry.outcome) == ("reveal", "published")


async def test_both_replicas_rolling_a_season_over_at_once_end_it_once(
    replicas: Replicas, clock: FakeClock
) -> None:
    first, second = replicas
    card = await first.start_round(Channel(TEAM, "general", "general"), None)
    await second.answer(Player(TEAM, "u1", "Ada"), card.round_id, choice="A")
    team_pk = await first.identities.team_pk(TEAM)
    for engine in replicas:
        engine.seasons.schedule = "monthly"
    clock.advance(40 * 86_400)  # the month turned
    for _ in range(5):  # the race, again and again: every time one of them ends it
        ended = await asyncio.gather(first.seasons.roll_over(), second.seasons.roll_over())
        assert sum(ended) <= 1
    assert await first.store.seasons.ended_names(team_pk) == ["2025-12"]
    current = await second.store.seasons.current(team_pk)
    assert current.ended_at is None and current.started_at == clock()
