"""Loading question packs: YAML files validated into a :class:`QuestionBank`.

A broken pack raises :class:`PackError` whose message names the file, the question id and the
field, e.g. ``questions/packs/python.yaml: question 'list-vs-tuple', field 'prompt': ...``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from questions.schema import Difficulty, Pack, Question

__all__ = ["BUILTIN_PACKS_DIR", "PackError", "QuestionBank", "load_bank", "load_pack", "load_packs"]

BUILTIN_PACKS_DIR = Path(__file__).parent / "packs"


class PackError(Exception):
    """A question pack that cannot be used; the message says where and why."""


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

    def __iter__(self) -> Any:
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


def _describe(error: ValidationError, raw: object) -> str:
    """Turn the first pydantic error into 'question ID, field F: message'."""
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        index = loc[1]
        items = raw.get("questions") if isinstance(raw, dict) else None
        item = items[index] if isinstance(items, list) and index < len(items) else None
        qid = item.get("id") if isinstance(item, dict) else None
        where = f"question {qid!r}" if qid is not None else f"question #{index + 1}"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc)
    message = first["msg"]
    if first["type"] == "string_type":
        message += f" (got {first['input']!r}; quote it in YAML)"
    parts = [p for p in (where, f"field {field!r}" if field else "") if p]
    return (", ".join(parts) + ": " if parts else "") + message


def load_pack(path: Path) -> Pack:
    """Read and validate one pack file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        raise PackError(f"{path}: {_describe(exc, raw)}") from exc


def load_packs(paths: Iterable[Path]) -> list[Pack]:
    """Load several packs, refusing a question id that appears in more than one."""
    packs: list[Pack] = []
    owner: dict[str, Path] = {}
    for path in paths:
        pack = load_pack(path)
        for question in pack.questions:
            if question.id in owner:
                raise PackError(
                    f"{path}: question {question.id!r}, field 'id': "
                    f"duplicate id, already defined in {owner[question.id]}"
                )
            owner[question.id] = path
        packs.append(pack)
    return packs


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
