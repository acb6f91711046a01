"""Team progress (``engine.progress``): each member's accuracy by category and how much of the
question bank they have answered (questions no longer in the bank do not count)."""

from __future__ import annotations

from itertools import groupby

from bot.engine.core import Core
from bot.engine.model import CategoryStats, MemberProgress, Team, TeamProgress

__all__ = ["TeamProgressDesk"]


class TeamProgressDesk:
    """The team-progress use case of one :class:`QuizEngine`."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.store = core.store.analytics

    async def team(self, team: Team) -> TeamProgress:
        """Every member of ``team`` who has answered, by name."""
        bank = self._core.bank
        team_pk = await self._core.ids.known_team_pk(team)
        if team_pk is None:
            return TeamProgress((), len(bank))
        rows = await self.store.member_categories(team_pk)
        seen = await self.store.questions_seen(team_pk)
        titles = bank.category_titles
        members = []
        for (player_pk, name), group in groupby(rows, key=lambda r: (r.player_pk, r.display_name)):
            categories = tuple(
                CategoryStats(r.category, titles.get(r.category, r.category), r.answers, r.correct)
                for r in group
            )
            in_bank = sum(question in bank for question in seen.get(player_pk, set()))
            members.append(MemberProgress(name, categories, in_bank))
        return TeamProgress(tuple(members), len(bank))
