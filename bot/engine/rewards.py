"""Roles as rewards (``engine.rewards``): an admin names a role and when it is earned.

- ``champions``: granted to the champions (rank 1) of every season that ends;
- ``points:N``: granted once to each member whose all-time points reach N.

The rules live here; granting is the platform's (an outbox's optional ``grant_role(team,
user_id, role_id)``, today Discord's, which also refuses roles above the bot's own). Points
roles are checked after each answer, champions roles when a season ends. A refused grant is
logged and does not stop the answer or the season; a points role refused stays due, so the
next answer tries again.
"""

from __future__ import annotations

import logging
from typing import Protocol, cast

from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.errors import QuizError
from bot.engine.model import Player, Team
from storage.reward_store import RewardRow

__all__ = ["MAX_THRESHOLD", "RoleGranter", "RoleRewards"]

log = logging.getLogger(__name__)

MAX_THRESHOLD = 10_000_000


class RoleGranter(Protocol):
    """An outbox that can give a member a role."""

    async def grant_role(self, team: Team, user_id: str, role_id: str) -> None:
        """Give ``user_id`` the role ``role_id`` in ``team``."""
        ...


class RoleRewards:
    """The reward use cases of one :class:`QuizEngine`."""

    def __init__(self, core: Core, closer: RoundCloser) -> None:
        self._core = core
        self._closer = closer
        self.store = core.store.rewards

    async def set_rule(
        self, team: Team, role_id: str, *, champions: bool = False, points: int | None = None
    ) -> RewardRow:
        """Grant ``role_id`` to each season's champions, or at ``points`` all-time points."""
        if champions == (points is not None):
            raise QuizError("Say when the role is earned: champions, or a points threshold.")
        if points is not None and not 1 <= points <= MAX_THRESHOLD:
            raise QuizError(f"The points threshold must be from 1 to {MAX_THRESHOLD:,}.")
        rule = RewardRow(role_id, "champions" if champions else "points", points)
        await self.store.set_rule(await self._core.ids.team_pk(team), rule)
        return rule

    async def remove_rule(self, team: Team, role_id: str) -> None:
        """Stop granting ``role_id`` (members keep the role they have)."""
        if not await self.store.remove_rule(await self._core.ids.team_pk(team), role_id):
            raise QuizError("That role is not a reward here.")

    async def rules(self, team: Team) -> tuple[RewardRow, ...]:
        """The team's reward rules."""
        return tuple(await self.store.rules(await self._core.ids.team_pk(team)))

    async def after_answer(self, player: Player) -> list[str]:
        """Grant the points roles the player has just earned; the roles granted."""
        if not self._can_grant(player.team.platform):
            return []  # nothing could be granted, so nothing is read
        team_pk = await self._core.ids.known_team_pk(player.team)
        # Read each time: another process may add or remove a rule at any moment.
        if team_pk is None or team_pk not in await self.store.teams_with_points_rules():
            return []
        found = await self._core.ids.find_player(player)
        if found is None:
            return []
        granted = []
        for role_id in await self.store.points_roles_due(team_pk, found[0]):
            if await self._grant(player.team, player.user_id, role_id):
                await self.store.granted(team_pk, role_id, found[0], self._core.clock())
                granted.append(role_id)
        return granted

    async def after_season(self, team: Team, champions: tuple[str, ...]) -> int:
        """Grant the champions roles to a season's champions (user ids); how many grants."""
        team_pk = await self._core.ids.team_pk(team)
        roles = [r.role_id for r in await self.store.rules(team_pk) if r.kind == "champions"]
        done = 0
        for role_id in roles:
            for user_id in champions:
                done += await self._grant(team, user_id, role_id)
        return done

    def _can_grant(self, platform: str) -> bool:
        """Whether the outbox of ``platform`` is registered and can grant roles."""
        outbox = self._closer.outbox_for(platform)
        return outbox is not None and callable(getattr(outbox, "grant_role", None))

    async def _grant(self, team: Team, user_id: str, role_id: str) -> bool:
        if not self._can_grant(team.platform):
            return False
        try:
            await cast(RoleGranter, self._closer.outbox_for(team.platform)).grant_role(
                team, user_id, role_id
            )
        except Exception:
            log.warning("could not grant role %s to %s", role_id, user_id, exc_info=True)
            return False
        return True
