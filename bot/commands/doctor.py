"""``quizbot doctor``: check settings, database, question packs and platform tokens.

Prints one line per check (``ok``, ``warn`` or ``FAIL``) and, for each problem, how to fix it.
Exits 1 when any check fails. Platform checks call the real APIs over plain aiohttp:
Discord ``GET /users/@me`` and Slack ``auth.test``; with the LLM judge configured,
``GET {QUIZBOT_LLM_URL}/models`` must answer and list ``QUIZBOT_LLM_MODEL``. Slack distributed
with OAuth: ``oauth.v2.access`` must accept the client id and secret (it is asked for a code
that does not exist), and the installed workspaces are listed from the database, with a
warning while their tokens are stored in clear.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from bot.commands.db import DatabaseProblem, inspect_database, latest_schema, open_readonly
from bot.commands.groups import Subparsers
from bot.config import (
    ConfigError,
    Settings,
    check_judge,
    check_platforms,
    check_shard_ids,
    describe_shards,
    load_settings,
)
from bot.llm_judge.client import api_error, auth_headers
from bot.logging_setup import redact
from bot.token_cipher import TokenCipher, TokenCipherError, is_sealed
from questions.loader import PackError, load_bank
from storage.database import unwritable
from storage.errors import StoreError
from storage.postgres.url import PostgresUrl

__all__ = [
    "Check",
    "check_database",
    "check_discord",
    "check_discord_shards",
    "check_llm",
    "check_postgres",
    "check_questions",
    "check_settings",
    "check_slack",
    "check_slack_oauth",
    "register",
    "run_checks",
]

Status = Literal["ok", "warn", "FAIL"]
HTTP_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check; ``fix`` says what to do when it is not ok."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def check_settings(settings: Settings) -> list[Check]:
    """Platform completeness and which adapters will run."""
    try:
        check_platforms(settings)
        check_judge(settings)
    except ConfigError as exc:
        return [
            Check(
                "settings",
                "FAIL",
                str(exc),
                "set the missing value in .env, or unset the partial platform (see .env.example)",
            )
        ]
    platforms = [
        name
        for name, on in (("discord", settings.discord_enabled), ("slack", settings.slack_enabled))
        if on
    ]
    if not platforms:
        return [
            Check(
                "settings",
                "warn",
                "no DISCORD_TOKEN or SLACK_BOT_TOKEN: `quizbot` will start the console",
                "set DISCORD_TOKEN and/or SLACK_BOT_TOKEN to connect a platform (README: Deploy)",
            )
        ]
    mode = ""
    if settings.slack_oauth:
        mode = " (Slack over HTTP, distributed with OAuth)"
    elif settings.slack_enabled:
        mode = " (Slack over Socket Mode)" if settings.slack_socket_mode else " (Slack over HTTP)"
    return [Check("settings", "ok", f"platforms: {', '.join(platforms)}{mode}")]


async def check_postgres(settings: Settings, url: PostgresUrl) -> Check:
    """The PostgreSQL server answers and its schema version is the code's (or behind it, and
    migrated at start when ``QUIZBOT_MIGRATE_ON_START``)."""
    from storage.postgres.migrations import latest_version
    from storage.postgres.pool import schema_version  # asyncpg: only with PostgreSQL

    try:
        version = await schema_version(url)
    except StoreError as exc:
        return Check(
            "database",
            "FAIL",
            str(exc),
            "check the server is up and QUIZBOT_DATABASE's host, port, user, password and "
            "database name",
        )
    latest = latest_version()
    if version > latest:
        return Check(
            "database",
            "FAIL",
            f"{url}: schema version {version} is newer than this Quizbot ({latest})",
            "upgrade Quizbot (every replica) to the version that wrote it",
        )
    if version < latest and not settings.quizbot_migrate_on_start:
        return Check(
            "database",
            "FAIL",
            f"{url}: schema version {version}, this Quizbot needs {latest}",
            "run `quizbot db migrate` (QUIZBOT_MIGRATE_ON_START is false)",
        )
    note = "" if version == latest else f"; migrates to {latest} at next start"
    return Check("database", "ok", f"{url}: PostgreSQL, schema version {version}{note}")


def check_database(settings: Settings) -> Check:
    """The database and its folder are writable; the database opens, is a Quizbot database of
    a known schema, and passes integrity_check (an SQLite file; PostgreSQL:
    :func:`check_postgres`)."""
    path = settings.quizbot_database
    problem = unwritable(path)
    if problem:
        return Check(
            "database",
            "FAIL",
            problem,
            "give the user Quizbot runs as write access to the database, its -wal and -shm "
            "files and their folder (chown or chmod), or point QUIZBOT_DATABASE elsewhere",
        )
    if not path.exists():
        return Check("database", "warn", f"{path} does not exist yet; it is created at first start")
    try:
        with open_readonly(path, timeout=10) as conn:
            version = inspect_database(conn, path, integrity=True)
    except DatabaseProblem as exc:
        return Check(
            "database",
            "FAIL",
            str(exc),
            "point QUIZBOT_DATABASE at a Quizbot database, or restore a backup "
            "(quizbot db restore PATH)",
        )
    latest = latest_schema()
    note = "" if version == latest else f"; migrates to {latest} at next start"
    return Check("database", "ok", f"{path}: schema version {version}{note}, integrity ok")


def check_questions(settings: Settings) -> Check:
    """Every question pack (built-in and QUIZBOT_QUESTIONS_DIR) loads and validates."""
    try:
        bank = load_bank(settings.quizbot_questions_dir)
    except PackError as exc:
        return Check(
            "questions",
            "FAIL",
            str(exc),
            "fix the pack named above (quizbot questions validate DIR shows every error)",
        )
    return Check(
        "questions",
        "ok",
        f"{len(bank)} questions in {len(bank.categories)} categories",
    )


async def check_discord(settings: Settings, session: aiohttp.ClientSession) -> Check:
    """Discord accepts DISCORD_TOKEN (``GET /users/@me``)."""
    url = settings.discord_api_base_url.rstrip("/") + "/users/@me"
    headers = {"Authorization": f"Bot {settings.discord_token}"}
    try:
        async with session.get(url, headers=headers) as response:
            status = response.status
            body = await response.json(content_type=None) if status == 200 else {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return Check(
            "discord",
            "FAIL",
            f"cannot reach {settings.discord_api_base_url}: {type(exc).__name__} {exc}",
            "check the network and DISCORD_API_BASE_URL",
        )
    if status == 401:
        return Check(
            "discord",
            "FAIL",
            "Discord rejected DISCORD_TOKEN (401)",
            "reset the bot token in the Developer Portal (Bot → Reset Token) and set DISCORD_TOKEN",
        )
    if status != 200:
        return Check(
            "discord",
            "FAIL",
            f"Discord answered HTTP {status}",
            "retry later; see https://discordstatus.com",
        )
    name = body.get("username", "?") if isinstance(body, dict) else "?"
    return Check("discord", "ok", f"token accepted: bot user {name}")


async def check_discord_shards(settings: Settings, session: aiohttp.ClientSession) -> list[Check]:
    """The shard settings, beside the shard count Discord recommends (``GET /gateway/bot``).

    Not sharded, a line only when Discord recommends shards.
    """
    count, ids = settings.discord_shard_count, settings.discord_shard_ids
    url = settings.discord_api_base_url.rstrip("/") + "/gateway/bot"
    headers = {"Authorization": f"Bot {settings.discord_token}"}
    try:
        async with session.get(url, headers=headers) as response:
            body: Any = await response.json(content_type=None) if response.status == 200 else {}
        recommended = int(body["shards"])
        concurrency = int(body["session_start_limit"]["max_concurrency"])
    except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as exc:
        if count is None:
            return []
        return [
            Check(
                "shards",
                "warn",
                f"{_shard_settings(settings)}; cannot read Discord's recommended count "
                f"({type(exc).__name__})",
                "see the discord check above",
            )
        ]
    advice = f"Discord recommends {recommended}; identify concurrency {concurrency}"
    if count is None:
        if recommended <= 1:
            return []
        return [
            Check(
                "shards",
                "warn",
                f"not sharded; {advice}",
                f"set DISCORD_SHARD_COUNT={recommended} (or auto) and give each replica its "
                "DISCORD_SHARD_IDS (README: Shards); Discord refuses a bot in 2 500 guilds "
                "or more without shards",
            )
        ]
    total = recommended if count == "auto" else count
    if ids is not None:
        try:
            check_shard_ids(ids, total)
        except ValueError as exc:
            return [
                Check(
                    "shards",
                    "FAIL",
                    f"DISCORD_SHARD_IDS: {exc} (DISCORD_SHARD_COUNT=auto); {advice}",
                    "give this replica shards below the count, or set DISCORD_SHARD_COUNT",
                )
            ]
    detail = f"{_shard_settings(settings, total)}; {advice}"
    if total < recommended:
        return [
            Check(
                "shards",
                "warn",
                detail,
                f"raise DISCORD_SHARD_COUNT to {recommended} (or auto) and re-slice "
                "DISCORD_SHARD_IDS across the replicas",
            )
        ]
    return [Check("shards", "ok", detail)]


def _shard_settings(settings: Settings, total: int | None = None) -> str:
    """The shard settings in words: ``shards 0-1 of 4 on this replica`` (``of auto (4)``
    when ``total`` is the count ``auto`` read)."""
    count, ids = settings.discord_shard_count, settings.discord_shard_ids
    if count is None:
        return "not sharded"
    mine = describe_shards(ids) if ids is not None else "all"
    of = f"auto ({total})" if count == "auto" and total is not None else str(count)
    return f"shards {mine} of {of} on this replica"


async def check_slack(settings: Settings, session: aiohttp.ClientSession) -> list[Check]:
    """Slack accepts SLACK_BOT_TOKEN (``auth.test``); the mode's other secret looks right."""
    url = settings.slack_api_url.rstrip("/") + "/auth.test"
    headers = {"Authorization": f"Bearer {settings.slack_bot_token}"}
    try:
        async with session.post(url, headers=headers) as response:
            status = response.status
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return [_slack_unreachable(settings, exc)]
    if status != 200 or not isinstance(body, dict):
        return [Check("slack", "FAIL", f"Slack answered HTTP {status}", "retry later")]
    if not body.get("ok"):
        error = str(body.get("error", "unknown_error"))
        return [
            Check(
                "slack",
                "FAIL",
                f"Slack rejected SLACK_BOT_TOKEN ({error})",
                "reinstall the app to the workspace and copy the Bot User OAuth Token (xoxb-…) "
                "into SLACK_BOT_TOKEN",
            )
        ]
    checks = [
        Check("slack", "ok", f"token accepted: {body.get('user', '?')} in {body.get('team', '?')}")
    ]
    if settings.slack_app_token and not settings.slack_app_token.startswith("xapp-"):
        checks.append(
            Check(
                "slack",
                "FAIL",
                "SLACK_APP_TOKEN does not look like an app-level token (xapp-…)",
                "Basic Information → App-Level Tokens: create one with connections:write",
            )
        )
    return checks


