"""``quizbot export leaderboard``: all ranked rows, CSV and JSON."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import random
from pathlib import Path

import pytest

from bot.commands.export import ExportError, export_leaderboard, format_rows
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import load_bank
from storage.store import Store
from tests.ops.support import answer_round, clean_env, quizbot

TEAM = Team("slack", "T1")


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    """A team of 25 players over two channels, plus another team that must not show."""
    path = tmp_path / "q.db"
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, load_bank(), rng=random.Random(3))
        for n in range(4):
            await answer_round(engine, TEAM, [f"p{i}" for i in range(n * 5, 25)], f"C{n % 2}")
        await answer_round(engine, Team("slack", "T2"), ["=outsider"], "C0")
    finally:
        await store.close()
    return path


async def test_every_ranked_row_is_exported(database: Path) -> None:
    rows = await export_leaderboard(database, TEAM, period="all")
    assert len(rows) == 25  # not only the top 10
    assert [r.points for r in rows] == sorted((r.points for r in rows), reverse=True)
    assert rows[0].rank == 1 and all(a.rank <= b.rank for a, b in itertools.pairwise(rows))
    assert {r.user_id for r in rows} == {f"p{i}" for i in range(25)}
    week = await export_leaderboard(database, TEAM, period="week")
    assert week == rows  # everything happened now
    channel = await export_leaderboard(database, TEAM, period="all", channel_id="C1")
    assert {r.user_id for r in channel} == {f"p{i}" for i in range(5, 25)}


async def test_unknown_team_and_missing_database(database: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no team discord:1"):
        await export_leaderboard(database, Team("discord", "1"))
    with pytest.raises(ExportError, match="no such file"):
        await export_leaderboard(tmp_path / "none.db", TEAM)
    assert not (tmp_path / "none.db").exists()


async def test_formats(database: Path) -> None:
    outsider = await export_leaderboard(database, Team("slack", "T2"), period="all")
    parsed = list(csv.reader(io.StringIO(format_rows(outsider, "csv"))))
    assert parsed[0] == ["rank", "user_id", "display_name", "points", "answers", "correct"]
    assert parsed[1][2] == "'=outsider"  # no spreadsheet formula
    assert json.loads(format_rows(outsider, "json"))[0]["display_name"] == "=outsider"


async def test_cli(database: Path, tmp_path: Path) -> None:
    env = clean_env(QUIZBOT_DATABASE=str(database))
    args = ("export", "leaderboard", "--team", "slack:T1", "--period", "all", "--format", "json")
    result = await asyncio.to_thread(quizbot, *args, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 25
    bad = await asyncio.to_thread(
        quizbot, "export", "leaderboard", "--team", "nocolon", cwd=tmp_path, env=env
    )
    assert bad.returncode == 2 and "PLATFORM:ID" in bad.stderr


async def test_cli_refuses_an_unwritable_output_in_one_line(database: Path, tmp_path: Path) -> None:
    env = clean_env(QUIZBOT_DATABASE=str(database))
    board = ("export", "leaderboard", "--team", "slack:T1", "--period", "all")
    for output in (tmp_path / "missing" / "x.csv", tmp_path):
        result = await asyncio.to_thread(quizbot, *board, "-o", str(output), cwd=tmp_path, env=env)
        assert result.returncode == 1
        [line] = result.stderr.splitlines()
        assert line.startswith(f"quizbot: error: cannot write {output}")
    assert await asyncio.to_thread(lambda: list(tmp_path.rglob("*.tmp"))) == []


async def test_cli_takes_a_channel_as_typed_in_chat_and_options_in_any_case(
    database: Path, tmp_path: Path
) -> None:
    env = clean_env(QUIZBOT_DATABASE=str(database))
    board = ("export", "leaderboard", "--team", "slack:T1", "--format", "JSON")
    plain = await asyncio.to_thread(quizbot, *board, "--channel", "C1", cwd=tmp_path, env=env)
    hashed = await asyncio.to_thread(
        quizbot, *board, "--period", "ALL", "--channel", "#C1", cwd=tmp_path, env=env
    )
    assert hashed.returncode == 0, hashed.stderr
    assert len(json.loads(hashed.stdout)) == 20
    assert json.loads(hashed.stdout) == json.loads(plain.stdout)


async def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    store = await Store.open(path)
    try:
        engine = QuizEngine(store, load_bank(), rng=random.Random(3))
        await answer_round(engine, TEAM, ["x\x1b]0;owned\x07\x9b2J\u202eevil"], "C0")
    finally:
        await store.close()
    rows = await export_leaderboard(path, TEAM, period="all")
    for fmt in ("csv", "json"):
        text = format_rows(rows, fmt)
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in text)
        assert "\u202e" not in text
    assert "\\u001b]0;owned\\u0007" in format_rows(rows, "csv")
    assert json.loads(format_rows(rows, "json"))[0]["display_name"] == rows[0].display_name


async def test_the_current_season_is_exported_and_starts_empty_after_it_ends(
    database: Path,
) -> None:
    rows = await export_leaderboard(database, TEAM, period="all")
    assert await export_leaderboard(database, TEAM, period="season") == rows  # the first season
    store = await Store.open(database)
    try:
        await QuizEngine(store, load_bank()).seasons.end(TEAM, "first")
    finally:
        await store.close()
    assert await export_leaderboard(database, TEAM, period="season") == []
    assert await export_leaderboard(database, TEAM, period="all") == rows
