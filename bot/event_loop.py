"""The event loop the bot runs on: uvloop where it is installed (Linux, macOS), else asyncio's.

uvloop runs the same asyncio code with a faster loop and faster sockets. Every interaction
costs the bot some event-loop work before it is acknowledged (parse, dispatch, one HTTP round
trip on Discord), so under a burst of clicks the loop's own speed sets how soon the last one is
acknowledged (see docs/performance.md). ``QUIZBOT_EVENT_LOOP=asyncio`` keeps the standard loop.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

__all__ = ["LoopChoice", "loop_factory", "loop_name", "run"]

T = TypeVar("T")
LoopChoice = Literal["auto", "asyncio"]
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loop_factory(choice: LoopChoice = "auto") -> LoopFactory | None:
    """uvloop's loop factory for ``auto`` when uvloop is installed; None (asyncio's) else."""
    if choice == "asyncio" or importlib.util.find_spec("uvloop") is None:
        return None
    import uvloop

    factory: LoopFactory = uvloop.new_event_loop
    return factory


def loop_name(choice: LoopChoice = "auto") -> str:
    """ "uvloop" or "asyncio": the loop :func:`run` would use."""
    return "asyncio" if loop_factory(choice) is None else "uvloop"


def run(main: Coroutine[Any, Any, T], choice: LoopChoice = "auto") -> T:
    """Run ``main`` to completion on a new loop of the chosen kind, like :func:`asyncio.run`."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)