def _slack_unreachable(settings: Settings, exc: Exception) -> Check:
    """The check's line when Slack's Web API cannot be reached."""
    return Check(
        "slack",
        "FAIL",
        f"cannot reach {settings.slack_api_url}: {type(exc).__name__} {exc}",
        "check the network and SLACK_API_URL",
    )


async def check_slack_oauth(settings: Settings, session: aiohttp.ClientSession) -> list[Check]:
    """Slack accepts SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; the redirect URL, the key of the
    tokens at rest, and the installed workspaces (from the database)."""
    url = settings.slack_api_url.rstrip("/") + "/oauth.v2.access"
    credentials = aiohttp.encode_basic_auth(
        settings.slack_client_id or "", settings.slack_client_secret or ""
    )
    try:
        async with session.post(
            url, data={"code": "quizbot-doctor"}, headers={"Authorization": credentials}
        ) as response:
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return [_slack_unreachable(settings, exc)]
    error = str(body.get("error", "")) if isinstance(body, dict) else "unreadable answer"
    if error != "invalid_code":  # the credentials were accepted; only the code was not
        return [
            Check(
                "slack",
                "FAIL",
                f"Slack rejected SLACK_CLIENT_ID / SLACK_CLIENT_SECRET ({error or 'no error'})",
                "copy both from Basic Information → App Credentials",
            )
        ]
    checks = [Check("slack", "ok", "OAuth client id and secret accepted")]
    if settings.slack_redirect_uri is None:
        checks.append(
            Check(
                "slack",
                "warn",
                "SLACK_REDIRECT_URI is not set: Slack sends installers to the app's only "
                "redirect URL",
                "set it to https://<your host>/slack/oauth_redirect if the app lists several",
            )
        )
    return checks + _installed_workspaces(settings)


