"""What the Slack adapter logs about requests: bounded lines, never a request body.

bolt gives each of its loggers the level of the app's logger when it creates them (or the root
logger's, when the app has none), so quieting ``slack_bolt`` after the fact does nothing; its
request verification logs a refused request's whole body at INFO. :func:`bolt_logger` is the
app's logger: WARNING and above, so bolt's loggers copy that level.

The HTTP endpoint refuses requests in one line each, and :class:`ThrottledLogger` keeps those
lines (and aiohttp's own lines about broken requests) to one per kind every ``interval_s``
seconds, the next one saying how many were held back, and without tracebacks.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from bot.safe_text import shorten

__all__ = ["BOLT_LOGGER", "ThrottledLogger", "bolt_logger"]

BOLT_LOGGER = "bot.adapters.slack.bolt"
THROTTLE_INTERVAL_S = 10.0
"""At most one line per kind of refusal (or of aiohttp error) in this many seconds."""
_MAX_ERROR_CHARS = 200


def bolt_logger() -> logging.Logger:
    """The logger for bolt's ``AsyncApp``: nothing below WARNING (bolt logs bodies below it)."""
    logger = logging.getLogger(BOLT_LOGGER)
    logger.setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
    return logger


class ThrottledLogger(logging.LoggerAdapter[logging.Logger]):
    """Writes one line per message template every ``interval_s`` seconds and holds back the
    rest, counting them into the next line; a traceback becomes a short ``Type: message`` at
    the end of the line. The count is kept per instance (per endpoint or server)."""

    def __init__(
        self,
        logger: logging.Logger,
        interval_s: float = THROTTLE_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(logger)
        self.interval_s = interval_s
        self.clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """Log one line for ``msg`` unless one with the same template was written less than
        :attr:`interval_s` ago."""
        if not self.isEnabledFor(level):
            return
        key, now = str(msg), self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._held[key] = self._held.get(key, 0) + 1
            return
        self._last[key] = now
        line = str(msg) % args if args else str(msg)
        error = _error_of(kwargs.get("exc_info"))
        if error is not None:
            line += f": {type(error).__name__}: {shorten(str(error), _MAX_ERROR_CHARS)}"
        held = self._held.pop(key, 0)
        if held:
            line += f" ({held} more like it in the last {self.interval_s:g} s)"
        self.logger.log(level, "%s", line)


def _error_of(exc_info: object) -> BaseException | None:
    """The exception an ``exc_info`` argument names (True: the one being handled)."""
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        error = exc_info[1]
        return error if isinstance(error, BaseException) else None
    return sys.exc_info()[1] if exc_info is True else None
