"""``engine.post_round``: open, show through the adapter's ``send``, attach; a refused send
closes the round silently. Real SQLite file, fake clock."""

from __future__ import annotations

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.errors import InvalidOptionError, RoundAlreadyOpenError, RoundClosedError
from bot.engine.model import Channel, MessageRef, Player, QuestionCard, Reveal, Team
from tests.conftest import FakeClock

TEAM = Team("console", "team-a")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")


class Refused(Exception):
    """What a platform raises when it will not show a message."""


class RecordingOutbox:
    """An outbox that keeps what the engine published, to prove what it did not."""

    def __init__(self) -> None:
        self.posted: list[QuestionCard | Reveal] = []
        self.edited: list[tuple[MessageRef, QuestionCard | Reveal]] = []

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        self.posted.append(view)
        return MessageRef(channel.channel_id, f"m{len(self.posted)}")

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        self.edited.append((ref, view))


async def test_posted_round_is_shown_and_its_message_attached(
    engine: QuizEngine, clock: FakeClock
) -> None:
    shown: list[QuestionCard] = []

    async def send(card: QuestionCard) -> MessageRef:
        shown.append(card)
        return MessageRef("general", "msg-1")

    card = await engine.post_round(GENERAL, ALICE, send, category="alpha", difficulty="hard")

    assert shown == [card]
    assert card.question_id == "alpha-hard"
    record = await engine.store.get_round(card.round_id)
    assert record is not None
    assert (record.message_channel, record.message_id) == ("general", "msg-1")
    # the reveal edits that very message
    outbox = RecordingOutbox()
    engine.register_outbox("console", outbox)
    clock.advance(61)
    await engine.close_due_rounds()
    await engine.publications.drain()
    assert [(ref, view.round_id) for ref, view in outbox.edited] == [
        (MessageRef("general", "msg-1"), card.round_id)
    ]
    assert outbox.posted == []


async def test_send_without_a_ref_leaves_the_round_open_and_unattached(
    engine: QuizEngine,
) -> None:
    async def send(card: QuestionCard) -> None:
        return None

    card = await engine.post_round(GENERAL, ALICE, send)

    record = await engine.store.get_round(card.round_id)
    assert record is not None
    assert record.closed_at is None and record.message_id is None
    current = await engine.current_round(GENERAL)
    assert current is not None and current.round_id == card.round_id


async def test_refused_send_closes_the_round_silently_and_propagates(
    engine: QuizEngine, clock: FakeClock
) -> None:
    outbox = RecordingOutbox()
    engine.register_outbox("console", outbox)
    sent: list[int] = []

    async def send(card: QuestionCard) -> MessageRef:
        sent.append(card.round_id)
        raise Refused("missing access")

    with pytest.raises(Refused):
        await engine.post_round(GENERAL, ALICE, send)

    (round_id,) = sent
    record = await engine.store.get_round(round_id)
    assert record is not None and record.closed_at is not None
    with pytest.raises(RoundClosedError):
        await engine.answer(ALICE, round_id, choice="A")
    # the channel is free again, and the timer has nothing to reveal
    assert await engine.current_round(GENERAL) is None
    clock.advance(61)
    assert await engine.close_due_rounds() == []
    assert outbox.posted == [] and outbox.edited == []
    board = await engine.leaderboard(TEAM, period="all")
    assert board.rows == ()


async def test_channel_accepts_a_new_round_after_a_refused_send(engine: QuizEngine) -> None:
    async def refuse(card: QuestionCard) -> MessageRef:
        raise Refused("missing access")

    async def accept(card: QuestionCard) -> MessageRef:
        return MessageRef("general", "msg-2")

    with pytest.raises(Refused):
        await engine.post_round(GENERAL, ALICE, refuse)
    card = await engine.post_round(GENERAL, ALICE, accept)
    current = await engine.current_round(GENERAL)
    assert current is not None and current.round_id == card.round_id


async def test_invalid_option_is_refused_before_anything_is_sent(engine: QuizEngine) -> None:
    sent: list[QuestionCard] = []

    async def send(card: QuestionCard) -> MessageRef:
        sent.append(card)
        return MessageRef("general", "msg-3")

    with pytest.raises(InvalidOptionError):
        await engine.post_round(GENERAL, ALICE, send, difficulty="impossible")
    assert sent == []
    assert await engine.current_round(GENERAL) is None


async def test_open_round_refuses_a_second_post_without_sending(engine: QuizEngine) -> None:
    sent: list[QuestionCard] = []

    async def send(card: QuestionCard) -> MessageRef:
        sent.append(card)
        return MessageRef("general", f"msg-{len(sent)}")

    first = await engine.post_round(GENERAL, ALICE, send)
    with pytest.raises(RoundAlreadyOpenError) as refused:
        await engine.post_round(GENERAL, ALICE, send)
    assert refused.value.round_id == first.round_id
    assert sent == [first]
    # the open round keeps its message
    record = await engine.store.get_round(first.round_id)
    assert record is not None and record.message_id == "msg-1" and record.closed_at is None
