"""Grading replies: exact for multiple choice, rubric-based with partial credit for free text.

An output question's typed reply is right when it equals the code's output once white space is
normalised (:func:`grade_output`): 1.0 or 0.0.

Other free-text grading is offline and deterministic. Each question's rubric (its key-point and
misconception phrases, and its prompt) is compiled once and cached; a reply is normalised and
analysed once (see :mod:`bot.engine.text_matching` for how a phrase matches: stemmed words in
any order within one clause and a small window, typo tolerant, negation aware). Then:

1. **Misconception** -- if any misconception phrase matches, the grade is 0 and
   ``misconception`` is its correction. In a two-sided question a one-clause phrase naming
   one side (``is compares values``) does not count in a clause about the other side
   (``the == is for comparing values``).
2. **Sides** -- in a two-sided question (``sides`` in the pack: ``is`` vs ``==``, list vs
   tuple), a key point with a ``subject`` is about one side: its phrases do not count in a
   clause about the other side (``== checks identity`` earns nothing for "``is`` checks
   identity"). If the reply states points of *both* sides only about the opposite side, the
   pairing is swapped: the grade is 0 and ``misconception`` says so.
3. **Key points** -- a point is covered when any of its phrases matches, or any of its
   ``code`` patterns (regular expressions) is found in the reply as written (lowercased: see
   :func:`~bot.engine.text_matching.code_text`), so ``@app.route("/u/<int:uid>")`` or
   ``f = deco(f)`` is evidence like a sentence; the raw grade is the covered weight over the
   total weight.
4. **Required points** -- if any ``required`` point is missed the grade is capped at
   ``REQUIRED_CAP`` (0.5), and at ``NO_REQUIRED_CAP`` (0.25) when every required point is missed.
5. **Anti-gaming** --
   * words copied from the prompt (any run of 4+ words also found in the prompt) never count
     towards a phrase, so repeating or pasting the question earns nothing;
   * a reply whose content words nearly all come from the prompt (at most one new word) is
     capped at ``ECHO_CAP`` (0.2);
   * a bare keyword list is capped at ``KEYWORD_LIST_CAP`` (0.4) unless it states every
     required point (terse notes such as ``list mutable, tuple immutable -> hashable`` are an
     answer, not a list): 3+ words with under 15%
     function words (``is``, ``the``, ``can``...), or 3+ fragments averaging at most 2.5 words
     with under 30% function words (``stateless, uniform interface, cacheable``). Questions
     whose own model answer is such a list (``int, float, str...``) are exempt; such a
     question should make what a bare list lacks (e.g. grouping the items by kind) a
     required key point, so that a bare list is not full marks.

A claim the reply reports only to dismiss it ("some say X, but that's a myth") counts for
nothing (:func:`~bot.engine.text_matching.denied_segments`). When a ceiling holds the grade
down, ``GradeResult.cap`` says why, in words a learner understands.

Only the first ``MAX_REPLY_CHARS`` characters of a reply are read, so the work is bounded.
Any text is accepted; the grade is always in 0..1, rounded to 3 decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cachetools import LRUCache

from bot.engine.text_matching import (
    Analysis,
    Index,
    Phrase,
    Subjects,
    Vocabulary,
    analyse,
    code_text,
    denied_segments,
    normalise,
)
from questions.schema import Question, normalise_output

__all__ = [
    "CAP_REASONS",
    "GradeResult",
    "covers_point",
    "grade_choice",
    "grade_output",
    "grade_text",
]

MAX_REPLY_CHARS = 4_000
REQUIRED_CAP = 0.5
NO_REQUIRED_CAP = 0.25
ECHO_CAP = 0.2
KEYWORD_LIST_CAP = 0.4
_COPY_RUN = 4
_MIN_FUNCTION_SHARE = 0.15
_KEYWORD_LIST_WORDS = 3
_FRAGMENT_WORDS = 2.5
_FRAGMENT_SHARE = 0.3
_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class GradeResult:
    """The outcome of grading one reply.

    ``grade`` is in 0..1; ``covered``/``missed``/``contradicted`` are key-point labels;
    ``misconception`` is the correction to show when the reply stated a known misconception
    (the grade is then 0). ``contradicted`` and ``note`` come from a judge
    (:mod:`bot.engine.judging`); the offline rubric leaves them empty.
    """

    grade: float
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    misconception: str | None = None
    cap: str | None = None  # why the grade was held below what the covered points earn
    contradicted: tuple[str, ...] = ()  # key points the reply states the opposite of
    note: str | None = None  # a judge's one line of feedback (untrusted text)


#: What a learner is told when a ceiling held the grade down.
CAP_REASONS = {
    "required": "A central point is missing, so the grade is at most {cap:.0%}: {missing}.",
    "no_required": "Every central point is missing, so the grade is at most {cap:.0%}.",
    "keyword_list": (
        "A bare list of keywords earns at most {cap:.0%}: say what each term means or does."
    ),
    "echo": "The answer mostly repeats the question, so it earns at most {cap:.0%}.",
}


def grade_choice(question: Question, choice_index: int) -> GradeResult:
    """Grade a multiple-choice reply given as an index into ``question.choices`` (file order)."""
    correct = choice_index == question.correct_index
    return GradeResult(grade=1.0 if correct else 0.0)


@dataclass(frozen=True, slots=True)
class _Point:
    label: str
    weight: float
    required: bool
    phrases: tuple[Phrase, ...]
    side: int | None  # index into the question's sides, for a point about one side
    naming: tuple[bool, ...] = ()  # per phrase: it only names the side ("authentication")
    code: tuple[re.Pattern[str], ...] = ()  # the point written as code (``f = deco(f)``)


@dataclass(frozen=True, slots=True)
class _Rubric:
    points: tuple[_Point, ...]
    # (correction, phrases), each phrase with the side it names (``is compares values``: ``is``)
    misconceptions: tuple[tuple[str, tuple[tuple[Phrase, int | None], ...]], ...]
    vocabulary: Vocabulary
    prompt_runs: frozenset[tuple[str, ...]]
    prompt_stems: frozenset[str]
    total_weight: float
    prose_answer: bool  # False when the model answer is itself a list of terms
    subjects: Subjects | None  # the terms naming each side of a two-sided question
    swap_correction: str | None


# By the question object's id; the entry keeps the object, so an id reused by another question
# (after a bank reload) is never given this one's rubric. A loaded question is frozen.
_rubrics: LRUCache[int, tuple[Question, _Rubric]] = LRUCache(maxsize=_CACHE_SIZE)


def _rubric(question: Question) -> _Rubric:
    """The compiled rubric of ``question``, built on first use and cached per question object."""
    entry = _rubrics.get(id(question))
    if entry is not None and entry[0] is question:
        return entry[1]
    rubric = _compile(question)
    _rubrics[id(question)] = (question, rubric)
    return rubric


def _compile(question: Question) -> _Rubric:
    """Compile every phrase, the shared vocabulary and the prompt's word runs, once."""
    names = [side.name for side in question.sides]
    subjects = Subjects([side.terms for side in question.sides]) if len(names) == 2 else None
    points: list[_Point] = []
    for kp in question.key_points:
        own = tuple(Phrase(p) for p in kp.phrases)
        side = names.index(kp.subject) if kp.subject in names else None
        naming: tuple[bool, ...] = ()
        if subjects is not None and side is not None:
            naming = tuple(subjects.names(side, p) for p in own)
        code = tuple(re.compile(pattern) for pattern in kp.code)
        points.append(_Point(kp.label, kp.weight, kp.required, own, side, naming, code))
    two_sided = subjects is not None and any(point.side is not None for point in points)
    misconceptions = tuple(
        (
            m.correction,
            tuple(
                (Phrase(p, strict=True), _named_side(subjects if two_sided else None, p))
                for p in m.phrases
            ),
        )
        for m in question.misconceptions
    )
    phrases = [p for point in points for p in point.phrases]
    phrases += [p for _, group in misconceptions for p, _ in group]
    stems = {s for phrase in phrases for s in phrase.stems}
    surfaces = {w: s for phrase in phrases for w, s in phrase.surfaces.items() if s in stems}
    prompt = analyse(normalise(question.prompt))
    runs = {prompt.stems[i : i + _COPY_RUN] for i in range(len(prompt) - _COPY_RUN + 1)}
    return _Rubric(
        points=tuple(points),
        misconceptions=misconceptions,
        vocabulary=Vocabulary(stems, surfaces),
        prompt_runs=frozenset(runs),
        prompt_stems=frozenset(s for s, c in zip(prompt.stems, prompt.content, strict=True) if c),
        total_weight=sum(point.weight for point in points),
        prose_answer=not _is_keyword_list(analyse(normalise(question.reference_answer))),
        subjects=subjects if two_sided else None,
        swap_correction=(
            f"This swaps {names[0]} and {names[1]}: what the answer says about each one is "
            f"true of the other. {question.reference_answer}"
            if two_sided
            else None
        ),
    )


