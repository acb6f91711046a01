"""The SQLite store: every read and write the engine makes, behind one small class.

One aiosqlite connection in WAL mode. Write transactions are serialised with an asyncio lock,
so coroutines sharing the connection never interleave inside a transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage import migrations

__all__ = [
    "AnswerRecord",
    "DuplicateAnswerError",
    "OpenRoundExistsError",
    "RoundRecord",
    "ScoreRow",
    "Store",
    "StoreError",
]

_T = TypeVar("_T")
_PLAYER_CACHE_SIZE = 100_000
_SQLITE_MIN_INT, _SQLITE_MAX_INT = -(2**63), 2**63 - 1


class StoreError(Exception):
    """The database cannot be opened or used; the message is one line naming the path."""


class DuplicateAnswerError(Exception):
    """The player already answered this round (the UNIQUE constraint said so)."""


class OpenRoundExistsError(Exception):
    """The channel already has an open quiz round."""


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """A round as stored."""

    id: int
    team_pk: int
    channel_id: str
    kind: str
    mode: str
    question_id: str
    category: str
    difficulty: str
    choice_order: str
    opened_at: float
    closes_at: float
    closed_at: float | None
    message_channel: str | None
    message_id: str | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """A stored answer with its player's display name."""

    player_id: int
    display_name: str
    choice: int | None
    grade: float
    correct: bool
    points: int
    answered_at: float


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One player's totals in one period and channel scope."""

    player_pk: int
    user_id: str
    display_name: str
    points: int
    answers: int
    correct: int


_ROUND_COLUMNS = (
    "id, team_id, channel_id, kind, mode, question_id, category, difficulty, choice_order, "
    "opened_at, closes_at, closed_at, message_channel, message_id"
)


def _round(row: tuple[Any, ...]) -> RoundRecord:
    return RoundRecord(*row)


