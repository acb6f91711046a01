"""Leaderboards and player stats, read from the running totals in the ``scores`` table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from bot.engine import options
from bot.engine.core import Core
from bot.engine.errors import QuizError
from bot.engine.model import (
    CategoryStats,
    Leaderboard,
    LeaderboardRow,
    Period,
    Player,
    Stats,
    Team,
)
from bot.safe_text import storable
from storage.interface import DailyStorage
from storage.records import ScoreRow
from storage.seasons import SeasonRow

__all__ = ["LEADERBOARD_SIZE", "Standings", "period_keys", "ranked"]

LEADERBOARD_SIZE = 10
LEADERBOARD_MAX_ROWS = 20
"""Players tied with the tenth are listed too, up to this many rows (then a line says so)."""


TimePeriod = Literal["week", "month", "all"]


def period_keys(timestamp: float) -> dict[TimePeriod, str]:
    """The score-table keys of the week (ISO, UTC), month and all-time containing ``timestamp``
    (a season's key is the team's: :class:`~storage.seasons.SeasonStore`)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    year, week, _ = moment.isocalendar()
    return {"week": f"w{year}-{week:02d}", "month": f"m{moment:%Y-%m}", "all": "all"}


def _row(score: ScoreRow, rank: int) -> LeaderboardRow:
    return LeaderboardRow(
        rank, score.user_id, score.display_name, score.points, score.answers, score.correct
    )


def _top_with_ties(top: Sequence[ScoreRow]) -> tuple[list[LeaderboardRow], bool]:
    """From a board's best rows (highest points first; ``LEADERBOARD_MAX_ROWS + 1`` of them
    when it has that many): the top ten and the players tied with the tenth, at most
    ``LEADERBOARD_MAX_ROWS`` rows; True when more are tied with the last row than fit."""
    if (
        len(top) <= LEADERBOARD_SIZE
        or top[LEADERBOARD_SIZE].points != top[LEADERBOARD_SIZE - 1].points
    ):
        return ranked(list(top[:LEADERBOARD_SIZE])), False
    tenth = top[LEADERBOARD_SIZE - 1].points
    tied = [score for score in top if score.points >= tenth]
    return ranked(tied[:LEADERBOARD_MAX_ROWS]), len(tied) > LEADERBOARD_MAX_ROWS


def ranked(scores: list[ScoreRow]) -> list[LeaderboardRow]:
    """Competition ranking (1, 2, 2, 4) over rows sorted by points, highest first."""
    rows: list[LeaderboardRow] = []
    for position, score in enumerate(scores):
        tied_with_previous = position > 0 and scores[position - 1].points == score.points
        rank = rows[-1].rank if tied_with_previous else position + 1
        rows.append(_row(score, rank))
    return rows


class Standings:
    """Leaderboards of a team and stats of a player."""

    def __init__(self, core: Core, daily_store: DailyStorage) -> None:
        self._core = core
        self._daily_store = daily_store
        self.seasons = core.store.seasons

    async def period_key(self, team_pk: int, period: Period) -> str:
        """The ``scores`` key of the team's board for ``period`` now."""
        if period == "season":
            return (await self.seasons.current(team_pk)).period
        return period_keys(self._core.clock())[period]

    async def _ended_season(self, team_pk: int, name: str) -> SeasonRow:
        ended = await self.seasons.ended(team_pk, name.strip())
        if ended is None:
            names = await self.seasons.ended_names(team_pk)
            known = f" Ended seasons: {', '.join(names[:5])}." if names else ""
            raise QuizError(f"There is no ended season named {name.strip()[:40]!r} here.{known}")
        return ended

    async def leaderboard(
        self,
        team: Team,
        *,
        period: str | None,
        channel_id: str | None,
        caller: Player | None,
        season: str | None = None,
    ) -> Leaderboard:
        """The team's top ten (see :meth:`QuizEngine.leaderboard`)."""
        store = self._core.store
        team_pk = await self._core.ids.team_pk(team)
        archived = None
        if season:
            chosen: Period = "season"
            ended = await self._ended_season(team_pk, season)
            key, archived = ended.period, ended.name
        else:
            chosen = options.parse_period(period)
            key = await self.period_key(team_pk, chosen)
        scope = channel_id or ""
        user_id = storable(caller.user_id) if caller else None
        board = await store.score_board(team_pk, key, scope, LEADERBOARD_MAX_ROWS + 1, user_id)
        rows, more_tied = _top_with_ties(board.top)
        caller_row = _row(*board.mine) if board.mine is not None else None
        return Leaderboard(
            chosen, channel_id, tuple(rows), caller_row, board.players, more_tied, season=archived
        )

    async def stats(self, player: Player) -> Stats:
        """A player's all-time points, answers, rank, accuracy by category, daily streaks and
        coverage (questions of the bank answered at least once)."""
        bank = self._core.bank
        found = await self._core.ids.find_player(player)
        if found is None:
            return Stats(player.user_id, player.display_name, 0, 0, 0, None, bank_size=len(bank))
        player_pk, name = found
        store, titles = self._core.store, bank.category_titles
        team_pk = await self._core.ids.team_pk(player.team)
        mine = await store.player_score(team_pk, "all", "", player_pk)
        categories = tuple(
            CategoryStats(c, titles.get(c, c), n, k)
            for c, n, k in await store.category_results(player_pk)
        )
        seen = sum(qid in bank for qid in await store.answered_questions(player_pk))
        if mine is None:
            return Stats(
                player.user_id, name, 0, 0, 0, None, categories, seen=seen, bank_size=len(bank)
            )
        score, rank = mine
        current_streak, best_streak = await self._daily_store.player_streaks(player_pk)
        return Stats(
            player.user_id,
            name,
            score.points,
            score.answers,
            score.correct,
            rank,
            categories,
            current_streak=current_streak,
            best_streak=best_streak,
            seen=seen,
            bank_size=len(bank),
        )
