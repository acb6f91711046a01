"""The operator's commands on a PostgreSQL database: ``db forget`` (a copy of the team's rows
first, then one transaction), ``db info``, ``export leaderboard`` (the same rows as on SQLite),
and the clear refusals of ``db backup`` and ``db restore``; and ``db forget --copy-dir`` on
SQLite."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.cli import main
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from questions.loader import load_bank
from storage.installation_store import InstallationRecord
from storage.interface import Storage
from storage.postgres import team_data
from storage.postgres.migrations import latest_version
from storage.postgres.store import PostgresStore
from storage.postgres.url import PostgresUrl
from storage.store import Store
from storage.team_data import TeamDataError
from tests.backends.conftest import Backend
from tests.conftest import FakeClock
from tests.postgres_server import PostgresServer

PASSWORD = "s3cret-pa55"
FORGOTTEN = Team("slack", "T0GONE")
KEPT = Team("slack", "T0KEPT")
Snapshot = dict[str, list[tuple[Any, ...]]]


def _installation(team_key: str) -> InstallationRecord:
    """A Slack installation whose text needs quoting (quotes, a backslash, a newline)."""
    return InstallationRecord(
        team_key=team_key,
        enterprise_id="E1",
        enterprise_name="Org 'quoted' \\ name",
        enterprise_url=None,
        team_id=team_key,
        team_name="Workspace\nwith a newline",
        is_enterprise_install=False,
        app_id="A1",
        bot_id="B1",
        bot_user_id="U1",
        bot_scopes="chat:write,commands",
        bot_token=f"xoxb-{team_key}",
        bot_refresh_token=None,
        bot_token_expires_at=5_000,
        installer_user_id="U9",
        token_type="bot",
        installed_at=1_764_000_000.123456789,
    )


async def _play(store: Storage) -> None:
    """Rounds, answers and scores of two teams over two channels, written by the engine as the
    running bot writes them (the same rows on either backend): players pick different letters,
    so some score and some do not."""
    clock = FakeClock()
    engine = QuizEngine(store, load_bank(), clock=clock, rng=random.Random(7))
    for team in (FORGOTTEN, KEPT):
        for number in range(4):
            card = await engine.start_round(Channel(team, f"C{number % 2}"), None)
            for n in range(number, 7):
                player = Player(team, f"u{n}", f"Player {n} «{team.team_id}»")
                clock.advance(1 + n)
                await engine.answer(player, card.round_id, choice="ABCD"[(n + number) % 4])
            await engine.close_round(team, card.round_id)
            clock.advance(90)


@pytest.fixture
async def url(postgres_url: str) -> AsyncIterator[str]:
    """A PostgreSQL database holding two Slack teams: rounds, answers, scores, a report, a
    daily schedule and an installation each (and an organisation's workspace)."""
    store = await PostgresStore.open(PostgresUrl.parse(postgres_url), min_size=1, max_size=4)
    try:
        await _play(store)
        backend = Backend("postgres", store)
        for team in (FORGOTTEN, KEPT):
            team_pk = await store.team_pk(team.platform, team.team_id)
            player_pk = await store.player_pk(team_pk, "u1", "Player «1»")
            round_id = await store.fetchvalue(
                "SELECT MIN(id) FROM rounds WHERE team_id = $1", team_pk
            )
            await store.reviews.add_report(
                team_pk=team_pk,
                player_pk=player_pk,
                round_id=int(round_id),
                question_id="q",
                kind="unclear",
                note="the 'wording' is \\ odd",
                answer=None,
                grade=None,
                created_at=1_764_000_500.25,
            )
            await backend.add_daily_schedule(team_pk, "C0")
            await store.installations.save(_installation(team.team_id))
            await store.installations.remember_org_workspace(team.team_id, "E1")
    finally:
        await store.close()
    yield postgres_url


async def _snapshot(url: str) -> Snapshot:
    """Every row of every table (but the migrations' own), sorted."""
    conn = await asyncpg.connect(url)
    try:
        tables = [
            str(name)
            for (name,) in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'schema_version' ORDER BY tablename"
            )
        ]
        return {
            table: sorted(
                (tuple(r) for r in await conn.fetch(f'SELECT * FROM "{table}"')), key=repr
            )
            for table in tables
        }
    finally:
        await conn.close()