def _installed_workspaces(settings: Settings) -> list[Check]:
    """One line per installed workspace; a warning while tokens are stored in clear."""
    path = settings.quizbot_database
    if not path.exists():
        return [Check("slack", "warn", "no workspace has installed Quizbot yet", _INSTALL)]
    try:
        with open_readonly(path, timeout=10) as conn:
            rows = conn.execute(
                "SELECT team_key, COALESCE(team_name, enterprise_name, ''), "
                "is_enterprise_install, installed_at, bot_token, bot_token_expires_at "
                "FROM slack_installations ORDER BY installed_at, team_key"
            ).fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        rows = []
    except DatabaseProblem as exc:
        return [Check("slack", "FAIL", str(exc), "see the database check")]
    if not rows:
        return [Check("slack", "warn", "no workspace has installed Quizbot yet", _INSTALL)]
    checks = [_workspace(row) for row in rows]
    cipher = TokenCipher(settings.quizbot_secret_key)
    clear = sum(not is_sealed(str(row[4])) for row in rows)
    try:
        for row in rows:
            cipher.open(str(row[4]))
    except TokenCipherError as exc:
        checks.append(
            Check(
                "slack", "FAIL", str(exc), "set the QUIZBOT_SECRET_KEY the tokens were saved with"
            )
        )
    if clear and not cipher.encrypting:
        checks.append(
            Check(
                "slack",
                "warn",
                f"{clear} workspace token(s) stored in clear in the database",
                "set QUIZBOT_SECRET_KEY (README: Connect Slack); tokens saved from then on "
                "are encrypted",
            )
        )
    elif clear:
        checks.append(
            Check(
                "slack",
                "warn",
                f"{clear} workspace token(s) saved before QUIZBOT_SECRET_KEY was set are in clear",
                "they are encrypted when refreshed, or reinstall Quizbot in those workspaces",
            )
        )
    return checks


