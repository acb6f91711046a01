"""Logs: one line per event, text or JSON, secrets never shown."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import configure_logging, log_event, redact

SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_text_lines_carry_adapter_team_command_duration(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(level="INFO", fmt="text", stream=out)
    log_event("slack", "T042", "quiz", 12.345, channel="C1")
    line = out.getvalue()
    assert line.count("\n") == 1
    assert "INFO bot.events adapter=slack team=T042 command=quiz duration_ms=12.3" in line
    assert "channel=C1" in line


def test_json_lines_parse_and_hold_the_fields(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(level="INFO", fmt="json", stream=out)
    log_event("discord", "123", "answer", 5, message="answered", round_id=7)
    logging.getLogger("bot.app").warning("multi\nline")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["adapter"] == "discord" and first["team"] == "123"
    assert first["command"] == "answer" and first["duration_ms"] == 5
    assert first["round_id"] == 7 and first["msg"] == "answered" and first["level"] == "INFO"
    assert second["msg"] == "multi\nline" and second["logger"] == "bot.app"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_redacted_everywhere(restore_root: None, fmt: str) -> None:
    out = io.StringIO()
    configure_logging(fmt=fmt, secrets=["signing-s3cret"], stream=out)
    log = logging.getLogger("bot.test")
    log.info("token %s and signing-s3cret", SECRET)
    log.info("slack xoxb-1111-2222-abcd and xapp-1-A0-99-ff", extra={"team": "xoxp-9-9"})
    try:
        raise RuntimeError(f"login failed with {SECRET}")
    except RuntimeError:
        log.exception("adapter failed")
    text = out.getvalue()
    for leaked in (SECRET, "signing-s3cret", "xoxb-1111", "xapp-1-A0", "xoxp-9"):
        assert leaked not in text
    assert text.count("[redacted]") >= 6


def test_redact_keeps_ordinary_text() -> None:
    assert redact("round 12 closed in #general", []) == "round 12 closed in #general"