def _check_database_path(path: Path) -> None:
    """Refuse a path that cannot be a Quizbot database, before SQLite touches it."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read database file ({exc.strerror})") from None
        if header and header != b"SQLite format 3\x00":
            raise StoreError(f"{path}: not an SQLite database")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create directory ({exc.strerror})") from None


class Store:
    """Quizbot's database. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        # (team pk, external id) -> (player pk, display name). Players are never deleted and
        # only this class writes them, so a hit saves the answer path one trip to the database.
        self._players: dict[tuple[int, str], tuple[int, str]] = {}

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) the database at ``path`` and apply pending migrations.

        Raises :class:`StoreError` for a path that is a directory, unreadable, not SQLite, or
        written by a newer schema. Nothing is overwritten in any of those cases.
        """
        path = Path(path)
        _check_database_path(path)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open database ({exc})") from None
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            await migrations.apply(conn)
        except migrations.SchemaTooNewError as exc:
            await conn.close()
            raise StoreError(f"{path}: {exc}") from None
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError(f"{path}: cannot use database ({exc})") from None
        return cls(conn, path)

    async def close(self) -> None:
        """Wait for running writes, then close the connection."""
        async with self._write_lock:
            await self._conn.close()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def _fetchone(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        # execute_fetchall runs the statement and reads its rows in one trip to the connection's
        # thread (a cursor would take three: execute, fetch, close).
        rows = await self._conn.execute_fetchall(sql, params)
        for row in rows:
            return tuple(row)
        return None

    async def _fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        rows = await self._conn.execute_fetchall(sql, params)
        return [tuple(row) for row in rows]

    async def _write_in_thread(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` as one write transaction inside the connection's own thread.

        One trip to the thread instead of one per statement: on a busy bot the trips, not
        SQLite, bound the answer rate. ``work`` gets the plain :class:`sqlite3.Connection`
        and must not commit; an exception rolls the transaction back and propagates.
        """

        def transaction() -> _T:
            raw = self._conn._conn  # aiosqlite's underlying connection, used in its own thread
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = work(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
            return result

        async with self._write_lock:
            # aiosqlite has no public "run this callable in the connection thread"; _execute is
            # what its own public methods (backup, iterdump, ...) use.
            result: _T = await self._conn._execute(transaction)  # type: ignore[no-untyped-call]
            return result

    async def schema_version(self) -> int:
        """The applied schema version."""
        return await migrations.applied_version(self._conn)

    # -- teams and players ---------------------------------------------------------------

    async def team_pk(self, platform: str, external_id: str) -> int:
        """The internal id of a team, creating the team on first sight."""
        found = await self._fetchone(
            "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
        )
        if found:
            return int(found[0])
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO teams (platform, external_id) VALUES (?, ?)",
                (platform, external_id),
            )
        found = await self._fetchone(
            "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
        )
        assert found is not None
        return int(found[0])

    async def team_by_pk(self, team_pk: int) -> tuple[str, str] | None:
        """(platform, external id) of a team by internal id."""
        found = await self._fetchone(
            "SELECT platform, external_id FROM teams WHERE id = ?", (team_pk,)
        )
        return (str(found[0]), str(found[1])) if found else None

    async def find_team_pk(self, platform: str, external_id: str) -> int | None:
        """The internal id of a known team, or None."""
        found = await self._fetchone(
            "SELECT id FROM teams WHERE platform = ? AND external_id = ?", (platform, external_id)
        )
        return int(found[0]) if found else None

    async def player_pk(self, team_pk: int, external_id: str, display_name: str) -> int:
        """The internal id of a player, creating it or refreshing its display name."""
        key = (team_pk, external_id)
        cached = self._players.get(key)
        if cached is not None and cached[1] == display_name:
            return cached[0]
        found = await self._fetchone(
            "SELECT id, display_name FROM players WHERE team_id = ? AND external_id = ?",
            (team_pk, external_id),
        )
        if found and found[1] == display_name:
            self._remember_player(key, int(found[0]), display_name)
            return int(found[0])

        def upsert(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "INSERT INTO players (team_id, external_id, display_name) VALUES (?, ?, ?) "
                "ON CONFLICT (team_id, external_id) "
                "DO UPDATE SET display_name = excluded.display_name RETURNING id",
                (team_pk, external_id, display_name),
            ).fetchone()
            return int(row[0])

        player = await self._write_in_thread(upsert)
        self._remember_player(key, player, display_name)
        return player

    def _remember_player(self, key: tuple[int, str], player_pk: int, display_name: str) -> None:
        if len(self._players) >= _PLAYER_CACHE_SIZE:
            self._players.clear()  # crude but bounded; a miss only costs one query
        self._players[key] = (player_pk, display_name)

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None:
        """(internal id, display name) of a player of this team, or None."""
        cached = self._players.get((team_pk, external_id))
        if cached is not None:
            return cached
        found = await self._fetchone(
            "SELECT id, display_name FROM players WHERE team_id = ? AND external_id = ?",
            (team_pk, external_id),
        )
        return (int(found[0]), str(found[1])) if found else None

    async def find_player_by_name(self, team_pk: int, display_name: str) -> tuple[int, str] | None:
        """(internal id, external id) of the player with this display name (case-insensitive)."""
        found = await self._fetchone(
            "SELECT id, external_id FROM players WHERE team_id = ? AND display_name = ? "
            "COLLATE NOCASE ORDER BY id LIMIT 1",
            (team_pk, display_name),
        )
        return (int(found[0]), str(found[1])) if found else None

    # -- rounds --------------------------------------------------------------------------

    async def create_round(
        self,
        *,
        team_pk: int,
        channel_id: str,
        kind: str,
        mode: str,
        question_id: str,
        category: str,
        difficulty: str,
        choice_order: str,
        opened_by: int | None,
        opened_at: float,
        closes_at: float,
    ) -> RoundRecord:
        """Insert a round; :class:`OpenRoundExistsError` if the channel has an open quiz round."""
        try:
            async with self._transaction() as conn:
                cursor = await conn.execute(
                    "INSERT INTO rounds (team_id, channel_id, kind, mode, question_id, category, "
                    "difficulty, choice_order, opened_by, opened_at, closes_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        team_pk,
                        channel_id,
                        kind,
                        mode,
                        question_id,
                        category,
                        difficulty,
                        choice_order,
                        opened_by,
                        opened_at,
                        closes_at,
                    ),
                )
                round_id = cursor.lastrowid
        except sqlite3.IntegrityError:
            raise OpenRoundExistsError(channel_id) from None
        record = await self.get_round(int(round_id or 0))
        assert record is not None
        return record

    async def get_round(self, round_id: int) -> RoundRecord | None:
        """A round by id, whatever its team (callers check the team)."""
        if not _SQLITE_MIN_INT <= round_id <= _SQLITE_MAX_INT:
            return None  # no such row can exist; SQLite would refuse the parameter
        row = await self._fetchone(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE id = ?", (round_id,))
        return _round(row) if row else None

    async def open_quiz_round(self, team_pk: int, channel_id: str) -> RoundRecord | None:
        """The channel's open quiz round, if any."""
        row = await self._fetchone(
            f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE team_id = ? AND channel_id = ? "
            "AND kind = 'quiz' AND closed_at IS NULL",
            (team_pk, channel_id),
        )
        return _round(row) if row else None

    async def due_rounds(self, now: float) -> list[RoundRecord]:
        """Open rounds whose deadline has passed."""
        rows = await self._fetchall(
            f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE closed_at IS NULL AND closes_at <= ? "
            "AND kind != 'daily' "  # daily rounds are closed by the daily service (bot/daily.py)
            "ORDER BY closes_at",
            (now,),
        )
        return [_round(row) for row in rows]

    async def next_deadline(self) -> float | None:
        """The earliest deadline among open rounds."""
        row = await self._fetchone(
            "SELECT MIN(closes_at) FROM rounds WHERE closed_at IS NULL AND kind != 'daily'"
        )
        return float(row[0]) if row and row[0] is not None else None

    async def mark_closed(self, round_id: int, now: float) -> bool:
        """Close a round; True only for the caller that actually closed it."""
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (now, round_id),
            )
            return cursor.rowcount == 1

    async def set_message(self, round_id: int, channel_id: str, message_id: str) -> None:
        """Remember where the round's question was posted."""
        async with self._transaction() as conn:
            await conn.execute(
                "UPDATE rounds SET message_channel = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, round_id),
            )

    async def question_use_counts(self, team_pk: int, channel_id: str) -> dict[str, int]:
        """How many rounds of each question this channel has had."""
        rows = await self._fetchall(
            "SELECT question_id, COUNT(*) FROM rounds WHERE team_id = ? AND channel_id = ? "
            "GROUP BY question_id",
            (team_pk, channel_id),
        )
        return {str(qid): int(count) for qid, count in rows}

    # -- answers -------------------------------------------------------------------------

    async def record_answer(
        self,
        *,
        round_record: RoundRecord,
        player_pk: int,
        choice: int | None,
        text: str | None,
        grade: float,
        correct: bool,
        points: int,
        answered_at: float,
        periods: Iterable[str],
        on_recorded: Callable[[sqlite3.Connection, int], None] | None = None,
    ) -> int:
        """Store an answer and add it to the score totals in one transaction.

        ``on_recorded(conn, answer_id)`` runs last in the same transaction (the FSRS card
        update), so it commits or rolls back with the answer.

        Raises :class:`DuplicateAnswerError` if the player already answered the round.
        Returns the answer id once committed.
        """
        score_rows = [
            (round_record.team_pk, period, scope, player_pk, points, int(correct))
            for period in periods
            for scope in ("", round_record.channel_id)
        ]

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO answers (round_id, player_id, choice, text, grade, correct, "
                "points, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    round_record.id,
                    player_pk,
                    choice,
                    text,
                    grade,
                    int(correct),
                    points,
                    answered_at,
                ),
            )
            answer_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO scores (team_id, period, channel_id, player_id, points, answers, "
                "correct) VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO UPDATE SET "
                "points = points + excluded.points, answers = answers + 1, "
                "correct = correct + excluded.correct",
                score_rows,
            )
            if on_recorded is not None:
                on_recorded(conn, answer_id)
            return answer_id

        try:
            return await self._write_in_thread(insert)
        except sqlite3.IntegrityError:
            raise DuplicateAnswerError(round_record.id) from None

    async def round_answers(self, round_id: int) -> list[AnswerRecord]:
        """A round's answers in the order they were given."""
        rows = await self._fetchall(
            "SELECT a.player_id, p.display_name, a.choice, a.grade, a.correct, a.points, "
            "a.answered_at FROM answers a JOIN players p ON p.id = a.player_id "
            "WHERE a.round_id = ? ORDER BY a.answered_at, a.id",
            (round_id,),
        )
        return [
            AnswerRecord(
                int(r[0]),
                str(r[1]),
                None if r[2] is None else int(r[2]),
                float(r[3]),
                bool(r[4]),
                int(r[5]),
                float(r[6]),
            )
            for r in rows
        ]

    async def answer_count(self, round_id: int) -> int:
        """How many players answered a round."""
        row = await self._fetchone("SELECT COUNT(*) FROM answers WHERE round_id = ?", (round_id,))
        return int(row[0]) if row else 0

    # -- leaderboards and stats ----------------------------------------------------------

    async def top_scores(
        self, team_pk: int, period: str, channel_id: str, limit: int
    ) -> list[ScoreRow]:
        """The best ``limit`` players of a period and scope, highest points first."""
        rows = await self._fetchall(
            "SELECT s.player_id, p.external_id, p.display_name, s.points, s.answers, s.correct "
            "FROM scores s JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = ? AND s.period = ? AND s.channel_id = ? "
            "ORDER BY s.points DESC, s.player_id LIMIT ?",
            (team_pk, period, channel_id, limit),
        )
        return [ScoreRow(*row) for row in rows]

    async def player_score(
        self, team_pk: int, period: str, channel_id: str, player_pk: int
    ) -> tuple[ScoreRow, int] | None:
        """A player's totals and competition rank (1 + players with more points), or None."""
        row = await self._fetchone(
            "SELECT s.player_id, p.external_id, p.display_name, s.points, s.answers, s.correct "
            "FROM scores s JOIN players p ON p.id = s.player_id "
            "WHERE s.team_id = ? AND s.period = ? AND s.channel_id = ? AND s.player_id = ?",
            (team_pk, period, channel_id, player_pk),
        )
        if row is None:
            return None
        score = ScoreRow(*row)
        ahead = await self._fetchone(
            "SELECT SUM(players) FROM score_levels WHERE team_id = ? AND period = ? "
            "AND channel_id = ? AND points > ?",
            (team_pk, period, channel_id, score.points),
        )
        return score, 1 + (int(ahead[0] or 0) if ahead else 0)

    async def player_count(self, team_pk: int, period: str, channel_id: str) -> int:
        """How many players have a score in a period and scope."""
        row = await self._fetchone(
            "SELECT SUM(players) FROM score_levels WHERE team_id = ? AND period = ? "
            "AND channel_id = ?",
            (team_pk, period, channel_id),
        )
        return int(row[0] or 0) if row else 0

    async def category_results(self, player_pk: int) -> list[tuple[str, int, int]]:
        """(category, answers, correct) for a player."""
        rows = await self._fetchall(
            "SELECT r.category, COUNT(*), SUM(a.correct) FROM answers a "
            "JOIN rounds r ON r.id = a.round_id WHERE a.player_id = ? "
            "GROUP BY r.category ORDER BY r.category",
            (player_pk,),
        )
        return [(str(c), int(n), int(k or 0)) for c, n, k in rows]
