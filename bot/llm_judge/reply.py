"""Reading a chat completion's reply into a :class:`~bot.engine.ports.JudgeVerdict`.

The reply must be an OpenAI-style chat completion whose ``choices[0].message.content`` is
exactly one JSON object (see :mod:`bot.llm_judge.prompt`): every key point once by its number
with a known status, a grade in 0..1 and one line of feedback. Anything else -- not JSON, JSON
wrapped in a code fence, an unknown status, a grade out of range, a key point missing or
repeated -- is :class:`InvalidReply`. Fields the model adds beyond those are ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.engine.ports import JudgeVerdict
from bot.safe_text import shorten
from questions.schema import Question

__all__ = ["MAX_FEEDBACK_CHARS", "InvalidReply", "verdict_from_completion"]

MAX_FEEDBACK_CHARS = 300
_STRICT = ConfigDict(strict=True, extra="ignore", frozen=True)


class InvalidReply(Exception):
    """The endpoint's reply is not a usable verdict; the message says why, in one line."""


class _Message(BaseModel):
    model_config = _STRICT
    content: str | None = None


class _Choice(BaseModel):
    model_config = _STRICT
    message: _Message


class _Completion(BaseModel):
    model_config = _STRICT
    choices: list[_Choice] = Field(min_length=1)


class _PointStatus(BaseModel):
    model_config = _STRICT
    id: int
    status: Literal["covered", "missed", "contradicted"]


class _Verdict(BaseModel):
    model_config = _STRICT
    key_points: list[_PointStatus]
    grade: float = Field(ge=0, le=1)
    feedback: str = Field(min_length=1)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def verdict_from_completion(body: bytes, question: Question) -> JudgeVerdict:
    """The verdict in a chat completion's raw JSON ``body`` on an answer to ``question``."""
    try:
        completion = _Completion.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidReply(f"not a chat completion ({_first_error(exc)})") from None
    content = completion.choices[0].message.content
    if not content:
        raise InvalidReply("the completion has no content")
    try:
        verdict = _Verdict.model_validate_json(content)
    except ValidationError as exc:
        raise InvalidReply(
            f"the content is not the verdict asked for ({_first_error(exc)})"
        ) from None
    labels = [point.label for point in question.key_points]
    numbers = sorted(point.id for point in verdict.key_points)
    if numbers != list(range(1, len(labels) + 1)):
        raise InvalidReply(f"key points {numbers} do not name each of 1..{len(labels)} once")
    status = {point.id: point.status for point in verdict.key_points}
    by_status = {
        name: tuple(label for i, label in enumerate(labels, start=1) if status[i] == name)
        for name in ("covered", "missed", "contradicted")
    }
    return JudgeVerdict(
        grade=verdict.grade,
        covered=by_status["covered"],
        missed=by_status["missed"],
        contradicted=by_status["contradicted"],
        feedback=shorten(" ".join(verdict.feedback.split()), MAX_FEEDBACK_CHARS),
    )
