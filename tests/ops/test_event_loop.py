"""The bot's event loop: uvloop where installed, the standard loop on request."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot import event_loop
from bot.config import ConfigError, load_settings


async def _loop_module() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_auto_runs_on_uvloop() -> None:
    assert event_loop.loop_name("auto") == "uvloop"
    assert event_loop.run(_loop_module()).startswith("uvloop")


def test_asyncio_choice_keeps_the_standard_loop() -> None:
    assert event_loop.loop_factory("asyncio") is None
    assert event_loop.loop_name("asyncio") == "asyncio"
    assert event_loop.run(_loop_module(), "asyncio").startswith("asyncio")


def test_an_unknown_loop_is_a_setting_error() -> None:
    with pytest.raises(ConfigError, match="QUIZBOT_EVENT_LOOP"):
        load_settings(quizbot_event_loop="trio")
