"""Closing rounds when their time is up, for every adapter of the process."""

from __future__ import annotations

import asyncio
import logging

from bot.engine.engine import QuizEngine

__all__ = ["run_round_timer"]

log = logging.getLogger(__name__)


NOTICE_EVERY_S = 30.0
"""How often players are told of settled reports they have not heard of yet (e.g. settled
from the CLI, or a refused DM), and seasons due to end by themselves are ended."""


async def run_round_timer(engine: QuizEngine, *, max_sleep_s: float = 1.0) -> None:
    """Forever: close due rounds (their reveals are queued, and the publication worker poked),
    then sleep until the next deadline.

    Sleeps at most ``max_sleep_s`` so rounds opened meanwhile are seen promptly; every
    :data:`NOTICE_EVERY_S` it also tells players of their settled reports and ends the seasons
    ``QUIZBOT_SEASON`` says are over. Errors are logged and the loop goes on.
    """
    next_notices = engine.clock()
    while True:
        try:
            await engine.close_due_rounds()
            if engine.clock() >= next_notices:
                next_notices = engine.clock() + NOTICE_EVERY_S
                await engine.disputes.tell_pending()
                await engine.seasons.roll_over()
            deadline = await engine.next_deadline()
        except Exception:
            log.exception("round timer failed; retrying")
            deadline = None
        wait = max_sleep_s if deadline is None else deadline - engine.clock()
        await asyncio.sleep(min(max(wait, 0.05), max_sleep_s))
