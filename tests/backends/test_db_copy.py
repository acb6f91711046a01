"""``quizbot db copy``: a team's database moved SQLite → PostgreSQL → SQLite, row for row."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fsrs import Rating

from bot.app import instance_lock
from bot.cli import main
from storage.copying import CopyError, _plan, _Sqlite, _verify, copy_database, parse_endpoint
from storage.migrations import available
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from storage.store import Store
from tests.backends.conftest import Backend
from tests.backends.support import open_round
from tests.postgres_server import PostgresServer, fresh_database

PASSWORD = "s3cret-pa55"
NOW = time.time()


def _periods(at: float) -> tuple[str, ...]:
    """The score keys an answer at ``at`` is counted in (as the engine's ``period_keys``)."""
    moment = datetime.fromtimestamp(at, UTC)
    year, week, _ = moment.isocalendar()
    return ("all", f"w{year}-{week:02d}", f"m{moment:%Y-%m}")


async def _build(path: Path) -> None:
    """A SQLite database with two teams and rows in most tables, written through the store."""
    store = await Store.open(path)
    sqlite_backend = Backend("sqlite", store)
    try:
        for platform, team_id in (("discord", "G1"), ("slack", "T1")):
            team = await store.team_pk(platform, team_id)
            players = [await store.player_pk(team, f"u{n}", f"Player {n}") for n in range(4)]
            for number in range(6):
                record = await open_round(
                    store,
                    team,
                    f"c{number % 2}",
                    kind="quiz" if number == 0 else "daily",
                    question=f"q{number}",
                    closes_at=9e9,
                )
                for position, player in enumerate(players):
                    at = NOW - 40 * 86400 * (number % 3)  # this month, and two months back
                    await store.record_answer(
                        round_record=record,
                        player_pk=player,
                        choice=position % 4,
                        text=None,
                        grade=1.0 if position % 2 == 0 else 0.0,
                        correct=position % 2 == 0,
                        points=(number + 1) * (4 - position) * 5,
                        answered_at=at,
                        periods=_periods(at),
                        review=sqlite_backend.card_review(
                            player, f"q{number}", "alpha", Rating.Good, at
                        ),
                    )
            await sqlite_backend.add_daily_schedule(team, "c0")
            await sqlite_backend.reviews.add_report(
                team_pk=team,
                player_pk=players[1],
                round_id=record.id,
                question_id="q5",
                kind="dispute",
                note="B is right too",
                answer=None,
                grade=0.0,
                created_at=NOW,
            )
        async with store.transaction() as conn:
            await conn.execute(
                "INSERT INTO seasons (team_id, period, name, started_at, ended_at) "
                "VALUES (1, 'season:1', 'Spring', 0.0, 100.0), (1, 'season:2', NULL, 100.0, NULL)"
            )
            await conn.execute(
                "INSERT INTO interviews (team_id, player_id, length, categories, start_level, "
                "question_seconds, started_at, ended_at, end_reason, score) "
                "VALUES (1, 1, 3, '[\"alpha\"]', 'easy', 60, 10.5, 99.0, 'finished', 0.75)"
            )
            await conn.execute(
                "INSERT INTO interview_answers (interview_id, position, question_id, category, "
                "difficulty, asked_at, answer, answered_at, grade) "
                "VALUES (1, 1, 'q1', 'alpha', 'easy', 11.0, 'an answer', 20.0, 0.5)"
            )
    finally:
        await store.close()


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted."""
    with sqlite3.connect(path) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in names
        }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite database to copy, built once for this file's tests."""
    path = tmp_path_factory.mktemp("built") / "quizbot.db"
    asyncio.run(_build(path))
    return path


@pytest.fixture
def source(built: Path, tmp_path: Path) -> Path:
    """A copy of the built database of this test's own."""
    path = tmp_path / "quizbot.db"
    with sqlite3.connect(built) as original, sqlite3.connect(path) as copy:
        original.backup(copy)
    return path


async def test_a_team_goes_to_postgresql_and_back_row_for_row(
    source: Path, empty_postgres_url: str, tmp_path: Path
) -> None:
    url = PostgresUrl.parse(empty_postgres_url)
    reported: list[tuple[str, int, bool]] = []
    there = await copy_database(source, url, progress=lambda *line: reported.append(line))
    original = _tables(source)
    assert there.version == available()[-1].version
    assert {table: there.rows[table] for table in original} == {
        table: len(rows) for table, rows in original.items()
    }
    assert there.rows["answers"] == 48 and there.rows["review_log"] == 48
    assert [table for table, _, done in reported if done] == list(there.rows)
    assert there.rows["score_levels"] == len(original["score_levels"])
    # ids keep their references: teams before players before answers, triggers' tables last
    order = list(there.rows)
    assert order.index("teams") < order.index("players") < order.index("answers")
    assert order.index("scores") < order.index("score_levels")

    postgres = await PostgresStore.open(url, min_size=1, max_size=2)
    try:
        lite = await Store.open(source)
        try:
            for team in (1, 2):
                for period in (*_periods(NOW), "season:2"):
                    for channel in ("", "c0", "c1"):
                        ours = await lite.top_scores(team, period, channel, 10)
                        theirs = await postgres.top_scores(team, period, channel, 10)
                        assert theirs == ours
            assert (await lite.top_scores(1, "all", "", 10))[0].points > 0
        finally:
            await lite.close()
        # sequences advanced: a new row gets a fresh id
        newcomer = await postgres.team_pk("console", "local")
        assert newcomer == 3
        player = await postgres.player_pk(newcomer, "u9", "New")
        assert player == there.rows["players"] + 1
    finally:
        await postgres.close()

    back = tmp_path / "back" / "quizbot.db"
    back.parent.mkdir()
    returned = await copy_database(url, back)
    assert returned.kept is None
    copied = _tables(back)
    copied["teams"] = [row for row in copied["teams"] if row[0] != 3]
    copied["players"] = [row for row in copied["players"] if row[0] != player]
    assert copied == original
    assert sorted(path.name for path in back.parent.iterdir()) == ["quizbot.db"]


async def test_a_destination_holding_rows_is_refused_and_untouched(
    source: Path, postgres_url: str
) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("INSERT INTO teams (platform, external_id) VALUES ('console', 'x')")
        with pytest.raises(CopyError, match=r"already holds data in teams \(1 rows\)"):
            await copy_database(source, PostgresUrl.parse(postgres_url))
        assert await conn.fetch("SELECT platform, external_id FROM teams") == [("console", "x")]
        assert await conn.fetchval("SELECT COUNT(*) FROM players") == 0
    finally:
        await conn.close()


def _at_version(path: Path, version: int) -> Path:
    """A SQLite database with one team, at schema ``version``."""
    with sqlite3.connect(path) as conn:
        for migration in available():
            if migration.version <= version:
                conn.executescript(migration.sql())
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO teams (platform, external_id) VALUES ('console', 'x')")
    return path


async def test_a_schema_version_mismatch_is_refused(
    tmp_path: Path, postgres_url: str, postgres_server: PostgresServer
) -> None:
    latest = available()[-1].version
    with pytest.raises(CopyError, match=f"at schema version {latest} but .* is at 10"):
        await copy_database(_at_version(tmp_path / "older.db", 10), PostgresUrl.parse(postgres_url))
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM teams") == 0
    finally:
        await conn.close()
    # PostgreSQL's schema starts at version 10: an older source cannot go there
    async with fresh_database(postgres_server, empty=True) as empty:
        with pytest.raises(CopyError, match="cannot be created at schema version 9"):
            await copy_database(_at_version(tmp_path / "oldest.db", 9), PostgresUrl.parse(empty))
        conn = await asyncpg.connect(empty)
        try:
            assert await conn.fetchval("SELECT to_regclass('schema_version')") is None
        finally:
            await conn.close()


async def test_an_existing_sqlite_file_needs_force_and_is_kept(
    source: Path, tmp_path: Path
) -> None:
    existing = tmp_path / "existing.db"
    store = await Store.open(existing)
    try:
        await store.team_pk("console", "old")
    finally:
        await store.close()
    before = _digest(existing)
    with pytest.raises(CopyError, match="exists: refusing to replace it"):
        await copy_database(source, existing)
    assert _digest(existing) == before

    result = await copy_database(source, existing, force=True)
    assert result.kept is not None
    assert result.kept.name.startswith("existing.db.before-copy-")
    assert _tables(result.kept)["teams"] == [(1, "console", "old")]
    assert _tables(existing) == _tables(source)


async def test_an_interrupted_copy_leaves_nothing(
    source: Path, tmp_path: Path, empty_postgres_url: str
) -> None:
    def interrupt(table: str, rows: int, done: bool) -> None:
        if table == "answers":
            raise KeyboardInterrupt

    target = tmp_path / "copy" / "quizbot.db"
    target.parent.mkdir()
    with pytest.raises(KeyboardInterrupt):
        await copy_database(source, target, progress=interrupt)
    assert list(target.parent.iterdir()) == []

    with pytest.raises(KeyboardInterrupt):
        await copy_database(source, PostgresUrl.parse(empty_postgres_url), progress=interrupt)
    conn = await asyncpg.connect(empty_postgres_url)
    try:
        tables = await conn.fetchval(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"
        )
        assert tables == 0  # the schema the copy created was rolled back with its rows
    finally:
        await conn.close()


def test_the_command_prints_no_password(
    source: Path, empty_postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = empty_postgres_url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")
    assert main(["db", "copy", str(source), url]) == 0
    captured = capsys.readouterr()
    assert "counts and leaderboards verified" in captured.out
    assert "postgresql://postgres:***@" in captured.out
    assert "  answers: 48 rows copied" in captured.err
    assert PASSWORD not in captured.out + captured.err

    assert main(["db", "copy", str(source), url]) == 1  # now it holds the rows: refused
    refused = capsys.readouterr()
    assert "already holds data in" in refused.err
    assert PASSWORD not in refused.out + refused.err
    assert str(parse_endpoint(url)) in refused.err


def test_the_command_refuses_a_sqlite_file_a_bot_holds(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live.db"
    live.write_bytes(source.read_bytes())
    before = _digest(live)
    with instance_lock(live):
        assert main(["db", "copy", str(source), str(live), "--force"]) == 1
    assert "refusing to copy into" in capsys.readouterr().err
    assert _digest(live) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "live.db",
        "live.db.lock",
        "quizbot.db",
    ]


async def test_verification_names_what_differs(source: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    await copy_database(source, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE scores SET correct = correct + 1 WHERE period = 'all' AND team_id = 2")
    original, changed = sqlite3.connect(source), sqlite3.connect(copy)
    try:
        theirs, ours = _Sqlite(original, "source"), _Sqlite(changed, "copy")
        plan = await _plan(theirs, ours)
        with pytest.raises(CopyError, match="the all leaderboard of team 2 differs"):
            await _verify(theirs, ours, plan)
        changed.execute("DELETE FROM reports WHERE team_id = 1")
        with pytest.raises(CopyError, match="reports has 2 rows in source but 1 in the copy"):
            await _verify(theirs, ours, plan)
    finally:
        original.close()
        changed.close()