def _named_side(subjects: Subjects | None, text: str) -> int | None:
    """The side a one-clause misconception phrase names (``is compares values``: ``is``).

    A phrase of several clauses (``tuples are mutable and lists ...``) names both sides: None.
    """
    if subjects is None:
        return None
    analysis = analyse(normalise(text.replace("`", " ")))
    if len(set(analysis.segment)) != 1:
        return None
    return subjects.of(analysis).get(analysis.segment[0])


def _copied(analysis: Analysis, rubric: _Rubric) -> list[bool]:
    """Which reply words belong to a run of ``_COPY_RUN`` words also found in the prompt."""
    copied = [False] * len(analysis)
    for i in range(len(analysis) - _COPY_RUN + 1):
        if analysis.stems[i : i + _COPY_RUN] in rubric.prompt_runs:
            copied[i : i + _COPY_RUN] = [True] * _COPY_RUN
    return copied


def _index(analysis: Analysis, rubric: _Rubric, copied: list[bool]) -> Index:
    """Rubric stem -> positions of the (not copied) reply words that can stand for it."""
    index: dict[str, list[int]] = {}
    lookup = rubric.vocabulary.lookup
    for i, (surface, stemmed) in enumerate(zip(analysis.surfaces, analysis.stems, strict=True)):
        if not copied[i]:
            for target in lookup(surface, stemmed):
                index.setdefault(target, []).append(i)
    return index


