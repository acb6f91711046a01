"""Choice-only questions from a spreadsheet (CSV) or a Markdown list, as a validated pack.

**CSV**: a header row naming the columns (any order) ``question, correct, wrong1, wrong2,
wrong3, explanation, category, difficulty``, optionally ``rarity`` (default ``common``) and
``source``; then one question per row.

**Markdown**: an optional ``# Title`` line, optional defaults (``category: python``,
``difficulty: easy``, ``rarity: …``, ``source: …``), then one ``## question`` heading per
question followed by four task-list choices, one ticked, and its own ``key: value`` lines; every
other line under the heading is the explanation (fenced code included)::

    # Python basics
    category: python

    ## What does len([]) return?
    - [x] 0
    - [ ] None
    - [ ] 1
    - [ ] It raises TypeError
    difficulty: easy
    An empty list has no items, so its length is 0.

Every row is validated like a pack's question; a row that fails is refused with its line number
and the reason, and the others are kept. A pack has one category: a row of another category
than the first accepted one is refused. Ids are the question's slug (``what-does-len-return``),
numbered ``-2``, ``-3``… when two questions share one or it is taken (a built-in question's id).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from questions.loader import describe_errors
from questions.schema import Pack, Question

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "ImportProblem",
    "Imported",
    "Refused",
    "Row",
    "build_pack",
    "import_file",
    "pack_text",
    "read_csv",
    "read_markdown",
    "slug",
]

#: The columns a CSV file's header must name.
COLUMNS = (
    "question",
    "correct",
    "wrong1",
    "wrong2",
    "wrong3",
    "explanation",
    "category",
    "difficulty",
)
OPTIONAL_COLUMNS = ("rarity", "source")
_KEYS = ("category", "difficulty", "rarity", "source")
_SLUG_CHARS = 48
_CHOICE = re.compile(r"^[-*] \[(?P<mark>[ xX])\] (?P<text>.*)$")
_KEY_LINE = re.compile(rf"^(?P<key>{'|'.join(_KEYS)}):\s*(?P<value>.*)$", re.IGNORECASE)


class ImportProblem(Exception):
    """A file that cannot be imported at all (unknown format, header without a column)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One question as read from the file, by column name, and the line it starts on."""

    line: int
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class Refused:
    """A row that was not imported: its line and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Imported:
    """The pack built from the accepted rows (None when none was), and the refused rows."""

    pack: Pack | None
    refused: list[Refused] = field(default_factory=list)


def slug(text: str) -> str:
    """``text`` as a kebab-case id: ASCII letters and digits, at most 48 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    kept: list[str] = []
    for word in words:
        if len("-".join([*kept, word])) > _SLUG_CHARS:
            break
        kept.append(word)
    return "-".join(kept) or (words[0][:_SLUG_CHARS] if words else "question")


def read_csv(text: str) -> tuple[list[Row], list[Refused]]:
    """The rows of a CSV file (header first); rows of the wrong width are refused."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown:
        wrong = ", ".join(
            ([f"lacks {', '.join(missing)}"] if missing else [])
            + ([f"has unknown {', '.join(unknown)}"] if unknown else [])
        )
        raise ImportProblem(f"the header row {wrong}; it needs {', '.join(COLUMNS)}")
    rows: list[Row] = []
    refused: list[Refused] = []
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                refused.append(Refused(start, f"{len(cells)} cells, the header has {len(header)}"))
            else:
                rows.append(Row(start, dict(zip(header, cells, strict=True))))
        start = reader.line_num + 1
    return rows, refused


@dataclass
class _Block:
    """A Markdown question being read."""

    line: int
    prompt: str
    keys: dict[str, str]
    choices: list[tuple[bool, str]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)


def _row_of(block: _Block) -> Row | Refused:
    right = [text for correct, text in block.choices if correct]
    wrong = [text for correct, text in block.choices if not correct]
    if len(right) != 1 or len(wrong) != 3:
        return Refused(
            block.line,
            f"needs one ticked choice '- [x]' and three '- [ ]'; found {len(right)} ticked "
            f"and {len(wrong)} not",
        )
    fields = {
        **block.keys,
        "question": block.prompt,
        "correct": right[0],
        "wrong1": wrong[0],
        "wrong2": wrong[1],
        "wrong3": wrong[2],
        "explanation": "\n".join(block.explanation).strip(),
    }
    return Row(block.line, fields)


