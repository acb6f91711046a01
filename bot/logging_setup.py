"""Logging: one line per event, as text or JSON, with secrets redacted.

Call :func:`configure_logging` once at start. Adapters report handled interactions with
:func:`log_event`, which adds the adapter, team, command and duration to the line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import Settings

__all__ = [
    "EVENT_LOGGER",
    "JsonFormatter",
    "RedactingFilter",
    "TextFormatter",
    "configure_from_settings",
    "configure_logging",
    "log_event",
    "redact",
]

EVENT_LOGGER = "bot.events"
REDACTED = "[redacted]"

# Slack tokens (bot, user, app-level, config), and Discord bot tokens (id.timestamp.hmac).
_TOKEN_PATTERNS = re.compile(
    r"xox[abposre]-[A-Za-z0-9-]+"
    r"|xapp-[A-Za-z0-9-]+"
    r"|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"
)
# Fields a log line may carry besides its message, in display order.
_EVENT_FIELDS = ("adapter", "team", "command", "duration_ms")
# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}

_secrets: list[str] = []


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every known secret value and token-shaped string replaced."""
    for secret in sorted(_secrets if secrets is None else secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return _TOKEN_PATTERNS.sub(REDACTED, text)


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra`` fields of a record, event fields first."""
    found = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
    ordered = {k: found.pop(k) for k in _EVENT_FIELDS if k in found}
    ordered.update(found)
    return {k: v for k, v in ordered.items() if v is not None}


class RedactingFilter(logging.Filter):
    """Replaces secrets in a record's message, traceback and extra fields before output."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key, value in _extras(record).items():
            if isinstance(value, str):
                setattr(record, key, redact(value))
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """``TIME LEVEL logger key=value … message`` on one line (tracebacks follow, indented)."""

    def format(self, record: logging.LogRecord) -> str:
        """One line; multi-line messages are joined with `` | ``."""
        fields = " ".join(f"{k}={_text_value(v)}" for k, v in _extras(record).items())
        message = record.getMessage().replace("\n", " | ")
        parts = [_timestamp(record), record.levelname, record.name]
        if fields:
            parts.append(fields)
        line = redact(" ".join([*parts, message]))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + redact(record.exc_text)
        return line


def _text_value(value: object) -> str:
    text = str(value)
    return json.dumps(text) if (not text or any(c.isspace() or c in '"=' for c in text)) else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the extra fields, and exc."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single-line JSON object."""
        data: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extras(record).items():
            data[key] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        return redact(json.dumps(data, ensure_ascii=False))


def configure_logging(
    *,
    level: str = "INFO",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    warnings_only: bool = False,
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as text or JSON, redacting ``secrets``.

    ``warnings_only`` (the console, whose chat shares the terminal) shows warnings and errors
    only. Replaces the root logger's handlers, so calling it twice is harmless. Returns the
    handler.
    """
    _secrets[:] = [s for s in secrets if s]
    handler = logging.StreamHandler(stream or sys.stderr)
    if warnings_only:
        handler.setLevel(logging.WARNING)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Platform libraries are chatty at INFO; keep their warnings.
    for noisy in ("discord", "slack_bolt", "slack_sdk", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler


def log_event(
    adapter: str,
    team: str | None,
    command: str,
    duration_ms: float | None = None,
    *,
    level: int = logging.INFO,
    message: str = "",
    **fields: object,
) -> None:
    """Log one handled interaction: adapter, team, command, duration and any other fields."""
    extra: dict[str, object] = {
        "adapter": adapter,
        "team": team,
        "command": command,
        "duration_ms": None if duration_ms is None else round(duration_ms, 1),
    }
    extra.update({k: v for k, v in fields.items() if k not in _STANDARD_ATTRS})
    logging.getLogger(EVENT_LOGGER).log(level, message or command, extra=extra)


def configure_from_settings(
    settings: Settings, *, stream: TextIO | None = None, console: bool = False
) -> None:
    """:func:`configure_logging` with the level, format and secrets of ``settings``.

    ``console``: the terminal chat runs, so only warnings and errors are logged beside it.
    """
    configure_logging(
        level=settings.quizbot_log_level,
        fmt=settings.quizbot_log_format,
        secrets=settings.secrets(),
        stream=stream,
        warnings_only=console,
    )
