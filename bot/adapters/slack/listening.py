"""How a Slack request is handled: the listener acknowledges it, then the work runs after.

The app runs with ``process_before_response=True``: bolt sends the acknowledgement (the HTTP
response, or the Socket Mode envelope) with what the listener passed to ``ack()`` as soon as
the listener returns. Each listener first runs its :data:`Check`, a pure and cheap look at the
request: a refusal it finds goes to Slack in the acknowledgement itself (a usage hint as the
ack's text, a modal's field errors as ``response_action="errors"``) and nothing else happens.
Otherwise it calls ``ack()``, hands the work (engine call, reply) to a task of its own
(:meth:`InFlight.start <bot.adapters.slack.in_flight.InFlight.start>`) and returns: ack, then
work, as bolt's examples do. (bolt's lazy listeners do the same, but copy each request for
their task, a deep copy that costs a few milliseconds of CPU before every acknowledgement.)
Refusals found later (:class:`QuizError`, usage errors) are shown to the user privately
through the :data:`Reply`; anything else only gets an apology.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.adapters.slack import blocks
from bot.adapters.slack.in_flight import InFlight, log_refused_in_ack, set_outcome
from bot.adapters.slack.parsing import UsageError
from bot.adapters.slack.payloads import PayloadError
from bot.adapters.slack.replies import Reply
from bot.engine.errors import QuizError

__all__ = [
    "SOMETHING_WRONG",
    "AckErrors",
    "AckText",
    "Body",
    "Check",
    "Handler",
    "Listener",
    "accept",
    "guarded",
    "on_request",
    "on_view",
]

log = logging.getLogger(__name__)

SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again."

Body = dict[str, Any]
OPENS_MODAL = re.compile(
    r"^(quiz:[0-9]{1,18}:open|dispute:[0-9]{1,18}|report:[0-9]{1,18}"
    r"|ivanswer:[0-9]{1,18}:[0-9]{1,3}f?)$"
)
"""Button values whose listener opens a modal: "Answer in my own words", dispute, report and
the interview's "Answer"."""
Listener = Callable[..., Awaitable[None]]


@dataclass(frozen=True, slots=True)
class AckText:
    """A refusal sent as the acknowledgement's text (a slash command's private answer)."""

    message: str

    async def send(self, ack: AsyncAck) -> None:
        """Acknowledge with the message (escaped: it may quote what the user typed)."""
        await ack(text=blocks.escape(self.message), blocks=blocks.notice_blocks(self.message))


@dataclass(frozen=True, slots=True)
class AckErrors:
    """A modal's field errors (block id -> message): the modal stays open and shows them."""

    errors: dict[str, str] = field(default_factory=dict)

    async def send(self, ack: AsyncAck) -> None:
        """Acknowledge with ``response_action="errors"``."""
        await ack(response_action="errors", errors=self.errors)


Refusal = AckText | AckErrors
Check = Callable[[Body], Refusal | None]
"""What the ack function looks at (pure, no I/O): a refusal to acknowledge with, or None."""
Handler = Callable[[Body, Reply], Awaitable[None]]
"""The work after the ack of a command or click; ``Reply`` answers the user privately."""


def accept(body: Body) -> None:
    """The :data:`Check` that refuses nothing."""
    return None


async def guarded(reply: Reply, work: Awaitable[None]) -> None:
    """Await ``work``; show a refusal, a usage hint or an apology to the user, privately."""
    try:
        await work
    except (QuizError, UsageError) as exc:
        set_outcome("refused")
        await _safe_reply(reply, exc.message)
    except PayloadError:
        set_outcome("ignored")
        log.warning("ignored a Slack payload with missing fields", exc_info=True)
    except Exception:
        set_outcome("error")
        log.exception("Slack listener failed")
        await _safe_reply(reply, SOMETHING_WRONG)


async def _safe_reply(reply: Reply, message: str) -> None:
    """Send a refusal; it may quote user input, so the ``text`` fallback (which Slack parses
    for mentions too) is escaped like the blocks."""
    try:
        await reply(blocks.escape(message), blocks.notice_blocks(message))
    except Exception:
        log.exception("could not send an ephemeral reply")


def _opens_modal(body: Body) -> bool:
    """Whether a click opens a modal: its views.open must come within 3 s of the click, so
    it waits for no turn."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    value = action.get("value") if isinstance(action, dict) else None
    return isinstance(value, str) and OPENS_MODAL.match(value) is not None


def on_request(
    in_flight: InFlight,
    handler: Handler,
    reply_of: Callable[[AsyncRespond], Reply],
    check: Check = accept,
) -> Listener:
    """A command or action listener: acknowledge (refusing what ``check`` refuses), then run
    ``handler`` after the ack, with refusals shown through ``reply_of(respond)``."""

    async def listener(
        ack: AsyncAck, body: Body, respond: AsyncRespond, context: dict[str, Any]
    ) -> None:
        refusal = check(body)
        if refusal is not None:
            await refusal.send(ack)
            log_refused_in_ack(body, context)
            return
        await ack()
        reply = reply_of(respond)

        async def work() -> None:
            await guarded(reply, handler(body, reply))

        in_flight.start(body, context, work, wait_turn=not _opens_modal(body))

    return listener


def on_view(
    in_flight: InFlight, work: Callable[[Body], Awaitable[None]], check: Check = accept
) -> Listener:
    """A view-submission (or event) listener: acknowledge (which closes the modal, or keeps it
    open with the errors ``check`` found), then ``work`` after the ack, which replies itself
    (through the response_url the modal kept, or else chat.postEphemeral)."""

    async def run(body: Body) -> None:
        try:
            await work(body)
        except PayloadError:
            set_outcome("ignored")
            log.warning("ignored a modal submission with missing fields", exc_info=True)

    async def listener(ack: AsyncAck, body: Body, context: dict[str, Any]) -> None:
        refusal = check(body)
        if refusal is not None:
            await refusal.send(ack)
            log_refused_in_ack(body, context)
            return
        await ack()
        in_flight.start(body, context, lambda: run(body))

    return listener
