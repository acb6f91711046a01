"""The work Slack requests started after their acknowledgement, and its one log line each.

bolt runs a listener's lazy functions (the work after its ``ack()``) in tasks it does not keep.
Each lazy function of the Slack adapter runs inside :func:`work_logged`: the task counts as
work in flight (:class:`InFlight`, so a shutdown lets it finish) and logs one event line when
it ends, with the team, the command, action or view, the duration and the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from bot.adapters.slack.payloads import event_name, event_team
from bot.logging_setup import log_event

__all__ = ["ARRIVED", "InFlight", "arrival_context", "set_outcome", "work_logged"]

ADAPTER = "slack"
ARRIVED = "quizbot_arrived"
"""The bolt context key holding the request's arrival (``time.monotonic()``)."""

_outcome: contextvars.ContextVar[str] = contextvars.ContextVar("slack_outcome", default="ok")


def arrival_context() -> dict[str, Any]:
    """The bolt request context that stamps a request's arrival, for its event line."""
    return {ARRIVED: time.monotonic()}


def set_outcome(outcome: str) -> None:
    """Record how the current work ended ("refused", "ignored", "error"); its event line
    says so."""
    _outcome.set(outcome)


class InFlight:
    """The tasks doing work after an acknowledgement right now; :meth:`drain` waits for them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def add_current(self) -> None:
        """Count the running task as work in flight until it is done."""
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until the work in flight has finished. The loop first runs a few times, so
        that work bolt started just before reaches the point where it registers."""
        for _ in range(3):
            await asyncio.sleep(0)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@contextlib.asynccontextmanager
async def work_logged(
    in_flight: InFlight, body: dict[str, Any], context: Mapping[str, Any]
) -> AsyncIterator[None]:
    """Run the block as work in flight and log its event line when it ends.

    The duration runs from the request's arrival (stamped into bolt's context by the HTTP
    endpoint, see :func:`arrival_context`; in Socket Mode from the start of the work) to the
    end of the block.
    """
    in_flight.add_current()
    arrived = context.get(ARRIVED)
    started = arrived if isinstance(arrived, float) else time.monotonic()
    _outcome.set("ok")
    try:
        yield
    except asyncio.CancelledError:  # a shutdown cut the work short
        _outcome.set("cancelled")
        raise
    except BaseException:
        _outcome.set("error")
        raise
    finally:
        outcome = _outcome.get()
        log_event(
            ADAPTER,
            event_team(body) or None,
            event_name(body),
            (time.monotonic() - started) * 1000,
            level=logging.WARNING if outcome == "error" else logging.INFO,
            outcome=outcome,
        )
