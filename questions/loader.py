"""Loading question packs: YAML files validated into a :class:`QuestionBank`.

A broken pack raises :class:`PackError` listing *every* error of every pack, one per line, each
naming the file, the question id and the field, e.g.
``questions/packs/python.yaml: question 'list-vs-tuple', field 'prompt': ...``.
:func:`read_packs` returns the packs that loaded together with those lines instead of raising.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from questions.schema import Difficulty, Pack, Question

# libyaml's parser when PyYAML was built with it (the wheels are): the same safe subset, about
# twenty times faster than the pure-Python one.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "BUILTIN_PACKS_DIR",
    "PackError",
    "QuestionBank",
    "describe_errors",
    "load_bank",
    "load_pack",
    "load_packs",
    "pack_files",
    "read_packs",
    "valid_questions",
]

BUILTIN_PACKS_DIR = Path(__file__).parent / "packs"


class PackError(Exception):
    """Question packs that cannot be used; one line per problem says where and why."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class QuestionBank:
    """All loaded questions, looked up by id and filtered by category and difficulty."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        self.packs = tuple(packs)
        self._by_id: dict[str, Question] = {}
        for pack in packs:
            for question in pack.questions:
                self._by_id[question.id] = question
        self.categories: tuple[str, ...] = tuple(sorted({p.category for p in packs}))
        self.category_titles: dict[str, str] = {p.category: p.title for p in packs}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Question]:
        return iter(self._by_id.values())

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def get(self, question_id: str) -> Question:
        """Return the question with this id; ``KeyError`` if there is none."""
        return self._by_id[question_id]

    def select(
        self, category: str | None = None, difficulty: Difficulty | None = None
    ) -> list[Question]:
        """Questions matching the optional category and difficulty, in a stable order."""
        return [
            q
            for q in self._by_id.values()
            if (category is None or q.category == category)
            and (difficulty is None or q.difficulty == difficulty)
        ]


def _where(loc: list[Any], raw: object) -> tuple[str, list[Any]]:
    """('question ID' or 'question #N', the rest of the location) for a location in a pack."""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        index = loc[1]
        items = raw.get("questions") if isinstance(raw, dict) else None
        item = items[index] if isinstance(items, list) and index < len(items) else None
        qid = item.get("id") if isinstance(item, dict) else None
        return (f"question {qid!r}" if qid is not None else f"question #{index + 1}"), loc[2:]
    return "", loc


def describe_errors(error: ValidationError, raw: object) -> list[str]:
    """Every pydantic error of validating ``raw`` as 'question ID, field F: message'."""
    lines = []
    for detail in error.errors():
        where, loc = _where(list(detail["loc"]), raw)
        field = ".".join(str(part) for part in loc)
        message = detail["msg"]
        if detail["type"] == "string_type":
            message += f" (got {detail['input']!r}; quote it in YAML)"
        parts = [p for p in (where, f"field {field!r}" if field else "") if p]
        lines.append((", ".join(parts) + ": " if parts else "") + message)
    return lines


def _read_yaml(path: Path) -> Any:
    """The YAML document of ``path`` (safe tags only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


def load_pack(path: Path) -> Pack:
    """Read and validate one pack file; :class:`PackError` lists every error in it."""
    try:
        raw = _read_yaml(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        raise PackError(*(f"{path}: {line}" for line in describe_errors(exc, raw))) from exc


def read_packs(paths: Iterable[Path]) -> tuple[list[tuple[Path, Pack]], list[str]]:
    """Load every pack: (the packs that loaded, each with its file; every problem found).

    Never stops at the first problem: each pack's errors are all listed, and a question id
    defined in an earlier pack is a problem of the later one.
    """
    loaded: list[tuple[Path, Pack]] = []
    problems: list[str] = []
    owner: dict[str, Path] = {}
    for path in paths:
        try:
            pack = load_pack(path)
        except PackError as exc:
            problems += exc.problems
            continue
        for question in pack.questions:
            if question.id in owner:
                problems.append(
                    f"{path}: question {question.id!r}, field 'id': "
                    f"duplicate id, already defined in {owner[question.id]}"
                )
            owner.setdefault(question.id, path)
        loaded.append((path, pack))
    return loaded, problems


def valid_questions(path: Path) -> list[Question]:
    """The questions of a pack file that are valid on their own, even when the pack is not.

    ``quizbot questions validate`` checks their samples and code too, so that one run reports
    every problem. An unreadable file has none.
    """
    try:
        raw = _read_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    items = raw.get("questions") if isinstance(raw, dict) else None
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            with contextlib.suppress(ValidationError):
                found.append(Question.model_validate({"category": raw.get("category"), **item}))
    return found


def load_packs(paths: Iterable[Path]) -> list[Pack]:
    """Load several packs; :class:`PackError` lists every problem of every pack."""
    loaded, problems = read_packs(paths)
    if problems:
        raise PackError(*problems)
    return [pack for _, pack in loaded]


def pack_files(directory: Path) -> list[Path]:
    """The pack files of a directory, sorted by name."""
    if not directory.is_dir():
        raise PackError(f"{directory}: not a directory of question packs")
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_bank(
    extra_dir: Path | None = None, *, builtin_dir: Path = BUILTIN_PACKS_DIR
) -> QuestionBank:
    """Load the built-in packs plus, optionally, the custom packs of ``extra_dir``."""
    paths = pack_files(builtin_dir)
    if extra_dir is not None:
        paths += pack_files(extra_dir)
    if not paths:
        raise PackError(f"{builtin_dir}: no question packs found")
    return QuestionBank(load_packs(paths))
