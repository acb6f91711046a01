"""``quizbot db migrate`` on both backends, and PostgreSQL URLs in the settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from bot.config import POSTGRES_NOT_YET, ConfigError, Settings, load_settings
from bot.logging_setup import redact
from storage.migrations import available
from storage.postgres.migrations import MIGRATIONS_DIR, latest_version
from tests.ops.support import clean_env, quizbot

PASSWORD = "s3cret-pa55"


async def test_migrate_creates_and_then_leaves_a_postgres_database(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    env = clean_env(QUIZBOT_DATABASE=empty_postgres_url)
    first = quizbot("db", "migrate", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    applied = ", ".join(f"{m.version:04d}" for m in available(MIGRATIONS_DIR))
    assert f"applied {applied} (schema version {latest_version()})" in first.stdout
    second = quizbot("db", "migrate", cwd=tmp_path, env=env)
    assert f"up to date (schema version {latest_version()})" in second.stdout
    conn = await asyncpg.connect(empty_postgres_url)
    try:
        assert await conn.fetchval("SELECT MAX(version) FROM schema_version") == latest_version()
    finally:
        await conn.close()
    assert not (tmp_path / "data").exists()


def test_migrate_creates_a_sqlite_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_DATABASE", str(tmp_path / "q.db"))
    assert main(["db", "migrate"]) == 0
    first = capsys.readouterr().out
    latest = available()[-1].version
    database = tmp_path / "q.db"
    assert first == f"{database}: migrated from schema version 0 (schema version {latest})\n"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest
    assert main(["db", "migrate"]) == 0
    assert capsys.readouterr().out == f"{database}: up to date (schema version {latest})\n"


def test_migrate_refuses_another_applications_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZBOT_DATABASE", str(other))
    assert main(["db", "migrate"]) == 2
    assert "not a Quizbot database" in capsys.readouterr().err
    with sqlite3.connect(other) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


def test_migrate_names_an_unreachable_server_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"postgresql://quiz:{PASSWORD}@/quizbot?host={tmp_path}&port=5432"
    monkeypatch.setenv("QUIZBOT_DATABASE", url)
    assert main(["db", "migrate"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("quizbot: error: postgresql://quiz:***@")
    assert "cannot connect" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert PASSWORD not in captured.err + captured.out


def test_the_sqlite_file_commands_refuse_a_postgres_database_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"postgresql://quiz:{PASSWORD}@localhost:5432/quizbot"
    monkeypatch.setenv("QUIZBOT_DATABASE", url)
    instead = {
        ("db", "backup", "copy.db"): "use pg_dump",
        ("db", "restore", "copy.db"): "use pg_restore",
    }
    for command, advice in instead.items():
        assert main(list(command)) == 2
        captured = capsys.readouterr()
        assert captured.err.startswith("quizbot: error: `quizbot db ")
        assert advice in captured.err and len(captured.err.splitlines()) == 1
        assert captured.out == "" and PASSWORD not in captured.err
    with pytest.raises(ConfigError) as refused:  # a command that reads an SQLite file only
        load_settings(_env_file=None, quizbot_database=url)
    assert str(refused.value) == POSTGRES_NOT_YET
    assert list(tmp_path.iterdir()) == []


def test_the_bot_on_an_unreachable_server_stops_in_one_line_and_holds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"postgresql://quiz:{PASSWORD}@/quizbot?host={tmp_path}&port=5432"
    monkeypatch.setenv("QUIZBOT_DATABASE", url)
    for command in (["run"], ["console"]):
        assert main(command) == 2
        last = capsys.readouterr().err.splitlines()[-1]  # after "starting the console"
        assert last.startswith("quizbot: error: postgresql://quiz:***@")
        assert "cannot connect" in last and PASSWORD not in last
    assert list(tmp_path.iterdir()) == []  # no lock, no heartbeat, no SQLite file


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"postgresql://quiz:{PASSWORD}@db:99999/quizbot", "the port must be a number"),
        (f"postgresql://quiz:{PASSWORD}@db:5432/", "must name one database"),
        (f"postgres://quiz:{PASSWORD}@/quizbot", "names no host"),
        (f"postgresql://quiz:{PASSWORD}@db/a/b", "must name one database"),
    ],
)
def test_a_malformed_url_is_refused_without_its_password(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match="invalid setting QUIZBOT_DATABASE") as caught:
        load_settings(postgres=True, _env_file=None, quizbot_database=url)
    assert message in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_a_postgres_url_is_kept_and_its_password_redacted() -> None:
    url = f"postgres://quiz:{PASSWORD}@db.internal:6432/quizbot?sslmode=require"
    settings = load_settings(postgres=True, _env_file=None, quizbot_database=url)
    assert settings.postgres_url is not None
    assert settings.postgres_url.dsn == url
    assert str(settings.postgres_url) == "postgresql://quiz:***@db.internal:6432/quizbot"
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in redact(f"connecting to {url} with {PASSWORD}", settings.secrets())


def test_pool_bounds_are_checked() -> None:
    with pytest.raises(ConfigError, match="QUIZBOT_DATABASE_POOL_MIN must not exceed"):
        load_settings(_env_file=None, quizbot_database_pool_min=5, quizbot_database_pool_max=2)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.quizbot_database_pool_min, settings.quizbot_database_pool_max) == (1, 10)
    assert settings.quizbot_migrate_on_start is True
    assert settings.postgres_url is None