def _is_keyword_list(analysis: Analysis) -> bool:
    """Bare keywords: hardly any function words, or many tiny fragments (``a, b c, d``)."""
    words = len(analysis)
    if words < _KEYWORD_LIST_WORDS:  # "Mars." is an answer, not a list
        return False
    share = analysis.function_words / words
    fragments = len(set(analysis.segment))
    return share < _MIN_FUNCTION_SHARE or (
        fragments >= 3 and words <= _FRAGMENT_WORDS * fragments and share < _FRAGMENT_SHARE
    )


def _ceilings(
    analysis: Analysis, rubric: _Rubric, copied: list[bool], hits: list[bool]
) -> list[tuple[float, str]]:
    """Every ceiling this reply meets, as (cap, the learner-facing reason)."""
    ceilings: list[tuple[float, str]] = []
    required = [p for p, hit in zip(rubric.points, hits, strict=True) if p.required and not hit]
    if required:
        some_required = len(required) < sum(point.required for point in rubric.points)
        if some_required:
            missing = "; ".join(point.label for point in required)
            ceilings.append(
                (REQUIRED_CAP, CAP_REASONS["required"].format(cap=REQUIRED_CAP, missing=missing))
            )
        else:
            ceilings.append(
                (NO_REQUIRED_CAP, CAP_REASONS["no_required"].format(cap=NO_REQUIRED_CAP))
            )
    # A terse reply stating every required point is notes, not a keyword list.
    complete = not required and any(point.required for point in rubric.points)
    if rubric.prose_answer and not complete and _is_keyword_list(analysis):
        ceilings.append(
            (KEYWORD_LIST_CAP, CAP_REASONS["keyword_list"].format(cap=KEYWORD_LIST_CAP))
        )
    own = [s for i, s in enumerate(analysis.stems) if analysis.content[i] and not copied[i]]
    novel = {s for s in own if s not in rubric.prompt_stems}
    if len(novel) <= 1 and len(own) - len(novel) >= 4 * len(novel):
        ceilings.append((ECHO_CAP, CAP_REASONS["echo"].format(cap=ECHO_CAP)))
    return ceilings


def _misconception(rubric: _Rubric, analysis: Analysis, index: Index) -> str | None:
    """The correction of the first misconception the reply states, if any.

    In a two-sided question, a one-clause phrase naming one side (``is compares values``) does
    not count in a clause about the other side (``the == is for comparing values``).
    """
    others: tuple[frozenset[int], ...] = (frozenset(), frozenset())
    if rubric.subjects is not None:
        about = rubric.subjects.of(analysis)
        others = tuple(frozenset(s for s, side in about.items() if side != own) for own in (0, 1))
    for correction, phrases in rubric.misconceptions:
        for phrase, side in phrases:
            blocked = others[side] if side is not None else frozenset()
            if phrase.matches(analysis, index, blocked):
                return correction
    return None


def _earned(rubric: _Rubric, hits: list[bool]) -> float:
    """Covered weight over total weight."""
    earned = sum(point.weight for point, hit in zip(rubric.points, hits, strict=True) if hit)
    return earned / rubric.total_weight


