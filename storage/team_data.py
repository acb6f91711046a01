"""Every row of one team, found through the schema itself, for deleting a team's data.

A table belongs to a team when it has a ``team_id`` column (the ``teams`` row's id, as every
team-scoped table names it) or a foreign key to a table that belongs to one (answers through
their rounds, review logs through their cards, …). The plan is read from the database's own
schema (``PRAGMA foreign_key_list``), so tables added by later migrations are covered without
a change here; :func:`plan_team_tables` makes the plan from any schema, and
:mod:`storage.postgres.team_data` uses it on PostgreSQL's catalog. Rows are deleted children
first, in one transaction, and the transaction is rolled back if ``PRAGMA foreign_key_check``
then finds a dangling reference.

Slack's own tables (``slack_*``: installations, org workspaces, OAuth states) name Slack's ids,
not a ``teams`` row; :func:`forget_team` removes a Slack team's installation explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.database import Database
from storage.errors import StoreError

__all__ = [
    "SLACK_TABLES",
    "ForeignKey",
    "TeamDataError",
    "TeamTable",
    "count_team_rows",
    "forget_team",
    "plan_team_tables",
    "quoted",
    "team_tables",
]


SLACK_TABLES = (("slack_installations", "team_key"), ("slack_org_workspaces", "team_id"))
"""A Slack team's rows in Slack's own tables (keyed by Slack's id, not a ``teams`` row)."""


class TeamDataError(StoreError):
    """The team's data cannot be deleted (unknown team, or deleting would break the schema)."""


@dataclass(frozen=True, slots=True)
class TeamTable:
    """A table holding rows of the team, and the condition that selects them (``?`` is the
    team's id in ``teams``)."""

    name: str
    where: str

    @property
    def parameters(self) -> int:
        """How many times the condition names the team."""
        return self.where.count("?")


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A column of a table referring to a column of a ``parent`` table."""

    column: str
    parent: str
    parent_column: str


def quoted(name: str) -> str:
    """``name`` as an SQL identifier (double-quoted), for SQLite and PostgreSQL alike."""
    return '"' + name.replace('"', '""') + '"'


async def _schema(db: Database) -> tuple[dict[str, list[str]], dict[str, list[ForeignKey]]]:
    tables = [
        str(row[0])
        for row in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'slack_%' ORDER BY name"
        )
    ]
    columns: dict[str, list[str]] = {}
    keys: dict[str, list[str]] = {}
    for table in tables:
        info = await db.fetchall(f"PRAGMA table_info({quoted(table)})")
        columns[table] = [str(row[1]) for row in info]
        keys[table] = [str(row[1]) for row in sorted(info, key=lambda r: r[5]) if row[5]]

    def _key(parent: str) -> str:
        return (keys[parent] or ["rowid"])[0]

    foreign: dict[str, list[ForeignKey]] = {}
    for table in tables:
        rows = await db.fetchall(f"PRAGMA foreign_key_list({quoted(table)})")
        foreign[table] = [
            ForeignKey(
                str(row[3]),
                str(row[2]),
                str(row[4]) if row[4] else (keys[str(row[2])] or ["rowid"])[0],
            )
            for row in rows
            if str(row[2]) in columns
        ]
    return columns, foreign


async def team_tables(db: Database) -> list[TeamTable]:
    """The tables holding a team's rows, in an order they can be deleted in (every table
    before the tables it refers to; ``teams`` last)."""
    columns, foreign = await _schema(db)
    return plan_team_tables(columns, foreign)


def plan_team_tables(
    columns: dict[str, list[str]], foreign: dict[str, list[ForeignKey]]
) -> list[TeamTable]:
    """The tables of a schema (each table's columns and foreign keys) that hold a team's
    rows, with their conditions, in an order they can be deleted in (every table before the
    tables it refers to; ``teams`` last)."""
    where: dict[str, str | None] = {}

    def condition(table: str, seen: frozenset[str]) -> str | None:
        if table in where:
            return where[table]
        if table == "teams":
            found: str | None = "id = ?"
        elif "team_id" in columns[table]:
            found = "team_id = ?"
        else:
            found = None
            for key in foreign[table]:
                if key.parent in seen:
                    continue
                parent = condition(key.parent, seen | {table})
                if parent is not None:
                    found = (
                        f"{quoted(key.column)} IN (SELECT {quoted(key.parent_column)} "
                        f"FROM {quoted(key.parent)} WHERE {parent})"
                    )
                    break
        where[table] = found
        return found

    owned = {table: condition(table, frozenset()) for table in columns}
    included = {table: clause for table, clause in owned.items() if clause is not None}
    order: list[TeamTable] = []
    remaining = dict(included)
    while remaining:
        ready = [
            table
            for table in sorted(remaining)
            if not any(
                key.parent == table
                for child in remaining
                if child != table
                for key in foreign[child]
            )
        ]
        if not ready:  # a cycle of references: delete in name order, checked at the end
            ready = sorted(remaining)
        for table in ready:
            order.append(TeamTable(table, remaining.pop(table) or ""))
    return order


async def _team_pk(db: Database, platform: str, external_id: str) -> int | None:
    row = await db.fetchone(
        "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
    )
    return int(row[0]) if row else None


async def forget_team(
    db: Database,
    platform: str,
    external_id: str,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Delete every row of the team ``platform:external_id`` in one transaction (and, for
    Slack, its installation); the rows deleted per table. ``progress(table, rows)`` is called
    after each table. :class:`TeamDataError` for an unknown team or a dangling reference."""
    team_pk = await _team_pk(db, platform, external_id)
    if team_pk is None:
        raise TeamDataError(f"no team {platform}:{external_id} in the database")
    tables = await team_tables(db)
    deleted: dict[str, int] = {}

    def run(conn: Any) -> None:
        for table in tables:
            cursor = conn.execute(
                f"DELETE FROM {quoted(table.name)} WHERE {table.where}",
                (team_pk,) * table.parameters,
            )
            deleted[table.name] = max(cursor.rowcount, 0)
        if platform == "slack":
            for name, column in SLACK_TABLES:
                cursor = conn.execute(f"DELETE FROM {name} WHERE {column} = ?", (external_id,))
                deleted[name] = max(cursor.rowcount, 0)
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise TeamDataError(
                f"deleting {platform}:{external_id} would leave dangling references "
                f"({dangling[:3]}); nothing was deleted"
            )

    await db.write_in_thread(run)
    if progress is not None:
        for table, rows in deleted.items():
            progress(table, rows)
    return deleted


async def count_team_rows(db: Database, platform: str, external_id: str) -> dict[str, int]:
    """How many rows of each table belong to the team (nothing is changed)."""
    team_pk = await _team_pk(db, platform, external_id)
    if team_pk is None:
        raise TeamDataError(f"no team {platform}:{external_id} in the database")
    counts: dict[str, int] = {}
    for table in await team_tables(db):
        row = await db.fetchone(
            f"SELECT COUNT(*) FROM {quoted(table.name)} WHERE {table.where}",
            (team_pk,) * table.parameters,
        )
        counts[table.name] = int(row[0]) if row else 0
    if platform == "slack":
        for name, column in SLACK_TABLES:
            row = await db.fetchone(
                f"SELECT COUNT(*) FROM {name} WHERE {column} = ?", (external_id,)
            )
            counts[name] = int(row[0]) if row else 0
    return counts
