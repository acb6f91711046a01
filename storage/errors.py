"""The storage layer's exceptions: every one derives from :class:`StoreError`.

``StoreError`` itself means the database cannot be opened or used (its message is one line
naming the path); its subclasses are refusals a constraint made, each caught by the engine and
turned into a :class:`~bot.engine.errors.QuizError` for the user.
"""

from __future__ import annotations

__all__ = [
    "DuplicateAnswerError",
    "DuplicateReportError",
    "InterviewRunningError",
    "OpenRoundExistsError",
    "RoundClosedInStoreError",
    "SeasonNameTakenError",
    "StoreError",
]


class StoreError(Exception):
    """The database cannot be opened or used; the message is one line naming the path.

    The root of every storage error: the refusals below derive from it."""


class DuplicateAnswerError(StoreError):
    """The player already answered this round (the UNIQUE constraint said so)."""


class RoundClosedInStoreError(StoreError):
    """The round was closed by the time the answer's transaction ran."""


class OpenRoundExistsError(StoreError):
    """The channel already has an open quiz round."""


class DuplicateReportError(StoreError):
    """The player already filed this kind of report on this round."""


class InterviewRunningError(StoreError):
    """The player already has a running interview."""


class SeasonNameTakenError(StoreError):
    """The team already has a season of that name."""
