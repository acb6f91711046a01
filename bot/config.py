"""Settings, read from the environment and a ``.env`` file and validated at start.

Every setting is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.heartbeat import heartbeat_path
from storage.postgres.url import PostgresUrl, is_postgres_url

__all__ = [
    "DEFAULT_DATABASE",
    "DEFAULT_POSTGRES_HEARTBEAT",
    "MAX_SHARDS",
    "POSTGRES_NOT_YET",
    "ConfigError",
    "Settings",
    "check_judge",
    "check_platforms",
    "check_shard_ids",
    "check_slack_oauth",
    "describe_shards",
    "load_settings",
    "parse_shard_count",
    "parse_shard_ids",
]

DEFAULT_DATABASE = Path("data/quizbot.db")
"""The SQLite file used when ``QUIZBOT_DATABASE`` is not set."""

POSTGRES_NOT_YET = (
    "QUIZBOT_DATABASE is a PostgreSQL URL: this command reads an SQLite file only; "
    "set QUIZBOT_DATABASE to a file path to run it on SQLite"
)
"""Why a command that reads an SQLite file only refuses a PostgreSQL ``QUIZBOT_DATABASE``
(every ``quizbot`` command today reads PostgreSQL too: ``db backup`` and ``db restore`` refuse
it with their own words, naming ``pg_dump`` and ``pg_restore``)."""

DEFAULT_POSTGRES_HEARTBEAT = Path("quizbot.heartbeat")
"""The heartbeat file of a bot on PostgreSQL when ``QUIZBOT_HEARTBEAT_FILE`` is not set (each
replica writes its own, in its working folder)."""


class ConfigError(Exception):
    """A setting with an invalid value; the message names the setting."""


class Settings(BaseSettings):
    """All of Quizbot's settings. Environment variable names are the upper-cased field names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    quizbot_database: Path = DEFAULT_DATABASE
    quizbot_database_pool_min: int = Field(default=1, ge=0, le=100)
    quizbot_database_pool_max: int = Field(default=10, ge=1, le=100)
    quizbot_migrate_on_start: bool = True
    quizbot_heartbeat_file: Path | None = None
    quizbot_questions_dir: Path | None = None
    quizbot_round_seconds: int = Field(default=60, ge=5, le=86_400)
    quizbot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    quizbot_log_format: Literal["text", "json"] = "text"
    quizbot_daily_grace_hours: float = Field(default=6.0, ge=0, le=168)
    quizbot_daily_count_seconds: float = Field(default=5.0, ge=1, le=300)
    quizbot_review_nudge: bool = False
    quizbot_season: Literal["monthly", "quarterly", "off"] = "off"
    quizbot_interview_question_seconds: int = Field(default=180, ge=30, le=3600)
    quizbot_event_loop: Literal["auto", "asyncio"] = "auto"

    discord_token: str | None = None
    discord_api_base_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    discord_dev_guild_id: int | None = None
    # None: one plain gateway connection; a number or "auto": sharded (see parse_shard_count)
    discord_shard_count: int | Literal["auto"] | None = None
    discord_shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None
    # requests a second this process sends on its own (daily posts, reveals, count edits):
    # Discord's global 50 is per bot token, so replicas that all publish split it
    discord_posts_per_second: float = Field(default=48.0, gt=0, le=50)

    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_admin_user_ids: str = ""
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None
    quizbot_secret_key: str | None = None
    quizbot_http_host: str = "0.0.0.0"
    quizbot_http_port: int = Field(default=3000, ge=1, le=65_535)

    quizbot_llm_url: str | None = None
    quizbot_llm_model: str | None = None
    quizbot_llm_api_key: str | None = None
    quizbot_llm_timeout_seconds: float = Field(default=5.0, gt=0, le=120)

    # QUIZBOT_DATABASE as a postgresql:// URL; ``quizbot_database`` then keeps its default.
    _postgres_url: PostgresUrl | None = PrivateAttr(default=None)

    @field_validator(
        "quizbot_llm_url",
        "quizbot_llm_model",
        "quizbot_llm_api_key",
        "quizbot_heartbeat_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``QUIZBOT_LLM_URL=`` (nothing after the ``=``) leaves the setting unset."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("quizbot_llm_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """An http(s) base URL, kept without its trailing slash."""
        if value is None:
            return None
        url = urlsplit(value)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError("must be an http:// or https:// URL, e.g. http://localhost:11434/v1")
        return value.rstrip("/")

    @field_validator("quizbot_log_level", "quizbot_log_format", "quizbot_event_loop", mode="before")
    @classmethod
    def _choice_in_any_case(cls, value: object, info: ValidationInfo) -> object:
        """``debug`` or ``Debug`` names the level ``DEBUG``: a choice is matched in any case."""
        if not isinstance(value, str) or info.field_name is None:
            return value
        allowed = get_args(cls.model_fields[info.field_name].annotation)
        folded = value.strip().casefold()
        return next((choice for choice in allowed if choice.casefold() == folded), value)

    @field_validator("discord_shard_count", mode="before")
    @classmethod
    def _shard_count(cls, value: object) -> object:
        """``DISCORD_SHARD_COUNT``: a positive whole number, or ``auto``; blank is unset."""
        return parse_shard_count(value)

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_ids(cls, value: object, info: ValidationInfo) -> object:
        """``DISCORD_SHARD_IDS``: this replica's shards (``0-3`` or ``0,1,2,3``), each below
        ``DISCORD_SHARD_COUNT``, which must be set; blank is unset (every shard)."""
        ids = parse_shard_ids(value)
        if ids is None:
            return None
        count = info.data.get("discord_shard_count")
        if count is None:
            raise ValueError(
                "needs DISCORD_SHARD_COUNT too (the number of shards of all replicas together)"
            )
        if isinstance(count, int):
            check_shard_ids(ids, count)
        return ids

    @model_validator(mode="wrap")
    @classmethod
    def _postgres_database(
        cls, data: object, handler: ModelWrapValidatorHandler[Settings]
    ) -> Settings:
        """Keep ``QUIZBOT_DATABASE=postgresql://…`` as :attr:`postgres_url` (validated by the
        field's validator first)."""
        settings = handler(data)
        raw = data.get("quizbot_database") if isinstance(data, dict) else None
        if isinstance(raw, str) and is_postgres_url(raw):
            settings._postgres_url = PostgresUrl.parse(raw)
        return settings

    @model_validator(mode="after")
    def _pool_bounds(self) -> Settings:
        """The pool's minimum is at most its maximum."""
        if self.quizbot_database_pool_min > self.quizbot_database_pool_max:
            raise ValueError(
                "QUIZBOT_DATABASE_POOL_MIN must not exceed QUIZBOT_DATABASE_POOL_MAX "
                f"({self.quizbot_database_pool_min} > {self.quizbot_database_pool_max})"
            )
        return self

    @field_validator("quizbot_database", mode="before")
    @classmethod
    def _database_file(cls, value: object) -> object:
        """A database path names a file: not empty, not ending in a separator. A
        ``postgresql://`` URL is validated here and kept aside (the path keeps its default)."""
        if isinstance(value, str) and is_postgres_url(value):
            PostgresUrl.parse(value)  # ValueError with a message that never shows the password
            return DEFAULT_DATABASE
        if isinstance(value, str | Path) and str(value).strip() in ("", ".", ".."):
            raise ValueError("must name the database file, e.g. data/quizbot.db")
        if isinstance(value, str) and value.endswith(("/", "\\")):
            raise ValueError(f"must name the database file, not a folder ({value})")
        return value

    @field_validator("quizbot_secret_key", mode="after")
    @classmethod
    def _fernet_key(cls, value: str | None) -> str | None:
        """``QUIZBOT_SECRET_KEY``: a Fernet key (32 url-safe base64-encoded bytes)."""
        if value:
            try:
                Fernet(value.encode())
            except (ValueError, TypeError):
                raise ValueError(
                    "not a Fernet key (32 url-safe base64-encoded bytes); make one with "
                    "python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'"
                ) from None
        return value or None

    @property
    def postgres_url(self) -> PostgresUrl | None:
        """The PostgreSQL database when ``QUIZBOT_DATABASE`` is a ``postgresql://`` URL."""
        return self._postgres_url

    @property
    def heartbeat_file(self) -> Path:
        """Where the running bot writes its heartbeat: ``QUIZBOT_HEARTBEAT_FILE``, else
        ``<database>.heartbeat`` beside an SQLite file, or :data:`DEFAULT_POSTGRES_HEARTBEAT`
        with PostgreSQL (a local file of this replica)."""
        if self.quizbot_heartbeat_file is not None:
            return self.quizbot_heartbeat_file
        if self._postgres_url is not None:
            return DEFAULT_POSTGRES_HEARTBEAT
        return heartbeat_path(self.quizbot_database)

    @property
    def discord_enabled(self) -> bool:
        """True when a Discord token is set."""
        return bool(self.discord_token)

    @property
    def discord_sharded(self) -> bool:
        """True when ``DISCORD_SHARD_COUNT`` is set: the Discord client runs shards."""
        return self.discord_shard_count is not None

    @property
    def discord_holds_shard_zero(self) -> bool:
        """True when this replica runs shard 0 (or is not sharded): the one that syncs the
        slash commands."""
        return self.discord_shard_ids is None or 0 in self.discord_shard_ids

    @property
    def slack_enabled(self) -> bool:
        """True when a Slack bot token is set, or Slack's OAuth distribution is configured."""
        return bool(self.slack_bot_token) or self.slack_oauth

    @property
    def slack_oauth(self) -> bool:
        """True when Slack is distributed with OAuth ("Add to Slack"): one token per
        installed workspace instead of ``SLACK_BOT_TOKEN``."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def judge_enabled(self) -> bool:
        """True when the LLM judge is configured (its URL and model are set)."""
        return bool(self.quizbot_llm_url and self.quizbot_llm_model)

    @property
    def slack_socket_mode(self) -> bool:
        """True when Slack runs over Socket Mode (an app-level token is set)."""
        return bool(self.slack_app_token)

    def secrets(self) -> list[str]:
        """The values of every secret setting that is set (for redaction)."""
        values = (
            self.discord_token,
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.slack_client_secret,
            self.quizbot_secret_key,
            self.quizbot_llm_api_key,
        )
        found = [value for value in values if value]
        return found + (self._postgres_url.secrets() if self._postgres_url else [])


def check_platforms(settings: Settings) -> None:
    """Refuse a half-configured platform, naming what is missing (:class:`ConfigError`).

    Slack needs ``SLACK_BOT_TOKEN`` plus either ``SLACK_APP_TOKEN`` (Socket Mode) or
    ``SLACK_SIGNING_SECRET`` (HTTP mode); either of those without the bot token is an error too.
    Distributed with OAuth, it needs ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET`` and
    ``SLACK_SIGNING_SECRET``, and neither ``SLACK_BOT_TOKEN`` nor ``SLACK_APP_TOKEN``.
    """
    check_slack_oauth(settings)
    if settings.slack_oauth:
        return
    if settings.slack_bot_token:
        if not (settings.slack_app_token or settings.slack_signing_secret):
            raise ConfigError(
                "SLACK_BOT_TOKEN is set but SLACK_APP_TOKEN (Socket Mode) or "
                "SLACK_SIGNING_SECRET (HTTP mode) is missing"
            )
        return
    given = [
        name
        for name, value in (
            ("SLACK_APP_TOKEN", settings.slack_app_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        )
        if value
    ]
    if given:
        raise ConfigError(f"{' and '.join(given)} set but SLACK_BOT_TOKEN is missing")


def check_slack_oauth(settings: Settings) -> None:
    """Refuse a half-configured OAuth distribution of Slack (:class:`ConfigError`)."""
    oauth = {
        "SLACK_CLIENT_ID": settings.slack_client_id,
        "SLACK_CLIENT_SECRET": settings.slack_client_secret,
    }
    named = [name for name, value in oauth.items() if value]
    if not named:
        if settings.slack_redirect_uri:
            raise ConfigError(
                "SLACK_REDIRECT_URI set but SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are "
                "missing: the redirect URL belongs to the OAuth install flow"
            )
        return
    missing = [name for name, value in oauth.items() if not value]
    if not settings.slack_signing_secret:
        missing.append("SLACK_SIGNING_SECRET")
    if missing:
        raise ConfigError(
            f"{' and '.join(named)} set but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing: distributing Slack with OAuth "
            "needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET"
        )
    if settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: choose one workspace (keep "
            "SLACK_BOT_TOKEN) or distribution with OAuth (remove SLACK_BOT_TOKEN; each "
            "workspace's token comes from its installation)"
        )
    if settings.slack_app_token:
        raise ConfigError(
            "SLACK_APP_TOKEN set with SLACK_CLIENT_ID: distribution with OAuth runs in HTTP "
            "mode (remove SLACK_APP_TOKEN)"
        )
    uri = settings.slack_redirect_uri
    if uri and not uri.startswith(("https://", "http://")):
        raise ConfigError(f"SLACK_REDIRECT_URI must be an http(s) URL, not {uri!r}")


def check_judge(settings: Settings) -> None:
    """Refuse a half-configured LLM judge (:class:`ConfigError` naming what is missing).

    The judge needs both ``QUIZBOT_LLM_URL`` and ``QUIZBOT_LLM_MODEL``; an API key alone is an
    error too.
    """
    given = {
        "QUIZBOT_LLM_URL": settings.quizbot_llm_url,
        "QUIZBOT_LLM_MODEL": settings.quizbot_llm_model,
        "QUIZBOT_LLM_API_KEY": settings.quizbot_llm_api_key,
    }
    if settings.judge_enabled or not any(given.values()):
        return
    named = [name for name, value in given.items() if value]
    missing = [name for name in ("QUIZBOT_LLM_URL", "QUIZBOT_LLM_MODEL") if not given[name]]
    raise ConfigError(
        f"{' and '.join(named)} set but {' and '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing: "
        "the LLM judge needs both (or neither, to grade offline)"
    )


def load_settings(*, postgres: bool = False, **overrides: object) -> Settings:
    """Read the settings; an invalid value raises :class:`ConfigError` naming the setting.

    A PostgreSQL ``QUIZBOT_DATABASE`` is refused (:data:`POSTGRES_NOT_YET`) unless the caller
    can use one (``postgres=True``: every command today, ``db backup`` and ``db restore``
    refusing it with their own words).
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")  # pydantic's prefix for validators
        if not first["loc"]:  # a rule across settings: its message names them
            raise ConfigError(f"invalid settings: {message}") from None
        raise ConfigError(f"invalid setting {str(first['loc'][0]).upper()}: {message}") from None
    if settings.postgres_url is not None and not postgres:
        raise ConfigError(POSTGRES_NOT_YET)
    return settings


# -- Discord shards ------------------------------------------------------------------------

MAX_SHARDS = 100_000
"""The most shards ``DISCORD_SHARD_COUNT`` may name: a shard serves up to 2 500 guilds, so this
is far beyond any bot."""


def parse_shard_count(value: object) -> int | Literal["auto"] | None:
    """``DISCORD_SHARD_COUNT``'s value: a whole number from 1 to :data:`MAX_SHARDS`, ``auto``
    (any case; the count Discord recommends), or None when blank. ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().casefold() == "auto":
        return "auto"
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, int) and not isinstance(text, bool):
        count = text
    elif isinstance(text, str) and text.isascii() and text.isdigit():
        count = int(text)
    else:
        raise ValueError(
            f"must be a whole number of shards or auto (Discord's recommended count), not {value!r}"
        )
    if not 1 <= count <= MAX_SHARDS:
        raise ValueError(f"must be from 1 to {MAX_SHARDS} shards, or auto, not {count}")
    return count


def parse_shard_ids(value: object) -> tuple[int, ...] | None:
    """``DISCORD_SHARD_IDS``'s value as sorted shard ids: ranges and single ids separated by
    commas (``0-3``, ``0,1,2,3``, ``0-1,4``), or None when blank. ValueError naming the bad
    part for anything else (a negative id, a range running backwards, an id given twice)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, list | tuple) and all(isinstance(item, int) for item in value):
        parts = [str(item) for item in value]
    elif isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
    else:
        raise ValueError(f"must list shard ids like 0-3 or 0,1,2,3, not {value!r}")
    ids: list[int] = []
    for part in parts:
        first, dash, last = part.partition("-")
        bounds = [first.strip(), last.strip()] if dash else [first.strip()]
        if not all(bound.isascii() and bound.isdigit() for bound in bounds):
            raise ValueError(f"must list shard ids like 0-3 or 0,1,2,3; {part!r} is not one")
        low, high = int(bounds[0]), int(bounds[-1])
        if low > high:
            raise ValueError(f"the range {part!r} runs backwards; write it {high}-{low}")
        if high >= MAX_SHARDS:
            raise ValueError(f"shard {high} is beyond the most shards there can be ({MAX_SHARDS})")
        ids.extend(range(low, high + 1))
    unique = sorted(set(ids))
    if len(unique) < len(ids):
        twice = next(shard for shard, after in itertools.pairwise(sorted(ids)) if shard == after)
        raise ValueError(f"names shard {twice} twice")
    return tuple(unique)


def check_shard_ids(ids: tuple[int, ...], count: int) -> None:
    """ValueError unless every id in ``ids`` is below ``count`` (shards run from 0)."""
    beyond = [shard for shard in ids if shard >= count]
    if beyond:
        raise ValueError(
            f"shard {beyond[0]} is not below DISCORD_SHARD_COUNT ({count}): "
            f"the shards are {describe_shards(tuple(range(count)))}"
        )


def describe_shards(ids: tuple[int, ...]) -> str:
    """Shard ids in the setting's short form: ``0-3``, ``0-1,4``."""
    runs: list[str] = []
    start = previous = None
    for shard in (*ids, None):
        if shard is not None and previous is not None and shard == previous + 1:
            previous = shard
            continue
        if start is not None and previous is not None:
            runs.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = shard
    return ",".join(runs)