def read_markdown(text: str) -> tuple[list[Row], list[Refused], str | None]:
    """The questions of a Markdown list (see the module docstring) and the ``# Title``, if any."""
    title: str | None = None
    defaults: dict[str, str] = {}
    blocks: list[_Block] = []
    fenced = False
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        block = blocks[-1] if blocks else None
        if block is not None and (fenced or stripped.startswith("```")):
            fenced = fenced != stripped.startswith("```")
            block.explanation.append(line)
        elif line.startswith("## "):
            blocks.append(_Block(number, line[3:].strip(), dict(defaults)))
        elif line.startswith("# ") and block is None and title is None:
            title = line[2:].strip()
        elif key_line := _KEY_LINE.match(stripped):
            target = block.keys if block is not None else defaults
            target[key_line["key"].lower()] = key_line["value"].strip()
        elif block is not None and (choice := _CHOICE.match(stripped)):
            block.choices.append((choice["mark"] != " ", choice["text"].strip()))
        elif block is not None:
            block.explanation.append(line)
    rows: list[Row] = []
    refused: list[Refused] = []
    for block in blocks:
        read = _row_of(block)
        if isinstance(read, Row):
            rows.append(read)
        else:
            refused.append(read)
    return rows, refused, title


def _question(row: Row, question_id: str) -> dict[str, object]:
    cells = {name: value.strip() for name, value in row.fields.items()}
    data: dict[str, object] = {
        "id": question_id,
        "category": cells.get("category", "").lower(),
        "difficulty": cells.get("difficulty", "").lower(),
        "rarity": cells.get("rarity", "").lower() or "common",
        "prompt": cells.get("question", ""),
        "explanation": cells.get("explanation", ""),
        "choices": [
            {"text": cells.get("correct", ""), "correct": True},
            *({"text": cells.get(f"wrong{n}", "")} for n in (1, 2, 3)),
        ],
    }
    if cells.get("source"):
        data["source"] = cells["source"]
    return data


def _unique(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base[: _SLUG_CHARS - 4].rstrip('-')}-{number}"
    return candidate


def build_pack(
    rows: list[Row], refused: list[Refused], title: str | None, taken: Collection[str] = ()
) -> Imported:
    """Validate every row as a choice-only question; the pack of those that pass.

    ``taken``: ids the new ones must not reuse (numbered ``-2``… instead).
    """
    questions: list[Question] = []
    refused = list(refused)
    taken = set(taken)
    for row in rows:
        question_id = _unique(slug(row.fields.get("question", "")), taken)
        data = _question(row, question_id)
        try:
            question = Question.model_validate(data)
        except ValidationError as exc:
            refused.append(Refused(row.line, "; ".join(describe_errors(exc, data))))
            continue
        if questions and question.category != questions[0].category:
            refused.append(
                Refused(
                    row.line,
                    f"category {question.category!r} is not the pack's "
                    f"{questions[0].category!r}; import each category into its own pack",
                )
            )
            continue
        taken.add(question_id)
        questions.append(question)
    refused.sort(key=lambda r: r.line)
    if not questions:
        return Imported(None, refused)
    category = questions[0].category
    pack = Pack(
        category=category,
        title=title or category.replace("-", " ").capitalize(),
        questions=questions,
    )
    return Imported(pack, refused)


def import_file(path: Path, taken: Collection[str] = ()) -> Imported:
    """Read a ``.csv`` or ``.md`` file into a pack; :class:`ImportProblem` if it cannot be read.

    ``taken``: ids the new questions must not reuse (see :func:`build_pack`).
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".md", ".markdown"):
        raise ImportProblem(f"{path}: expected a .csv or .md file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportProblem(f"{path}: cannot read: {exc}") from None
    if suffix == ".csv":
        try:
            rows, refused = read_csv(text)
        except ImportProblem as exc:
            raise ImportProblem(f"{path}: {exc}") from None
        except csv.Error as exc:
            raise ImportProblem(f"{path}: not valid CSV: {exc}") from None
        return build_pack(rows, refused, None, taken)
    rows, refused, title = read_markdown(text)
    return build_pack(rows, refused, title, taken)


class _PackDumper(yaml.SafeDumper):
    """Safe YAML with multi-line text written as literal blocks (``|``), as packs are."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _text)


def pack_text(pack: Pack) -> str:
    """The pack as YAML: defaults and the inherited category left out, long text as blocks."""
    data = {
        "category": pack.category,
        "title": pack.title,
        "questions": [
            q.model_dump(mode="json", exclude_defaults=True, exclude={"category"})
            for q in pack.questions
        ],
    }
    return yaml.dump(data, Dumper=_PackDumper, sort_keys=False, allow_unicode=True, width=100)
