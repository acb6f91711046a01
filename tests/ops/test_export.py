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
