"""SQL of roles as rewards: the rules a team set, and the points roles already granted."""

from __future__ import annotations

from storage.database import Database
from storage.records import RewardRow

__all__ = ["RewardRow", "RewardStore"]


class RewardStore:
    """Reward rules and grants, on the store's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_rule(self, team_pk: int, rule: RewardRow) -> None:
        """Save (or replace) the rule of a role."""
        await self._db.execute_write(
            "INSERT INTO reward_roles (team_id, role_id, kind, threshold) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (team_id, role_id) DO UPDATE SET kind = excluded.kind, "
            "threshold = excluded.threshold",
            (team_pk, rule.role_id, rule.kind, rule.threshold),
        )

    async def remove_rule(self, team_pk: int, role_id: str) -> bool:
        """Forget a role's rule (its grants stay on record); False if there was none."""
        changed = await self._db.execute_write(
            "DELETE FROM reward_roles WHERE team_id = ? AND role_id = ?", (team_pk, role_id)
        )
        return changed == 1

    async def rules(self, team_pk: int) -> list[RewardRow]:
        """The team's rules, points thresholds lowest first."""
        rows = await self._db.fetchall(
            "SELECT role_id, kind, threshold FROM reward_roles WHERE team_id = ? "
            "ORDER BY kind, threshold, role_id",
            (team_pk,),
        )
        return [RewardRow(str(r), str(k), None if t is None else int(t)) for r, k, t in rows]

    async def teams_with_points_rules(self) -> set[int]:
        """The teams with at least one points rule."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT team_id FROM reward_roles WHERE kind = 'points'"
        )
        return {int(row[0]) for row in rows}

    async def points_roles_due(self, team_pk: int, player_pk: int) -> list[str]:
        """Points roles whose threshold the player's all-time points reach, not granted yet."""
        rows = await self._db.fetchall(
            "SELECT w.role_id FROM reward_roles w JOIN scores s ON s.team_id = w.team_id "
            "AND s.period = 'all' AND s.channel_id = '' AND s.player_id = ? "
            "WHERE w.team_id = ? AND w.kind = 'points' AND s.points >= w.threshold "
            "AND NOT EXISTS (SELECT 1 FROM reward_grants g WHERE g.team_id = w.team_id "
            "AND g.role_id = w.role_id AND g.player_id = ?) ORDER BY w.threshold",
            (player_pk, team_pk, player_pk),
        )
        return [str(row[0]) for row in rows]

    async def granted(self, team_pk: int, role_id: str, player_pk: int, now: float) -> None:
        """Remember that a points role was granted to the player."""
        await self._db.execute_write(
            "INSERT INTO reward_grants (team_id, role_id, player_id, granted_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (team_pk, role_id, player_pk, now),
        )
