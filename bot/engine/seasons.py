"""Seasons (``engine.seasons``): ending the current season archives its standings and starts
fresh boards.

Every answer counts in the team's current season (its ``scores`` rows under the season's period
key) beside the week, the month and all time. Ending a season names it and opens the next key,
in one transaction; the ended rows are never written again, so they are its final standings,
shown by ``leaderboard(season=<name>)`` with its champions (rank 1). Week, month and all-time
boards are untouched, and so is every answer.

Seasons may also end by themselves (``QUIZBOT_SEASON``): ``monthly`` or ``quarterly``, a
team's season that started before the current month (quarter) began and has answers ends, named
after the month (``2026-11``) or quarter (``2026-Q4``) that ended.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.engine.core import Core
from bot.engine.errors import QuizError
from bot.engine.model import SeasonEnded, Team
from bot.engine.rewards import RoleRewards
from storage.errors import SeasonNameTakenError

__all__ = [
    "SEASON_SCHEDULES",
    "SeasonDesk",
    "SeasonSchedule",
    "season_boundary",
    "season_label",
    "season_name",
]

SeasonSchedule = Literal["monthly", "quarterly", "off"]
SEASON_SCHEDULES: tuple[SeasonSchedule, ...] = ("monthly", "quarterly", "off")
MAX_NAME = 40
_NAME = re.compile(r"[\w][\w .:/#+-]*")


def season_name(text: str | None) -> str:
    """A season's name: 1 to 40 letters, digits, spaces and ``.:/#+-``; :class:`QuizError`."""
    name = " ".join((text or "").split())
    if not name:
        raise QuizError("Name the season that ends, e.g. `2026 spring`.")
    if len(name) > MAX_NAME or not _NAME.fullmatch(name):
        raise QuizError(
            f"A season's name has at most {MAX_NAME} letters, digits, spaces and . : / # + -"
        )
    return name


def season_boundary(schedule: SeasonSchedule, now: float) -> datetime:
    """When the current month (or quarter) began, UTC."""
    moment = datetime.fromtimestamp(now, UTC)
    month = moment.month if schedule == "monthly" else (moment.month - 1) // 3 * 3 + 1
    return datetime(moment.year, month, 1, tzinfo=UTC)


def season_label(schedule: SeasonSchedule, boundary: datetime) -> str:
    """The name of the month (``2026-11``) or quarter (``2026-Q4``) that ended at ``boundary``."""
    last = boundary - timedelta(days=1)
    if schedule == "monthly":
        return f"{last:%Y-%m}"
    return f"{last.year}-Q{(last.month - 1) // 3 + 1}"


class SeasonDesk:
    """The season use cases of one :class:`QuizEngine` (``engine.seasons``)."""

    def __init__(self, core: Core, rewards: RoleRewards, schedule: SeasonSchedule = "off") -> None:
        self._core = core
        self._rewards = rewards
        self.schedule = schedule
        self.store = core.store.seasons

    async def end(self, team: Team, name: str) -> SeasonEnded:
        """End ``team``'s current season as ``name`` (archived) and start the next one."""
        chosen = season_name(name)
        team_pk = await self._core.ids.team_pk(team)
        try:
            period = await self.store.end(team_pk, chosen, self._core.clock())
        except SeasonNameTakenError:
            raise QuizError(f"There is already a season named {chosen!r}; pick another.") from None
        ended = await self._ended(team_pk, chosen, period)
        await self._rewards.after_season(team, ended.champion_ids)
        return ended

    async def roll_over(self) -> int:
        """End the seasons the schedule says are over (none when it is ``off``); how many."""
        if self.schedule == "off":
            return 0
        now = self._core.clock()
        boundary = season_boundary(self.schedule, now)
        label = season_label(self.schedule, boundary)
        ended = 0
        for team_pk in await self.store.due_to_end(boundary.timestamp()):
            for name in (label, *(f"{label} ({n})" for n in range(2, 10))):
                try:
                    # ended now, not at the boundary: answers given since still counted in
                    # it, and a correction of one must not reach the next season's board
                    period = await self.store.end(team_pk, name, now)
                except SeasonNameTakenError:
                    if (await self.store.current(team_pk)).started_at >= boundary.timestamp():
                        break  # another replica ended it meanwhile (under this very name)
                    continue
                ended += 1
                champions = (await self._ended(team_pk, name, period)).champion_ids
                team = await self._core.ids.team_of(team_pk)
                await self._rewards.after_season(team, champions)
                break
        return ended

    async def _ended(self, team_pk: int, name: str, period: str) -> SeasonEnded:
        store = self._core.store
        players = await store.player_count(team_pk, period, "")
        top = await store.top_scores(team_pk, period, "", 20)
        best = top[0].points if top else 0
        champions = [s for s in top if s.points == best and best > 0]
        return SeasonEnded(
            name,
            tuple(s.display_name for s in champions),
            best,
            players,
            champion_ids=tuple(s.user_id for s in champions),
        )
