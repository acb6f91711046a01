"""Errors the engine raises for bad input; each message is meant for the user as it is."""

from __future__ import annotations

__all__ = [
    "AlreadyAnsweredError",
    "AnswerRejectedError",
    "InvalidOptionError",
    "QuizError",
    "RoundAlreadyOpenError",
    "RoundClosedError",
    "RoundNotFoundError",
]


class QuizError(Exception):
    """A request the engine refused, with a message to show the user; nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidOptionError(QuizError):
    """An option value that is not allowed; the message lists the allowed values."""

    def __init__(self, option: str, value: str, allowed: tuple[str, ...]) -> None:
        shown = value if len(value) <= 40 else value[:40] + "…"
        choices = ", ".join(allowed)
        super().__init__(
            f"Unknown {option} {shown!r}. Allowed: {choices}."
            if value.strip()
            else f"Give a {option}: {choices}."
        )
        self.option = option
        self.allowed = allowed


class RoundNotFoundError(QuizError):
    """No such round in this team (unknown id, or a round of another team)."""

    def __init__(self) -> None:
        super().__init__("This question is unknown here.")


class RoundClosedError(QuizError):
    """The round has closed; answers are no longer taken."""

    def __init__(self) -> None:
        super().__init__("This question is closed; answers are no longer accepted.")


class AlreadyAnsweredError(QuizError):
    """The player answered this round already; the first answer stands."""

    def __init__(self) -> None:
        super().__init__("You already answered this question; your first answer stands.")


class RoundAlreadyOpenError(QuizError):
    """The channel already has an open quiz round."""

    def __init__(self, round_id: int) -> None:
        super().__init__(
            f"A question is already open in this channel (round #{round_id}); "
            "answer it or wait for it to close."
        )
        self.round_id = round_id


class AnswerRejectedError(QuizError):
    """An answer that cannot be graded: empty, too long, or the wrong kind for the round."""
