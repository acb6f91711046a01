"""The checks bolt's ack functions run on slash command text: a usage hint goes to Slack in
the acknowledgement itself (the parsers are pure and cheap)."""

from __future__ import annotations

from collections.abc import Callable

from bot.adapters.slack.listening import AckText, Body, Check
from bot.adapters.slack.parsing import UsageError
from bot.adapters.slack.payloads import text_field

__all__ = ["parsed_by", "parsed_in_channel_by"]


def parsed_by(parse: Callable[[str | None], object]) -> Check:
    """Refuse the command when ``parse`` refuses its text."""

    def check(body: Body) -> AckText | None:
        try:
            parse(body.get("text"))
        except UsageError as exc:
            return AckText(exc.message)
        return None

    return check


def parsed_in_channel_by(parse: Callable[[str | None, str], object]) -> Check:
    """Refuse the command when ``parse`` refuses its text (given the command's channel)."""

    def check(body: Body) -> AckText | None:
        try:
            parse(body.get("text"), text_field(body, "channel_id"))
        except UsageError as exc:
            return AckText(exc.message)
        return None

    return check
