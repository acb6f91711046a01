"""The question schema: what a pack file may contain, validated with pydantic.

A pack is one YAML file holding questions of one category::

    category: python
    title: Python fundamentals
    questions:
      - id: list-vs-tuple
        difficulty: easy
        rarity: common
        prompt: ...
        answer: ...
        explanation: ...
        choices: [{text: ..., correct: true}, {text: ...}, {text: ...}, {text: ...}]
        sides: [{name: list, terms: [list, lists]}, {name: tuple, terms: [tuple, tuples]}]
        key_points: [{label: ..., phrases: [...], code: [...], weight: 1, required: true,
                      subject: tuple}]
        misconceptions: [{phrases: [...], correction: ...}]
        samples: [{label: full, text: ..., expected: [0.8, 1.0]}, ...]

* ``type`` is ``concept`` (the default: a question answered by choice or in one's own words)
  or ``output`` (code reading: ``code`` holds a short self-contained snippet and ``output`` what
  it prints, exactly; the choices are four plausible outputs, the correct one equal to
  ``output``; a typed answer is compared with ``output`` after normalising white space).
* ``source`` links the official documentation that backs the answer (built-in packs must
  have one; a team's own pack may leave it out).
* ``key_points`` and ``samples`` are the free-text rubric. A concept question without them is
  *choice-only*: it needs only ``prompt``, ``choices`` and ``explanation`` (``answer`` defaults to
  the correct choice) and is offered in multiple-choice mode only. With key points, ``samples``
  are required: at least four, labelled at least ``full``, ``paraphrase``, ``partial`` and
  ``wrong`` (more, e.g. ``swapped``, are welcome). That every sample grades inside its
  ``expected`` range is checked by ``quizbot questions validate`` and the tests. An ``output``
  question needs neither.
* A key point's ``code`` (optional) lists regular expressions that recognise the point stated
  in code rather than words (``\\b(\\w+)\\s*=\\s*\\w+\\(\\1\\)`` for ``f = deco(f)``): the point
  is covered when any of its phrases matches or any pattern is found in the reply (lowercased,
  quotes and dashes made ASCII). A pattern must never match the question's own prompt, and
  should bound its repetition (``[^\\n]{0,80}`` rather than ``.*`` between two parts) so that it
  stays fast on any reply.
* ``misconceptions`` are optional (default: none).
* ``sides`` (optional) makes a question *two-sided*: the two things it contrasts, each with
  the words (``terms``) that name it in an answer. A key point with a ``subject`` (a side's
  name) is about that side only: its phrases do not count in a clause about the other side,
  and an answer stating each side's points about the other side is graded as swapped.

Every string field is strict: a YAML ``yes`` or ``12`` where text is expected is an error,
not a silently converted value.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "DIFFICULTIES",
    "SAMPLE_LABELS",
    "SLUG_PATTERN",
    "Choice",
    "Difficulty",
    "KeyPoint",
    "Misconception",
    "Pack",
    "Question",
    "QuestionType",
    "Rarity",
    "Sample",
    "Side",
    "normalise_output",
]

Difficulty = Literal["easy", "medium", "hard"]
QuestionType = Literal["concept", "output"]
Rarity = Literal["common", "medium", "rare"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
#: The sample labels every question must have (at least one of each).
SAMPLE_LABELS: tuple[str, ...] = ("full", "paraphrase", "partial", "wrong")
_MIN_SAMPLES = 4

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: Ids and categories: kebab-case.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
Url = Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=500)]
#: Code shown in a chat message must fit the platforms' limits with room for the prompt.
MAX_CODE_CHARS = 1500


class Choice(BaseModel):
    """One multiple-choice option; exactly one per question is correct."""

    model_config = _STRICT

    text: Text = Field(max_length=200, description="the option as shown (at most 200 characters)")
    correct: bool = Field(default=False, description="true on exactly one choice")
    why_wrong: Text | None = Field(
        default=None, description="why a candidate picking this wrong option is mistaken"
    )


class KeyPoint(BaseModel):
    """Something a good free-text answer must cover, with the phrasings that count for it."""

    model_config = _STRICT

    label: Text = Field(description="the point as shown in feedback (covered / missed)")
    phrases: list[Text] = Field(
        min_length=1, description="wordings that count for the point (any order, typo tolerant)"
    )
    code: list[Text] = Field(
        default_factory=list,
        description=(
            "regular expressions recognising this point written as code (searched in the "
            "lowercased reply); any match covers the point, like a phrase"
        ),
    )
    weight: float = Field(
        default=1.0, gt=0, le=10, description="its share of the grade, relative to the others"
    )
    required: bool = Field(
        default=False, description="the central idea: missing it caps the grade at 0.5"
    )
    subject: Text | None = Field(
        default=None, description="the name of the side this point is about (two-sided only)"
    )

    @field_validator("code")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                message = f"code pattern {pattern!r} is not a regular expression: {error}"
                raise ValueError(message) from error
        return patterns


class Side(BaseModel):
    """One of the two things a two-sided question contrasts, and the words that name it."""

    model_config = _STRICT

    name: Text = Field(description="the side's name, used by key points' subject")
    terms: list[Text] = Field(min_length=1, description="the words that name it in an answer")


class Misconception(BaseModel):
    """A statement that makes an answer wrong, with the correction shown to the learner."""

    model_config = _STRICT

    phrases: list[Text] = Field(
        min_length=1, description="wordings of the mistake; any match grades the answer 0"
    )
    correction: Text = Field(description="what is true instead, shown to the player")


class Sample(BaseModel):
    """An example free-text answer and the score range the grader must give it."""

    model_config = _STRICT

    label: Text = Field(description="full, paraphrase, partial, wrong (and e.g. swapped)")
    text: Text = Field(description="an answer a candidate could give")
    expected: tuple[float, float] = Field(description="[low, high]: the grade it must get")

    @field_validator("expected", mode="before")
    @classmethod
    def _list_to_tuple(cls, value: object) -> object:
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Sample:
        low, high = self.expected
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError("expected must be [low, high] with 0 <= low <= high <= 1")
        return self


class Question(BaseModel):
    """One interview question: multiple choice, and free text where it has a rubric."""

    model_config = _STRICT

    id: Slug = Field(description="kebab-case, unique across every pack (at most 64 characters)")
    category: Slug = Field(description="defaults to the pack's category, which it must equal")
    difficulty: Difficulty = Field(description="scores 100, 200 or 300 points")
    rarity: Rarity = Field(description="how often interviewers ask it")
    type: QuestionType = Field(
        default="concept", description="concept, or output: what does this code print?"
    )
    prompt: Text = Field(max_length=1000, description="the question (at most 1000 characters)")
    code: Text | None = Field(
        default=None,
        max_length=MAX_CODE_CHARS,
        description=f"output questions: a self-contained snippet (at most {MAX_CODE_CHARS} chars)",
    )
    output: str | None = Field(
        default=None,
        max_length=MAX_CODE_CHARS,
        description="output questions: exactly what code prints; the correct choice equals it",
    )
    answer: Text | None = Field(
        default=None, description="the reference answer (default: the correct choice's text)"
    )
    explanation: Text = Field(
        description="why, with an example; ```python blocks are run by validate"
    )
    source: Url | None = Field(
        default=None, description="https link to the official documentation backing the answer"
    )
    choices: list[Choice] = Field(
        min_length=4, max_length=4, description="four options, exactly one correct"
    )
    key_points: list[KeyPoint] = Field(
        default_factory=list, description="the free-text rubric; none: a choice-only question"
    )
    misconceptions: list[Misconception] = Field(
        default_factory=list, description="known wrong statements (needs key_points)"
    )
    samples: list[Sample] = Field(
        default_factory=list,
        validate_default=True,
        description="graded example answers (needed with key_points: full, paraphrase, ...)",
    )
    sides: list[Side] = Field(
        default_factory=list, description="the two things a contrasting question compares"
    )

    @model_validator(mode="after")
    def _fields_fit_the_type(self) -> Question:
        if self.type == "output":
            if self.code is None or self.output is None:
                raise ValueError("an output question needs both code and output")
            correct = normalise_output(self.choices[self.correct_index].text)
            if correct != normalise_output(self.output):
                raise ValueError("the correct choice of an output question must equal its output")
        elif self.code is not None or self.output is not None:
            raise ValueError("code and output belong to questions of type output")
        if not self.key_points and (self.misconceptions or self.sides):
            raise ValueError("misconceptions and sides belong to questions with key_points")
        return self

    @field_validator("samples")
    @classmethod
    def _every_kind_of_sample(cls, samples: list[Sample], info: ValidationInfo) -> list[Sample]:
        if not info.data.get("key_points"):
            if samples:
                raise ValueError("samples need key_points (a choice-only question has neither)")
            return samples
        if len(samples) < _MIN_SAMPLES:
            raise ValueError(
                f"a question with key_points needs at least {_MIN_SAMPLES} samples, labelled "
                f"{', '.join(SAMPLE_LABELS)}"
            )
        labels = {sample.label for sample in samples}
        missing = [label for label in SAMPLE_LABELS if label not in labels]
        if missing:
            raise ValueError(
                f"samples need the labels {', '.join(SAMPLE_LABELS)}; missing {', '.join(missing)}"
            )
        return samples

    @field_validator("sides")
    @classmethod
    def _two_distinct_sides(cls, sides: list[Side]) -> list[Side]:
        if sides and (len(sides) != 2 or sides[0].name == sides[1].name):
            raise ValueError("sides must be empty or two sides with different names")
        if sides:
            terms = [term.casefold() for side in sides for term in side.terms]
            if len(set(terms)) != len(terms):
                raise ValueError("a term may name only one side")
        return sides

    @model_validator(mode="after")
    def _subjects_name_sides(self) -> Question:
        names = [side.name for side in self.sides]
        for index, point in enumerate(self.key_points):
            if point.subject is not None and point.subject not in names:
                allowed = ", ".join(repr(n) for n in names) if names else "none: no sides"
                raise ValueError(
                    f"key_points.{index}.subject {point.subject!r} is not a side (sides: {allowed})"
                )
        return self

    @field_validator("choices")
    @classmethod
    def _exactly_one_correct(cls, choices: list[Choice]) -> list[Choice]:
        correct = sum(choice.correct for choice in choices)
        if correct != 1:
            raise ValueError(f"exactly one choice must be correct, found {correct}")
        texts = [choice.text.casefold() for choice in choices]
        if len(set(texts)) != len(texts):
            raise ValueError("choices must all differ")
        return choices

    @property
    def correct_index(self) -> int:
        """Index, in file order, of the correct choice."""
        return next(i for i, choice in enumerate(self.choices) if choice.correct)

    @property
    def reference_answer(self) -> str:
        """The answer shown to the learner: ``answer``, else the correct choice's text."""
        return self.answer or self.choices[self.correct_index].text

    @property
    def open_mode(self) -> bool:
        """Whether the question can be answered in one's own words (it has a rubric or output)."""
        return self.type == "output" or bool(self.key_points)


def normalise_output(text: str) -> str:
    """Output as compared: line by line, trailing white space and blank edges ignored."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


class Pack(BaseModel):
    """One YAML file: a category and its questions."""

    model_config = _STRICT

    category: Slug = Field(description="kebab-case; a new category is welcome")
    title: Text = Field(description="the category's name as players see it")
    questions: list[Question] = Field(min_length=1, description="at least one")

    @model_validator(mode="before")
    @classmethod
    def _questions_inherit_category(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("questions"), list):
            category = data.get("category")
            data = dict(data)
            data["questions"] = [
                {"category": category, **item} if isinstance(item, dict) else item
                for item in data["questions"]
            ]
        return data

    @model_validator(mode="after")
    def _ids_unique_and_category_consistent(self) -> Pack:
        problems: list[str] = []
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen:
                problems.append(f"duplicate question id {question.id!r}")
            seen.add(question.id)
            if question.category != self.category:
                problems.append(
                    f"question {question.id!r} has category {question.category!r}, "
                    f"pack is {self.category!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))  # every one, not only the first
        return self
