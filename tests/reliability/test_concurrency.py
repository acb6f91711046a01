"""Many answers at once: the database, not luck, keeps one answer per player per round."""

from __future__ import annotations

import asyncio
import sqlite3

from bot.engine.engine import QuizEngine
from bot.engine.errors import AlreadyAnsweredError
from bot.engine.model import Channel, Feedback, Player, Team
from storage.store import Store

TEAM = Team("console", "reliability")
CHANNEL = Channel(TEAM, "general")


def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(store.path) as conn:
        return conn.execute(sql).fetchall()


async def test_one_player_a_thousand_times_at_once(engine: QuizEngine, store: Store) -> None:
    card = await engine.start_round(CHANNEL, None)
    player = Player(TEAM, "u1", "Ada")
    outcomes = await asyncio.wait_for(
        asyncio.gather(
            *(engine.answer(player, card.round_id, choice="ABCD"[n % 4]) for n in range(1000)),
            return_exceptions=True,
        ),
        timeout=60,
    )
    accepted = [o for o in outcomes if isinstance(o, Feedback)]
    refused = [o for o in outcomes if isinstance(o, AlreadyAnsweredError)]
    assert len(accepted) == 1
    assert len(refused) == 999
    assert _rows(store, "SELECT COUNT(*) FROM answers") == [(1,)]
    # one score row per period (week, month, all, season) and scope (team-wide, this channel)
    assert _rows(store, "SELECT COUNT(*), SUM(answers), MIN(points), MAX(points) FROM scores") == [
        (8, 8, accepted[0].points, accepted[0].points)
    ]


async def test_ten_thousand_players_at_once(engine: QuizEngine, store: Store) -> None:
    card = await engine.start_round(CHANNEL, None, mode="choice")
    players = [Player(TEAM, f"u{n}", f"player {n}") for n in range(10_000)]
    feedback = await asyncio.wait_for(
        asyncio.gather(
            *(engine.answer(p, card.round_id, choice="ABCD"[n % 4]) for n, p in enumerate(players))
        ),
        timeout=60,
    )
    assert len(feedback) == 10_000
    assert _rows(store, "SELECT COUNT(*), COUNT(DISTINCT player_id) FROM answers") == [
        (10_000, 10_000)
    ]
    total_points = sum(f.points for f in feedback)
    assert _rows(store, "SELECT SUM(points) FROM answers") == [(total_points,)]
    assert _rows(
        store,
        "SELECT SUM(points), SUM(answers), COUNT(*) FROM scores "
        "WHERE period = 'all' AND channel_id = ''",
    ) == [(total_points, 10_000, 10_000)]
    board = await engine.leaderboard(TEAM, period="all", caller=players[-1])
    assert board.total_players == 10_000
    assert board.caller is not None
    assert board.caller.points == feedback[-1].points
