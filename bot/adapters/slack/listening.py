"""How a Slack request is handled: bolt acknowledges it, then the work runs after the ack.

Every listener is registered the way bolt documents for apps that answer HTTP requests only
after their listener returns (``process_before_response=True``): an ``ack`` function that only
acknowledges, and a lazy function that does the work (engine call, reply) in a task of its own,
started by bolt once the ack function has returned; bolt then sends the acknowledgement (the
HTTP response, or the Socket Mode envelope). The ack function runs :data:`Check`, a pure and
cheap look at the request: a refusal it finds goes to Slack in the acknowledgement itself (a
usage hint as the ack's text, a modal's field errors as ``response_action="errors"``), and the
lazy function then does nothing. Refusals found later (:class:`QuizError`, usage errors) are
shown to the user privately through the :data:`Reply`; nothing else is shown but an apology.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.adapters.slack import blocks
from bot.adapters.slack.in_flight import InFlight, set_outcome, work_logged
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
    "accept",
    "guarded",
    "on_request",
    "on_view",
]

log = logging.getLogger(__name__)

SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again."

Body = dict[str, Any]
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


def _ack_function(check: Check) -> Listener:
    async def acknowledge(ack: AsyncAck, body: Body) -> None:
        refusal = check(body)
        await (ack() if refusal is None else refusal.send(ack))

    return acknowledge


def on_request(
    in_flight: InFlight,
    handler: Handler,
    reply_of: Callable[[AsyncRespond], Reply],
    check: Check = accept,
) -> dict[str, Any]:
    """The ``ack`` and ``lazy`` arguments of a command or action listener: acknowledge
    (refusing what ``check`` refuses), then run ``handler`` with refusals shown through
    ``reply_of(respond)``. Register with ``app.command(name)(**on_request(...))``."""

    async def work_after_ack(body: Body, respond: AsyncRespond, context: dict[str, Any]) -> None:
        async with work_logged(in_flight, body, context):
            if check(body) is not None:
                set_outcome("refused")  # the acknowledgement said why
                return
            reply = reply_of(respond)
            await guarded(reply, handler(body, reply))

    return {"ack": _ack_function(check), "lazy": [work_after_ack]}


def on_view(
    in_flight: InFlight, work: Callable[[Body], Awaitable[None]], check: Check = accept
) -> dict[str, Any]:
    """The ``ack`` and ``lazy`` arguments of a view-submission listener: acknowledge (which
    closes the modal, or keeps it open with the errors ``check`` found), then ``work``, which
    replies itself (through the response_url the modal kept, or else chat.postEphemeral)."""

    async def work_after_ack(body: Body, context: dict[str, Any]) -> None:
        async with work_logged(in_flight, body, context):
            if check(body) is not None:
                set_outcome("refused")  # the modal shows why
                return
            try:
                await work(body)
            except PayloadError:
                set_outcome("ignored")
                log.warning("ignored a modal submission with missing fields", exc_info=True)

    return {"ack": _ack_function(check), "lazy": [work_after_ack]}