def _hits(rubric: _Rubric, analysis: Analysis, index: Index, code: str) -> tuple[list[bool], bool]:
    """Which key points the reply covers, and whether it swaps the two sides' points.

    Claims the reply reports only to dismiss them (:func:`denied_segments`) count for nothing.
    A point's ``code`` patterns are searched in ``code`` (the reply as :func:`code_text` reads
    it) and cover the point wherever they are found.
    """
    denied = denied_segments(analysis)
    in_code = [any(p.search(code) for p in point.code) for point in rubric.points]
    if rubric.subjects is None:
        return [
            written or any(p.matches(analysis, index, denied) for p in point.phrases)
            for point, written in zip(rubric.points, in_code, strict=True)
        ], False
    about = rubric.subjects.of(analysis)
    others = [frozenset(s for s, side in about.items() if side != own) | denied for own in (0, 1)]
    hits: list[bool] = []
    wrong_side: set[int] = set()
    for point, written in zip(rubric.points, in_code, strict=True):
        if point.side is None:
            hits.append(written or any(p.matches(analysis, index, denied) for p in point.phrases))
            continue
        blocked = others[point.side]
        stated = [p for p, naming in zip(point.phrases, point.naming, strict=True) if not naming]
        hit = any(p.matches(analysis, index, blocked) for p in stated)
        if not hit and blocked - denied and any(p.matches(analysis, index, denied) for p in stated):
            wrong_side.add(point.side)  # stated, but only about the other side
        named = [p for p, naming in zip(point.phrases, point.naming, strict=True) if naming]
        hits.append(written or hit or any(p.matches(analysis, index, denied) for p in named))
    return hits, len(wrong_side) == 2


def grade_output(question: Question, text: str) -> GradeResult:
    """Grade a typed output: 1.0 when it equals the question's output once white space is
    normalised (:func:`~questions.schema.normalise_output`), else 0.0."""
    expected = normalise_output(question.output or "")
    return GradeResult(1.0 if normalise_output(text) == expected else 0.0)


def _read(question: Question, text: str) -> tuple[_Rubric, Analysis, list[bool], Index]:
    """The question's rubric, and the reply analysed against it (copied words, index)."""
    rubric = _rubric(question)
    analysis = analyse(normalise(text, MAX_REPLY_CHARS))
    copied = _copied(analysis, rubric)
    return rubric, analysis, copied, _index(analysis, rubric, copied)


def covers_point(question: Question, label: str, text: str) -> bool:
    """Whether ``text`` states the key point labelled ``label`` (and no misconception).

    The same matching as :func:`grade_text`, for one point: a follow-up answer is graded so.
    """
    rubric, analysis, _, index = _read(question, text)
    if _misconception(rubric, analysis, index) is not None:
        return False
    hits, swapped = _hits(rubric, analysis, index, code_text(text, MAX_REPLY_CHARS))
    return not swapped and any(
        hit for point, hit in zip(rubric.points, hits, strict=True) if point.label == label
    )


def grade_text(
    question: Question, text: str, *, also_covered: frozenset[str] = frozenset()
) -> GradeResult:
    """Grade a free-text reply against the question's key points and misconceptions.

    An output question's reply is graded exactly instead (:func:`grade_output`). See the
    module docstring for the rules. ``also_covered`` names key points to count as covered
    although the reply misses them (stated later, in a follow-up answer). Never raises; the
    grade is in 0..1 (3 decimals).
    """
    if question.type == "output":
        return grade_output(question, text[:MAX_REPLY_CHARS])
    rubric, analysis, copied, index = _read(question, text)
    correction = _misconception(rubric, analysis, index)
    if correction is not None:
        # A stated misconception makes the whole answer wrong: nothing counts as covered.
        return GradeResult(0.0, (), tuple(point.label for point in rubric.points), correction)
    hits, swapped = _hits(rubric, analysis, index, code_text(text, MAX_REPLY_CHARS))
    hits = [
        hit or point.label in also_covered for point, hit in zip(rubric.points, hits, strict=True)
    ]
    if swapped:
        labels = tuple(point.label for point in rubric.points)
        return GradeResult(0.0, (), labels, rubric.swap_correction)
    covered = tuple(point.label for point, hit in zip(rubric.points, hits, strict=True) if hit)
    missed = tuple(point.label for point, hit in zip(rubric.points, hits, strict=True) if not hit)
    grade = _earned(rubric, hits)
    cap = min(_ceilings(analysis, rubric, copied, hits), default=None)
    reason = None
    if cap is not None and cap[0] < grade:
        grade, reason = cap
    return GradeResult(round(max(0.0, min(1.0, grade)), 3), covered, missed, cap=reason)
