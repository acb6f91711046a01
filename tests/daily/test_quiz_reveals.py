"""A quiz round's timer reveal is queued by the close and published by the worker; one the
platform refused is retried with backoff, bounded."""

from __future__ import annotations

import logging

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, QuestionCard, Reveal, Team
from bot.engine.publishing import RETRY_DELAYS_S
from tests.conftest import FakeClock

GENERAL = Channel(Team("console", "acme"), "general", "general")


class ServerError(Exception):
    """Stands in for a 5xx / 429 / network error of a platform."""


class MessageGone(Exception):
    """Stands in for "Unknown Message" / "message_not_found"."""


class FlakyOutbox:
    """Refuses the first ``failures`` calls; records the rest."""

    def __init__(self, failures: int = 0, edit_error: Exception | None = None) -> None:
        self.failures = failures
        self.edit_error = edit_error
        self.calls: list[str] = []
        self.posts: list[QuestionCard | Reveal] = []
        self.edits: list[QuestionCard | Reveal] = []

    def _maybe_fail(self, what: str) -> None:
        self.calls.append(what)
        if self.failures:
            self.failures -= 1
            raise ServerError("503 Service Unavailable")

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        self._maybe_fail("post")
        self.posts.append(view)
        return MessageRef(channel.channel_id, f"m{len(self.posts)}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        self._maybe_fail("edit")
        if self.edit_error is not None:
            raise self.edit_error
        self.edits.append(view)

    @staticmethod
    def message_gone(exc: BaseException) -> bool:
        return isinstance(exc, MessageGone)


async def _round_past_its_time(engine: QuizEngine, clock: FakeClock, outbox: FlakyOutbox) -> int:
    engine.register_outbox("console", outbox)
    card = await engine.start_round(GENERAL, None)
    clock.advance(engine.round_seconds + 1)
    return card.round_id


async def test_closing_queues_the_reveal_and_the_worker_publishes_it(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = FlakyOutbox()
    round_id = await _round_past_its_time(engine, clock, outbox)
    [reveal] = await engine.close_due_rounds()
    assert reveal.round_id == round_id and outbox.calls == []  # closing publishes nothing
    assert await engine.publications.drain() == 1
    assert [view.round_id for view in outbox.posts] == [round_id]
    assert await engine.close_due_rounds() == [] and await engine.publications.drain() == 0


async def test_a_reveal_refused_once_is_published_on_a_later_pass(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = FlakyOutbox(failures=1)
    round_id = await _round_past_its_time(engine, clock, outbox)
    [reveal] = await engine.close_due_rounds()
    await engine.publications.drain()  # refused by the platform
    assert reveal.round_id == round_id and outbox.posts == []
    await engine.publications.drain()  # not yet: the retry waits a little
    assert outbox.calls == ["post"]
    clock.advance(RETRY_DELAYS_S[0])
    await engine.publications.drain()
    assert [view.round_id for view in outbox.posts] == [round_id]
    clock.advance(3600)
    await engine.close_due_rounds()
    await engine.publications.drain()
    assert outbox.calls == ["post", "post"]  # published once, never again


async def test_a_reveal_that_never_succeeds_is_given_up(
    engine: QuizEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = FlakyOutbox(failures=1_000)
    await _round_past_its_time(engine, clock, outbox)
    await engine.close_due_rounds()
    with caplog.at_level(logging.ERROR, logger="bot.engine.publishing"):
        for _ in range(20):
            await engine.publications.drain()
            clock.advance(max(RETRY_DELAYS_S))
    assert len(outbox.calls) == 1 + len(RETRY_DELAYS_S)
    assert any("gave up the reveal of round" in r.message for r in caplog.records)


async def test_a_deleted_question_gets_its_timer_reveal_as_a_new_message(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = FlakyOutbox(edit_error=MessageGone("10008 Unknown Message"))
    round_id = await _round_past_its_time(engine, clock, outbox)
    await engine.attach_message(GENERAL.team, round_id, MessageRef("general", "m0"))
    await engine.close_due_rounds()
    await engine.publications.drain()
    assert outbox.calls == ["edit", "post"]
    assert [view.round_id for view in outbox.posts] == [round_id]
