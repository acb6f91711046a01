"""The systemd unit gives the bot room for many connections (one descriptor each)."""

from __future__ import annotations

import configparser
from pathlib import Path

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "quizbot.service"


def test_the_unit_raises_the_descriptor_limit_above_systemds_default() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(UNIT, encoding="utf-8")
    assert int(unit["Service"]["LimitNOFILE"]) >= 65536