_INSTALL = "open https://<your host>/slack/install and add Quizbot to a workspace"


def _workspace(row: tuple[Any, ...]) -> Check:
    key, name, org_wide, installed_at, _, expires_at = row
    since = time.strftime("%Y-%m-%d", time.gmtime(float(installed_at)))
    what = "organisation (org-wide)" if org_wide else "workspace"
    rotation = "; token rotates" if expires_at is not None else ""
    return Check(
        "slack", "ok", f"installed in {what} {name or '?'} ({key}) since {since}{rotation}"
    )


def _serves(model: str, served: list[str]) -> bool:
    """Whether ``model`` is in the endpoint's list (Ollama lists ``llama3.2`` as ``…:latest``)."""
    return model in served or f"{model}:latest" in served


async def check_llm(settings: Settings, session: aiohttp.ClientSession) -> Check:
    """The LLM endpoint answers ``GET {url}/models`` and lists the configured model."""
    url, model = settings.quizbot_llm_url, settings.quizbot_llm_model
    try:
        async with session.get(
            f"{url}/models", headers=auth_headers(settings.quizbot_llm_api_key)
        ) as response:
            status, raw = response.status, await response.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Check(
            "llm",
            "FAIL",
            f"cannot reach {url}: {type(exc).__name__} {exc}",
            "start the model server (e.g. `ollama serve`) or correct QUIZBOT_LLM_URL "
            "(the base URL ending in /v1); until then answers are graded offline",
        )
    if status in (401, 403):
        return Check(
            "llm",
            "FAIL",
            f"{url} refused QUIZBOT_LLM_API_KEY (HTTP {status}) {api_error(raw)}".rstrip(),
            "set QUIZBOT_LLM_API_KEY to a valid key for that endpoint",
        )
    try:
        listed = json.loads(raw)["data"] if status == 200 else None
        served = [str(item["id"]) for item in listed] if isinstance(listed, list) else None
    except (ValueError, KeyError, TypeError):
        served = None
    if served is None:
        return Check(
            "llm",
            "FAIL",
            f"{url}/models answered HTTP {status} {api_error(raw)}".rstrip(),
            "point QUIZBOT_LLM_URL at an OpenAI-compatible base URL (e.g. "
            "http://localhost:11434/v1 for Ollama, https://api.openai.com/v1)",
        )
    if model is None or not _serves(model, served):
        offered = ", ".join(served[:10]) or "none"
        return Check(
            "llm",
            "FAIL",
            f"model {model} is not served by {url} (it serves: {offered})",
            f"pull it (`ollama pull {model}`) or set QUIZBOT_LLM_MODEL to a served model",
        )
    return Check("llm", "ok", f"{url} serves model {model}")


