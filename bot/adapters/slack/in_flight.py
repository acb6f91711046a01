"""The work Slack requests do after their acknowledgement, and its one log line each.

A listener acknowledges, then hands its work to :meth:`InFlight.start`: a task of its own,
counted as work in flight (so a shutdown lets it finish), that logs one event line when it
ends, with the team, the command, action or view, the duration and the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from bot.adapters.ack_first import AckFirst
from bot.adapters.slack.payloads import event_name, event_team
from bot.logging_setup import log_event

__all__ = ["ARRIVED", "InFlight", "arrival_context", "log_refused_in_ack", "set_outcome"]

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


def log_refused_in_ack(body: dict[str, Any], context: Mapping[str, Any]) -> None:
    """The event line of a request refused in its acknowledgement (no work follows)."""
    arrived = context.get(ARRIVED)
    duration = (time.monotonic() - arrived) * 1000 if isinstance(arrived, float) else None
    log_event(ADAPTER, event_team(body) or None, event_name(body), duration, outcome="refused")


class InFlight:
    """The tasks doing work after an acknowledgement right now; :meth:`drain` waits for them."""

    def __init__(self, post_ack: AckFirst) -> None:
        self.post_ack = post_ack
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def start(
        self,
        body: dict[str, Any],
        context: Mapping[str, Any],
        work: Callable[[], Awaitable[None]],
        *,
        wait_turn: bool = True,
    ) -> None:
        """Run ``work()`` in a task of its own, counted until it is done, that logs the
        request's event line when it ends (see :func:`_logged`). Unless ``wait_turn`` is
        false, the work first waits for its turn after the acknowledgements in progress
        (:class:`~bot.adapters.ack_first.AckFirst`)."""

        async def run() -> None:
            async with _logged(body, context):
                if not wait_turn:
                    await work()
                    return
                async with self.post_ack.turn():
                    await work()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)  # also when cancelled before it ran

    async def drain(self) -> None:
        """Wait until the work in flight has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@contextlib.asynccontextmanager
async def _logged(body: dict[str, Any], context: Mapping[str, Any]) -> AsyncIterator[None]:
    """Log the request's event line when the block ends.

    The duration runs from the request's arrival (stamped into bolt's context by the HTTP
    endpoint, see :func:`arrival_context`; in Socket Mode from the start of the work) to the
    end of the block.
    """
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
