"""``quizbot db forget --team slack:T…``: an uninstalled workspace's scores and history are
kept until an operator deletes them; a backup comes first, ``--yes`` is required, other teams
are untouched."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.app import instance_lock
from bot.cli import main
from bot.engine.engine import QuizEngine
from storage.store import Store
from tests.adapters.slack.helpers import answer_buttons, click_payload
from tests.adapters.slack.oauth_helpers import (
    ALPHA,
    BETA,
    OAuthServer,
    oauth_settings,
    serve_oauth,
)
from tests.fakes.slack_api import FakeSlack, Workspace


async def play(server: OAuthServer, slack: FakeSlack, workspace: Workspace) -> None:
    """Install, then play one round and schedule a daily question."""
    await server.new_browser().install(workspace)
    channel = f"C1{workspace.team_id}"
    await server.client.command(
        "/quiz", "alpha easy", team_id=workspace.team_id, channel_id=channel
    )
    await server.quiz.drain()
    value = next(iter(answer_buttons(slack.calls_to("chat.postMessage")[-1]).values()))
    await server.client.interact(
        click_payload(slack, value, team_id=workspace.team_id, channel_id=channel)
    )
    await server.client.command(
        "/quiz-admin",
        f"daily channel:<#{channel}|general> time:09:00 timezone:Europe/Berlin",
        team_id=workspace.team_id,
        user_id="U9LISTED",
    )
    await server.quiz.drain()


def answers_of(database: Path, team: str) -> int:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM answers a JOIN players p ON p.id = a.player_id "
            "JOIN teams t ON t.id = p.team_id WHERE t.external_id = ?",
            (team,),
        ).fetchone()
    return int(row[0])


def rows_naming(database: Path, team_pk: int) -> dict[str, int]:
    """Rows of every table with a team_id column that name ``team_pk``."""
    with sqlite3.connect(database) as conn:
        tables = [
            str(name)
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not str(name).startswith("slack_")
            and "team_id" in [c[1] for c in conn.execute(f'PRAGMA table_info("{name}")')]
        ]
        counts = {
            table: int(
                conn.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE team_id = ?', (team_pk,)
                ).fetchone()[0]
            )
            for table in tables
        }
    return {table: count for table, count in counts.items() if count}


async def test_forget_backs_up_then_deletes_one_team(
    engine: QuizEngine,
    slack: FakeSlack,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = oauth_settings(slack, slack_admin_user_ids="U9LISTED")
    async with serve_oauth(engine, slack, settings) as server:
        await play(server, slack, ALPHA)
        await play(server, slack, BETA)
    database = store.path
    [(alpha_pk,)] = await store.fetchall("SELECT id FROM teams WHERE external_id = 'T0ALPHA'")
    assert answers_of(database, "T0ALPHA") == answers_of(database, "T0BETA") == 1
    assert {"rounds", "players", "daily_schedules", "scores"} <= set(
        rows_naming(database, alpha_pk)
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_DATABASE", str(database))

    def forget(*extra: str) -> int:
        return main(["db", "forget", "--team", "slack:T0ALPHA", *extra])

    assert await asyncio.to_thread(forget) == 1  # without --yes: counted, nothing deleted
    out = capsys.readouterr().out
    assert "slack:T0ALPHA:" in out and "nothing deleted: add --yes" in out
    assert answers_of(database, "T0ALPHA") == 1

    assert await asyncio.to_thread(forget, "--yes") == 0
    out = capsys.readouterr().out
    backup = Path(out.split("backup written to ")[1].split("\n")[0])
    assert answers_of(backup, "T0ALPHA") == 1  # the copy kept everything
    assert "  answers: 1 deleted" in out and "forgot slack:T0ALPHA" in out
    assert answers_of(database, "T0ALPHA") == 0 and rows_naming(database, alpha_pk) == {}
    assert answers_of(database, "T0BETA") == 1
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        keys = conn.execute("SELECT team_key FROM slack_installations").fetchall()
    assert keys == [("T0BETA",)]

    assert await asyncio.to_thread(forget, "--yes") == 1  # gone already
    assert "no team slack:T0ALPHA in the database" in capsys.readouterr().err


async def test_forget_refuses_bad_input_and_a_running_bot(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_DATABASE", str(store.path))
    await store.team_pk("slack", "T0ALPHA")
    wrong = await asyncio.to_thread(main, ["db", "forget", "--team", "T0ALPHA", "--yes"])
    assert wrong == 1 and "--team must be PLATFORM:ID" in capsys.readouterr().err
    with instance_lock(store.path):  # a running Quizbot holds it
        running = await asyncio.to_thread(
            main, ["db", "forget", "--team", "slack:T0ALPHA", "--yes"]
        )
    assert running == 1 and "refusing to forget slack:T0ALPHA" in capsys.readouterr().err
    assert await store.fetchall("SELECT external_id FROM teams") == [("T0ALPHA",)]