async def run_checks(settings: Settings) -> list[Check]:
    """Every check, platform ones only where a token is set, the LLM one where configured."""
    checks = check_settings(settings)
    if settings.postgres_url is not None:
        checks.append(await check_postgres(settings, settings.postgres_url))
    else:
        checks.append(check_database(settings))
    checks.append(check_questions(settings))
    if settings.discord_enabled or settings.slack_enabled or settings.judge_enabled:
        timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            if settings.discord_enabled:
                checks.append(await check_discord(settings, session))
                checks.extend(await check_discord_shards(settings, session))
            if settings.slack_oauth:
                checks.extend(await check_slack_oauth(settings, session))
            elif settings.slack_enabled:
                checks.extend(await check_slack(settings, session))
            if settings.judge_enabled:
                checks.append(await check_llm(settings, session))
    return checks


def render(checks: list[Check], secrets: list[str]) -> str:
    """The report: one line per check, an indented fix under each problem."""
    lines = []
    for check in checks:
        lines.append(f"{check.status:<4} {check.name}: {check.detail}")
        if check.status != "ok" and check.fix:
            lines.append(f"     fix: {check.fix}")
    failed = sum(check.status == "FAIL" for check in checks)
    lines.append("all checks passed" if not failed else f"{failed} check(s) failed")
    return redact("\n".join(lines), secrets)


def _doctor(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(postgres=True)
    except ConfigError as exc:
        print(f"FAIL settings: {exc}\n     fix: correct it in .env or the environment")
        return 1
    checks = asyncio.run(run_checks(settings))
    print(render(checks, settings.secrets()))
    return 1 if any(check.status == "FAIL" for check in checks) else 0


def register(subparsers: Subparsers) -> None:
    """Add ``doctor``."""
    parser = subparsers.add_parser(
        "doctor",
        help="check settings, database, question packs, platform tokens and the LLM judge",
    )
    parser.set_defaults(func=_doctor)