async def _team_pks(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {str(r[0]): int(r[1]) for r in await conn.fetch("SELECT external_id, id FROM teams")}
    finally:
        await conn.close()


async def _rows_of(url: str, team_pk: int, slack_id: str) -> dict[str, int]:
    """Rows naming the team: in every table with a ``team_id`` column (Slack's: its Slack id),
    and its answers; tables with none left out."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'team_id'"
        )
        counts = {}
        for (table,) in tables:
            value: object = slack_id if str(table).startswith("slack_") else team_pk
            counts[str(table)] = int(
                await conn.fetchval(f'SELECT COUNT(*) FROM "{table}" WHERE team_id = $1', value)
            )
        counts["answers"] = int(
            await conn.fetchval(
                "SELECT COUNT(*) FROM answers a JOIN rounds r ON r.id = a.round_id "
                "WHERE r.team_id = $1",
                team_pk,
            )
        )
        counts["slack_installations"] += int(
            await conn.fetchval(
                "SELECT COUNT(*) FROM slack_installations WHERE team_key = $1", slack_id
            )
        )
    finally:
        await conn.close()
    return {table: count for table, count in counts.items() if count}


def _files(folder: Path) -> list[Path]:
    """The entries of ``folder``."""
    return sorted(folder.iterdir())


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _text(path: Path) -> str:
    return path.read_text()


async def _shell(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as an operator would type it."""
    return await asyncio.to_thread(
        subprocess.run, ["sh", "-c", command], env=env, capture_output=True, text=True
    )


def _use(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_DATABASE", url)


async def _quizbot(*args: str) -> int:
    return await asyncio.to_thread(main, list(args))


async def test_forget_writes_a_copy_then_deletes_only_that_team(
    url: str,
    postgres_server: PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = await _snapshot(url)
    pks = await _team_pks(url)
    gone, kept = pks[FORGOTTEN.team_id], pks[KEPT.team_id]
    gone_rows = await _rows_of(url, gone, FORGOTTEN.team_id)
    kept_rows = await _rows_of(url, kept, KEPT.team_id)
    assert {"rounds", "players", "scores", "score_levels", "reports", "answers"} <= set(gone_rows)
    assert {"daily_schedules", "slack_installations", "slack_org_workspaces"} <= set(gone_rows)
    _use(url, tmp_path, monkeypatch)

    assert await _quizbot("db", "forget", "--team", "slack:T0GONE") == 1  # counted only
    out = capsys.readouterr().out
    assert out.startswith("slack:T0GONE: ") and "nothing deleted: add --yes" in out
    assert await _snapshot(url) == before and _files(tmp_path) == []

    copies = tmp_path / "copies"
    assert (
        await _quizbot("db", "forget", "--team", "slack:T0GONE", "--yes", "--copy-dir", str(copies))
        == 0
    )
    out = capsys.readouterr().out
    copy = Path(out.split("the copy is ")[1].split("\n")[0])
    assert _files(copies) == [copy]  # no temporary file left beside it
    assert copy.name.startswith("quizbot-forget-slack-T0GONE-") and copy.suffix == ".sql"
    assert _mode(copy) == 0o600  # it holds the installation's token
    assert f"  answers: {gone_rows['answers']} deleted" in out

    after = await _snapshot(url)
    assert await _rows_of(url, gone, FORGOTTEN.team_id) == {}
    assert await _rows_of(url, kept, KEPT.team_id) == kept_rows
    for table, rows in after.items():  # the rows left are untouched
        assert set(rows) <= set(before[table]), table
    deleted = sum(len(before[table]) - len(after[table]) for table in before)
    assert f"forgot slack:T0GONE: {deleted} rows deleted" in out

    restore = out.split("to put them back: ")[1].strip()
    assert restore.startswith("psql --set ON_ERROR_STOP=1 --file ")
    env = {
        **os.environ,
        "QUIZBOT_DATABASE": url,
        "PATH": f"{postgres_server.binaries}{os.pathsep}{os.environ['PATH']}",
    }
    done = await _shell(restore, env)
    assert done.returncode == 0, done.stderr
    assert await _snapshot(url) == before  # every row back, exactly as it was

    again = await _shell(restore, env)
    assert again.returncode != 0 and "duplicate key" in again.stderr  # the team is back
    assert await _snapshot(url) == before  # and that restore changed nothing


async def test_forget_refuses_an_unknown_team_and_changes_nothing(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await _snapshot(url)
    _use(url, tmp_path, monkeypatch)
    assert await _quizbot("db", "forget", "--team", "discord:T0GONE", "--yes") == 1
    captured = capsys.readouterr()
    assert captured.err == "quizbot: error: no team discord:T0GONE in the database\n"
    assert await _quizbot("db", "forget", "--team", "T0GONE", "--yes") == 1
    assert "--team must be PLATFORM:ID" in capsys.readouterr().err
    assert await _snapshot(url) == before and _files(tmp_path) == []


async def test_forget_refuses_while_a_bot_is_connected_and_changes_nothing(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await _snapshot(url)
    _use(url, tmp_path, monkeypatch)
    replica = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=1)
    try:
        assert await _quizbot("db", "forget", "--team", "slack:T0GONE", "--yes") == 1
    finally:
        await replica.close()
    err = capsys.readouterr().err
    assert err.startswith("quizbot: error: refusing to forget slack:T0GONE: 1 other Quizbot ")
    assert "stop every replica first" in err
    assert await _snapshot(url) == before and _files(tmp_path) == []


async def test_forget_deletes_nothing_when_the_copy_cannot_be_written(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await _snapshot(url)
    _use(url, tmp_path, monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    folder = blocker / "copies"  # cannot be created: its parent is a file
    assert (
        await _quizbot("db", "forget", "--team", "slack:T0GONE", "--yes", "--copy-dir", str(folder))
        == 1
    )
    err = capsys.readouterr().err
    assert err.startswith(f"quizbot: error: cannot write the copy {folder}/quizbot-forget-")
    assert err.endswith("; nothing was deleted\n")
    assert await _snapshot(url) == before
    assert _files(tmp_path) == [blocker] and _text(blocker) == "not a folder\n"


async def test_forget_never_replaces_a_file_nor_waits_forever_for_writers(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await _snapshot(url)
    db = await PostgresStore.open(PostgresUrl.parse(url), min_size=1, max_size=2)
    try:
        taken = tmp_path / "taken.sql"
        taken.write_text("someone's file\n")
        with pytest.raises(TeamDataError, match=r"cannot write the copy .*nothing was deleted"):
            await team_data.forget_team(db, "slack", "T0GONE", copy_to=taken)
        assert _text(taken) == "someone's file\n"
        assert _files(tmp_path) == [taken]

        monkeypatch.setattr(team_data, "LOCK_TIMEOUT", "200ms")
        writer = await asyncpg.connect(url)
        try:
            pending = writer.transaction()  # a bot's write, not committed yet
            await pending.start()
            await writer.execute("UPDATE players SET display_name = 'x' WHERE id = 1")
            with pytest.raises(TeamDataError, match=r"busy .*nothing was deleted"):
                await team_data.forget_team(db, "slack", "T0GONE", copy_to=tmp_path / "new.sql")
            await pending.rollback()
        finally:
            await writer.close()
    finally:
        await db.close()
    assert _files(tmp_path) == [taken]
    assert await _snapshot(url) == before


async def test_db_info_shows_the_server_schema_and_counts(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(url, tmp_path, monkeypatch)
    assert await _quizbot("db", "info") == 0
    shown = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    before = await _snapshot(url)
    assert shown["url"] == str(PostgresUrl.parse(url))
    assert shown["schema_version"] == shown["latest_schema"] == str(latest_version())
    for table in ("teams", "players", "rounds", "answers"):
        assert shown[table] == str(len(before[table]))
    assert shown["open_rounds"] == "0" and int(shown["size_bytes"]) > 0
    assert shown["server_version"][:2].isdigit()


async def test_db_info_forget_and_export_name_an_unreachable_server_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://quiz:{PASSWORD}@/quizbot?host={tmp_path}&port=5432"
    _use(url, tmp_path, monkeypatch)
    for command in (
        ["db", "info"],
        ["db", "forget", "--team", "slack:T1", "--yes"],
        ["export", "leaderboard", "--team", "slack:T1"],
    ):
        assert await _quizbot(*command) == 1
        captured = capsys.readouterr()
        assert captured.err.startswith("quizbot: error: ")
        assert "postgresql://quiz:***@" in captured.err and "cannot connect" in captured.err
        assert len(captured.err.splitlines()) == 1 and PASSWORD not in captured.err
    assert _files(tmp_path) == []


async def test_backup_and_restore_point_to_pg_dump_and_pg_restore(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(url, tmp_path, monkeypatch)
    for command, advice in (("backup", "use pg_dump"), ("restore", "use pg_restore")):
        assert await _quizbot("db", command, "copy.db") == 2
        captured = capsys.readouterr()
        assert captured.err.startswith(f"quizbot: error: `quizbot db {command}` ")
        assert advice in captured.err and len(captured.err.splitlines()) == 1
    assert _files(tmp_path) == []


async def test_export_gives_the_same_rows_on_both_backends(
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sqlite_file = tmp_path / "quizbot.db"
    lite = await Store.open(sqlite_file)
    try:
        await _play(lite)
    finally:
        await lite.close()
    postgres = await PostgresStore.open(PostgresUrl.parse(postgres_url), min_size=1, max_size=4)
    try:
        await _play(postgres)
    finally:
        await postgres.close()
    monkeypatch.chdir(tmp_path)
    exports: dict[str, list[str]] = {}
    for database in (str(sqlite_file), postgres_url):
        monkeypatch.setenv("QUIZBOT_DATABASE", database)
        outputs = []
        for extra in ([], ["--channel", "#C1"], ["--format", "json"], ["--period", "season"]):
            command = ["export", "leaderboard", "--team", "slack:T0KEPT", "--period", "all"]
            assert await _quizbot(*command, *extra) == 0
            outputs.append(capsys.readouterr().out)
        assert await _quizbot("export", "leaderboard", "--team", "slack:T0NONE") == 1
        assert "no team slack:T0NONE in " in capsys.readouterr().err
        exports[database] = outputs
    lite_csv, lite_channel, lite_json, lite_season = exports[str(sqlite_file)]
    assert exports[postgres_url] == [lite_csv, lite_channel, lite_json, lite_season]
    assert lite_season == lite_csv  # every answer fell in the first season
    assert len(lite_csv.splitlines()) == 1 + 7  # the header and every player of the team
    assert len(lite_channel.splitlines()) == 1 + 6  # players 1 to 6 answered in C1
    assert "Player 6 «T0KEPT»" in lite_csv
    points = [row["points"] for row in json.loads(lite_json)]
    assert points == sorted(points, reverse=True) and len(set(points)) > 1


async def test_forget_on_sqlite_backs_up_into_the_copy_dir_or_deletes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "quizbot.db"
    lite = await Store.open(database)
    try:
        await _play(lite)
        counted = await lite.fetchall("SELECT COUNT(*) FROM answers")
    finally:
        await lite.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_DATABASE", str(database))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    forget = ("db", "forget", "--team", "slack:T0GONE", "--yes", "--copy-dir")
    assert await _quizbot(*forget, str(blocker / "copies")) == 1
    err = capsys.readouterr().err
    assert "cannot write the backup" in err and err.endswith("nothing was deleted\n")
    lite = await Store.open(database)
    try:
        assert await lite.fetchall("SELECT COUNT(*) FROM answers") == counted
    finally:
        await lite.close()

    assert await _quizbot(*forget, str(tmp_path / "backups")) == 0
    out = capsys.readouterr().out
    backup = Path(out.split("backup written to ")[1].split("\n")[0])
    assert backup.parent == tmp_path / "backups"
    assert backup.name.startswith("quizbot.db.before-forget-")
    kept = await Store.open(backup)
    try:
        assert await kept.fetchall("SELECT COUNT(*) FROM answers") == counted
        assert await kept.find_team_pk("slack", "T0GONE") is not None
    finally:
        await kept.close()
    lite = await Store.open(database)
    try:
        assert await lite.find_team_pk("slack", "T0GONE") is None
        assert await lite.find_team_pk("slack", "T0KEPT") is not None
    finally:
        await lite.close()
