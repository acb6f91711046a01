"""Commented YAML templates of a new pack, for ``quizbot questions new``.

Each template is a complete, valid pack holding one worked example question: replace every
value, keep the shape, and ``quizbot questions validate DIR`` checks the result.
"""

from __future__ import annotations

from questions.schema import QuestionType

__all__ = ["pack_template"]

_HEADER = """\
# A question pack: one category, its questions. Field reference: quizbot questions schema
# Replace every value below (the question is a worked example), then check the pack with
#   quizbot questions validate DIR
category: {category}  # kebab-case; questions inherit it
title: {title}  # the category's name as players see it
questions:
"""

_CONCEPT = """\
  - id: {category}-list-vs-tuple  # kebab-case, unique across every pack
    difficulty: easy  # easy | medium | hard (100, 200, 300 points)
    rarity: common  # common | medium | rare: how often interviewers ask it
    source: https://docs.python.org/3/library/stdtypes.html#sequence-types-list-tuple-range
    prompt: What is the difference between a list and a tuple?
    answer: A list is mutable and a tuple is immutable, so a tuple can be a dict key.
    explanation: |  # why, with an example; a ```python block must run as is
      Lists change in place; tuples cannot, which makes a tuple of hashable items hashable.

      ```python
      point = (1, 2)
      print({{point: "here"}}[point])
      ```
    choices:  # four, exactly one correct; every wrong one a mistake candidates make
      - text: A list is mutable; a tuple is immutable
        correct: true
      - text: A tuple is mutable; a list is immutable
        why_wrong: It is the other way round.
      - text: A tuple can only hold items of one type
        why_wrong: Tuples hold items of any types, like lists.
      - text: A list cannot be used in a for loop
        why_wrong: Both are iterable.
    sides:  # only for a question that contrasts two things
      - {{name: list, terms: [list, lists]}}
      - {{name: tuple, terms: [tuple, tuples]}}
    key_points:  # the free-text rubric; the central idea is required
      - label: A list is mutable
        phrases: [list is mutable, list can change, list can be modified]
        weight: 2
        required: true
        subject: list
      - label: A tuple is immutable
        phrases: [tuple is immutable, tuple cannot change, tuple cannot be modified]
        weight: 2
        required: true
        subject: tuple
    misconceptions:  # phrases that can never match a correct answer
      - phrases: [tuple is mutable, list is immutable]
        correction: Lists are mutable; tuples are immutable.
    samples:  # graded answers and the range the grader must give each
      - {{label: full, text: "A list is mutable, a tuple immutable.", expected: [0.8, 1.0]}}
      - label: paraphrase
        text: You can change a list after creating it, but a tuple cannot change.
        expected: [0.8, 1.0]
      - {{label: partial, text: A list is mutable., expected: [0.2, 0.6]}}
      - {{label: wrong, text: They are the same thing., expected: [0.0, 0.2]}}
      - {{label: swapped, text: "A tuple is mutable, a list immutable.", expected: [0.0, 0.1]}}
"""

_OUTPUT = """\
  - id: {category}-sorted-copy  # kebab-case, unique across every pack
    type: output  # a code-reading question: what does this print?
    difficulty: easy  # easy | medium | hard (100, 200, 300 points)
    rarity: common  # common | medium | rare: how often interviewers ask it
    source: https://docs.python.org/3/library/functions.html#sorted
    prompt: What does this code print?
    code: |  # self-contained, at most ~15 lines; validate runs it
      numbers = [3, 1, 2]
      ordered = sorted(numbers)
      print(numbers, ordered)
    output: |  # exactly what it prints
      [3, 1, 2] [1, 2, 3]
    explanation: |
      sorted() returns a new list and leaves its argument unchanged; list.sort() sorts in place.
    choices:  # the correct one equals output; the others are outputs candidates expect
      - text: "[3, 1, 2] [1, 2, 3]"
        correct: true
      - text: "[1, 2, 3] [1, 2, 3]"
        why_wrong: sorted() does not change its argument.
      - text: "[3, 1, 2] None"
        why_wrong: sorted() returns the new list; list.sort() is the one returning None.
      - text: "[1, 2, 3] None"
        why_wrong: sorted() leaves numbers unchanged and returns the sorted list.
"""

_BODIES: dict[QuestionType, str] = {"concept": _CONCEPT, "output": _OUTPUT}


def pack_template(kind: QuestionType = "concept", category: str = "my-topic") -> str:
    """A valid, commented pack of ``category`` holding one example question of type ``kind``."""
    title = category.replace("-", " ").capitalize()
    fields = {"category": category, "title": title}
    return _HEADER.format(**fields) + _BODIES[kind].format(**fields)
