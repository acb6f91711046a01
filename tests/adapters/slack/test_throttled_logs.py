"""ThrottledLogger: one line per message template per interval, the held-back ones counted."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.slack.logs import ThrottledLogger
from tests.conftest import FakeClock


def test_one_line_per_template_per_interval_then_a_count(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.INFO)
    log = ThrottledLogger(logging.getLogger("tests.throttled"), interval_s=10, clock=clock)
    for peer in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        log.warning("refused a request: 401 bad signature (from %s)", peer)
    log.warning("refused a request: 413 body too large (from %s)", "10.0.0.4")
    clock.advance(9.9)
    log.warning("refused a request: 401 bad signature (from %s)", "10.0.0.5")
    clock.advance(0.1)
    log.warning("refused a request: 401 bad signature (from %s)", "10.0.0.6")
    assert [r.getMessage() for r in caplog.records] == [
        "refused a request: 401 bad signature (from 10.0.0.1)",
        "refused a request: 413 body too large (from 10.0.0.4)",
        "refused a request: 401 bad signature (from 10.0.0.6) (3 more like it in the last 10 s)",
    ]


def test_a_traceback_becomes_the_end_of_the_line(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    log = ThrottledLogger(logging.getLogger("tests.throttled"), clock=clock)
    try:
        raise ValueError("bad 100% " + "x" * 500)
    except ValueError:
        log.exception("Error handling request from %s", "10.0.0.1")
    [record] = caplog.records
    assert record.exc_info is None and record.levelno == logging.ERROR
    message = record.getMessage()
    assert message.startswith("Error handling request from 10.0.0.1: ValueError: bad 100% xxx")
    assert len(message) < 300
    assert "Traceback" not in caplog.text


def test_nothing_below_the_loggers_level_is_counted(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.INFO)
    log = ThrottledLogger(logging.getLogger("tests.throttled"), clock=clock)
    log.debug("Ignored premature client disconnection")
    log.info("Ignored premature client disconnection")
    assert [r.getMessage() for r in caplog.records] == ["Ignored premature client disconnection"]
